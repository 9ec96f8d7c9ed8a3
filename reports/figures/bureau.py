"""The paragraph the bureau publishes (DOMAIN.md 0, "我市积极推进儿童福利和未成年人保护工作"), filled from the data.

Every number in it is a population of reports.glossary, read from the figures the report already holds:
the programme lines (社会散居孤儿, 事实无人抚养儿童, 机构集中供养儿童, 困境儿童分类保障 and its lines), the
categories (农村留守儿童, 动态新增/减员), the money (基本生活费（补贴）, 各类保障资金) and the other apps'
sections (委托监护责任确认书, 走访慰问, 收养登记, 未成年人保护). A clause whose section is not in the report
(its app not installed) is left out rather than printed as 0.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from children.models import ClassificationKind

from ..glossary import (
    ADOPTIONS,
    AGREEMENTS_SIGNED,
    ALL_MONEY,
    BASIC_LIVING_CODES,
    BASIC_LIVING_MONEY,
    CLASSIFIED_PROTECTION,
    DE_FACTO,
    INSTITUTIONAL,
    LEFT_BEHIND,
    PROTECTION_PILOTS,
    SCATTERED_ORPHANS,
    SUPERVISOR_TRAININGS,
)
from .money import ZERO, unpaid_runs
from .summary import wan

if TYPE_CHECKING:
    from .report import Report


def _n(value: int) -> str:
    return f"{value:,}"


def _people(label, n: int) -> str:
    return _("%(label)s%(n)s人") % {"label": label, "n": _n(n)}


def _figures(report: "Report", key: str) -> dict | None:
    for section in report.sections:
        if section.key == key:
            return section.figures
    return None


def bureau_paragraph(report: "Report") -> str:
    scope, as_of = report.scope, report.as_of
    programmes = {row.code: row for row in report.programmes}

    def line_end(code: str) -> int:
        row = programmes.get(code)
        return row.flow.end if row else 0

    left_behind = sum(r.flow.end for r in report.kinds if r.kind == ClassificationKind.LEFT_BEHIND)
    parts = []
    text = _("截至%(day)s，%(scope)s共有%(groups)s") % {
        "day": _("%(y)d年%(m)d月%(d)d日") % {"y": as_of.year, "m": as_of.month, "d": as_of.day},
        "scope": scope.label,
        "groups": _("、").join(
            [
                _people(SCATTERED_ORPHANS.name, line_end("orphan_scattered")),
                _people(DE_FACTO.name, line_end("de_facto_scattered")),
                _people(INSTITUTIONAL.name, report.institutional_children),
                _people(LEFT_BEHIND.name, left_behind),
            ]
        ),
    }
    agreements = _figures(report, "agreements")
    if agreements is not None:
        covered = agreements["covered"]
        text += _("，其中%(term)s%(n)s人") % {"term": AGREEMENTS_SIGNED.name, "n": _n(covered)}
        if left_behind and covered == left_behind:
            text += _("（全部签订）")
    parts.append(text + _("。"))

    protection = report.classified_protection
    text = _("纳入%(term)s的儿童%(n)s人") % {"term": CLASSIFIED_PROTECTION.name, "n": _n(report.protected_children)}
    listing = _("、").join(_people(r.label, r.flow.end) for r in protection.rows if r.flow.end)
    if listing:
        text += _("，其中%(l)s") % {"l": listing}
    if report.protected_distinct_children != report.protected_children:
        text += _("（按项目分别计入，实际儿童%(n)s人）") % {"n": _n(report.protected_distinct_children)}
    parts.append(text + _("。"))

    parts.append(_money_and_flows(report))

    campaigns = _figures(report, "campaigns")
    if campaigns is not None and campaigns["visited"]:
        text = _("开展走访慰问，慰问%(who)s") % {
            "who": _("、").join(_people(label, n) for label, n in campaigns["categories"])
        }
        if campaigns["handed"]:
            text += _("，发放%(h)s") % {"h": _("、").join(campaigns["handed"])}
        parts.append(text + _("。"))
    adoption = _figures(report, "adoption")
    if adoption is not None:
        parts.append(_("办理%(term)s%(n)s件。") % {"term": ADOPTIONS.name, "n": _n(adoption["registered"])})
    pilots = _figures(report, "protection")
    if pilots is not None:
        parts.append(
            _("%(n)s个乡镇（街道）为%(term)s，举办%(training)s%(t)s期、%(p)s人次。")
            % {
                "n": _n(pilots["pilots"]),
                "term": PROTECTION_PILOTS.name,
                "training": SUPERVISOR_TRAININGS.name,
                "t": _n(pilots["trainings"]),
                "p": _n(pilots["trained"]),
            }
        )
    return "".join(parts)


def _money_and_flows(report: "Report") -> str:
    """基本生活费（补贴） and 各类保障资金 of the period in 万元, then 动态新增/减员 of orphans and de facto."""
    period = report.period
    basic = report.basic_living_flow
    flows = _("孤儿和事实无人抚养儿童动态新增%(a)s人、动态减员%(r)s人") % {
        "a": _n(basic.added),
        "r": _n(basic.removed),
    }
    unpaid = report.unpaid_months
    if len(unpaid) == len(period.months):
        return _("%(period)s尚无已审批的发放批次；%(flows)s。") % {"period": period.label, "flows": flows}
    basic_money = sum((r.period.total for r in report.programmes if r.code in BASIC_LIVING_CODES), ZERO)
    text = _("%(period)s发放孤儿和事实无人抚养儿童%(basic)s%(b)s万元，发放%(all)s%(a)s万元") % {
        "period": period.label,
        "basic": BASIC_LIVING_MONEY.name,
        "b": wan(basic_money),
        "all": ALL_MONEY.name,
        "a": wan(report.classified_protection.total.period.total),
    }
    if unpaid:
        text += _("（%(months)s尚无已审批的发放批次，未计入）") % {"months": _("、").join(unpaid_runs(unpaid))}
    return text + _("；%(flows)s。") % {"flows": flows}
