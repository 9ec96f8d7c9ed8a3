"""Risk from a visit's ratings and the child's situation, by rules a supervisor can read.

Each rule has a level and the sentence shown on the visit form and the visit page. A visit's risk
is the highest level of the rules that hold; two or more medium rules together make it high.
The triggers follow the national key-watch lists (DOMAIN.md 4.3); the tiers are the bureau's policy.
"""

import dataclasses
import datetime

from django.utils.translation import gettext_lazy as _

from children.models import Carer, Child, ClassificationKind, ParentSituation
from children.rules import situations_on

from .models import DIMENSIONS, Rating, RiskLevel

Situation = ParentSituation.Situation
# A parent at home who cannot look after the child while the other works away: any situation but these.
ABLE_OR_AWAY = {Situation.ALIVE_ABLE, Situation.WORKING_AWAY, None}
UNREACHABLE = {Situation.LOST_CONTACT, Situation.UNKNOWN}
SCATTERED_KINDS = {ClassificationKind.ORPHAN_SCATTERED, ClassificationKind.DE_FACTO_SCATTERED}


@dataclasses.dataclass(frozen=True)
class ChildSituation:
    """What the rules need to know about the child, read from the registry on the visit day."""

    dropped_out: bool = False
    ill_or_disabled: bool = False
    no_id_number: bool = False
    no_effective_carer: bool = False
    one_away_other_incapable: bool = False
    parents_unreachable: bool = False
    scattered_orphan_or_de_facto: bool = False


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str
    level: str
    text: str


RULES = [
    Rule("harm", RiskLevel.HIGH, _("发现疑似遭受侵害情形（须强制报告）")),
    Rule("serious", RiskLevel.HIGH, _("任一方面评为“严重问题”")),
    Rule("guardianship_poor", RiskLevel.HIGH, _("“监护情况”评为“较差”")),
    Rule("two_poor", RiskLevel.HIGH, _("两个及以上方面评为“较差”")),
    Rule("no_carer", RiskLevel.HIGH, _("无有效照料人（未登记主要照料人，或照料人不具备完全民事行为能力）")),
    Rule("away_incapable", RiskLevel.HIGH, _("父母一方外出务工，另一方无监护能力")),
    Rule("dropped_out", RiskLevel.HIGH, _("失学辍学")),
    Rule("two_medium", RiskLevel.HIGH, _("同时具有两项及以上中风险情形")),
    Rule("one_poor", RiskLevel.MEDIUM, _("一个方面评为“较差”（监护情况以外）")),
    Rule("scattered", RiskLevel.MEDIUM, _("社会散居孤儿或社会散居事实无人抚养儿童")),
    Rule("ill_disabled", RiskLevel.MEDIUM, _("患重病或残疾")),
    Rule("unreachable", RiskLevel.MEDIUM, _("父母失联或查找不到")),
    Rule("no_id", RiskLevel.MEDIUM, _("无身份证号（可能未落户）")),
]
RULES_BY_CODE = {rule.code: rule for rule in RULES}


@dataclasses.dataclass(frozen=True)
class Assessment:
    level: str
    reasons: list[str]  # rule codes, in the order of RULES

    def rules(self) -> list[Rule]:
        return [RULES_BY_CODE[code] for code in self.reasons]


def assess(ratings: dict[str, str], situation: ChildSituation, *, suspected_harm: bool = False) -> Assessment:
    """The risk level and the rules that hold. `ratings` maps each dimension to a Rating value."""
    poor = [name for name, _label in DIMENSIONS if ratings.get(name) == Rating.POOR]
    holds = {
        "harm": suspected_harm,
        "serious": any(ratings.get(name) == Rating.SERIOUS for name, _label in DIMENSIONS),
        "guardianship_poor": ratings.get("guardianship") == Rating.POOR,
        "two_poor": len(poor) >= 2,
        "no_carer": situation.no_effective_carer,
        "away_incapable": situation.one_away_other_incapable,
        "dropped_out": situation.dropped_out,
        "one_poor": len(poor) == 1 and poor != ["guardianship"],
        "scattered": situation.scattered_orphan_or_de_facto,
        "ill_disabled": situation.ill_or_disabled,
        "unreachable": situation.parents_unreachable,
        "no_id": situation.no_id_number,
    }
    medium = [rule.code for rule in RULES if rule.level == RiskLevel.MEDIUM and holds.get(rule.code)]
    holds["two_medium"] = len(medium) >= 2
    reasons = [rule.code for rule in RULES if holds.get(rule.code)]
    levels = {RULES_BY_CODE[code].level for code in reasons}
    level = RiskLevel.HIGH if RiskLevel.HIGH in levels else RiskLevel.MEDIUM if levels else RiskLevel.LOW
    return Assessment(level=level, reasons=reasons)


def situation_of(child: Child, day: datetime.date) -> ChildSituation:
    """The child's situation from the registry, as it stood on `day`."""
    parents = situations_on(child, day)
    father, mother = parents[ParentSituation.Parent.FATHER], parents[ParentSituation.Parent.MOTHER]
    # .all() and Python filters, so a prefetched child (the demo, imports) costs no query here.
    carer = next((c for c in child.carers.all() if c.is_primary), None)
    open_kinds = {
        entry.kind
        for entry in child.classifications.all()
        if entry.start_date <= day and (entry.end_date is None or entry.end_date > day)
    }
    return ChildSituation(
        dropped_out=child.school_status == Child.SchoolStatus.DROPPED_OUT,
        ill_or_disabled=child.health_status in (Child.HealthStatus.SERIOUS_ILLNESS, Child.HealthStatus.DISABLED)
        or bool(child.disability_type),
        no_id_number=not child.id_number,
        no_effective_carer=carer is None or carer.capacity != Carer.Capacity.FULL,
        one_away_other_incapable=(father == Situation.WORKING_AWAY and mother not in ABLE_OR_AWAY)
        or (mother == Situation.WORKING_AWAY and father not in ABLE_OR_AWAY),
        parents_unreachable=father in UNREACHABLE or mother in UNREACHABLE,
        scattered_orphan_or_de_facto=bool(open_kinds & SCATTERED_KINDS),
    )


def rules_table():
    """The rules grouped by level, for the page that explains them."""
    return [
        (RiskLevel(level).label, [rule for rule in RULES if rule.level == level])
        for level in (RiskLevel.HIGH, RiskLevel.MEDIUM)
    ]
