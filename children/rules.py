"""Eligibility rules for classifications (DOMAIN.md section 1), checked, not assumed.

`classification_problems` returns the reasons a classification cannot hold,
in words a clerk understands; an empty list means the data supports it.
"""

import datetime

from django.utils.translation import gettext as _

from .models import Child, ClassificationKind, ParentSituation

Situation = ParentSituation.Situation
Kind = ClassificationKind

# Dead or declared missing (D of DOMAIN.md 1.2); "cannot be found" also makes an orphan.
DEAD_OR_MISSING = {Situation.DEAD, Situation.DECLARED_MISSING}
ORPHANING = DEAD_OR_MISSING | {Situation.UNKNOWN}
# The eight situations of 民发〔2019〕62号 and 民发〔2020〕125号 (S of DOMAIN.md 1.2).
UNSUPPORTING = {
    Situation.SEVERE_DISABILITY,
    Situation.SERIOUS_ILLNESS,
    Situation.IMPRISONED,
    Situation.DRUG_REHAB,
    Situation.RESTRICTED_LIBERTY,
    Situation.LOST_CONTACT,
    Situation.GUARDIANSHIP_REVOKED,
    Situation.DEPORTED,
}
# How long a situation must last before it counts (DOMAIN.md 1.2, 民发〔2019〕62号 and 民发〔2020〕125号):
# - 失联 (#6): lost contact and not performing guardianship or support for six months or more,
#   counted from the situation's start date (many localities: the day the police accepted the report);
# - 服刑在押, 强制隔离戒毒, 被执行其他限制人身自由的措施 (#3-5): a sentence or measure of six months
#   or more ("期限在6个月以上"), so the recorded term decides, from its first day. A record without a
#   term (entered before the term was asked for) keeps counting and is listed for checking instead
#   (`term_unrecorded`): it is not silently rejected.
MIN_MONTHS = 6
LASTING = {Situation.LOST_CONTACT}
TERMED = set(ParentSituation.TERMED)
# A parent at home who cannot look after the child (for left-behind children).
WITHOUT_CAPACITY = {Situation.INCAPABLE, Situation.SEVERE_DISABILITY, Situation.SERIOUS_ILLNESS}

ORPHAN_KINDS = {Kind.ORPHAN_SCATTERED, Kind.ORPHAN_INSTITUTIONAL}
DE_FACTO_KINDS = {Kind.DE_FACTO_SCATTERED, Kind.DE_FACTO_INSTITUTIONAL}
# Kinds that cannot be held at the same time as each other.
EXCLUSIVE_GROUPS = [ORPHAN_KINDS | DE_FACTO_KINDS]
AGE_LIMITS = {Kind.LEFT_BEHIND: 16}
DEFAULT_AGE_LIMIT = 18


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (earlier if negative); the month's last day when shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = datetime.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return datetime.date(year, month + 1, min(day.day, (following - datetime.timedelta(days=1)).day))


def lasting_cutoff(day: datetime.date) -> datetime.date:
    """The latest start date of a situation that has lasted `MIN_MONTHS` by `day` (start + 6 months <= day).

    On a month's last day every later start day of the shorter month reaches it too (31 August + 6
    months is 28 February), so the cutoff is then the last day of the month six months before.
    """
    if (day + datetime.timedelta(days=1)).day == 1:
        return shift_months(day.replace(day=1), -MIN_MONTHS + 1) - datetime.timedelta(days=1)
    return shift_months(day, -MIN_MONTHS)


class Uncounted(str):
    """A recorded situation of S that does not count on the day checked: too short so far, or too short a term.

    Compares unequal to every situation code, so the 62号 matrix treats it as "not in S"; `label`
    says why, for the clerk.
    """

    situation: str
    label: str

    def __new__(cls, situation: str, label: str):
        value = super().__new__(cls, f"{situation}:uncounted")
        value.situation, value.label = situation, label
        return value


def situation_counts(
    situation: str, start_date: datetime.date, term_months: int | None, day: datetime.date
) -> str | Uncounted:
    """The situation as the 62号 matrix sees it on `day`: itself, or `Uncounted` with the reason."""
    label = Situation(situation).label
    if situation in LASTING and start_date > lasting_cutoff(day):
        counts_from = shift_months(start_date, MIN_MONTHS)
        return Uncounted(
            situation,
            _("%(s)s未满%(n)d个月，自%(d)s起计入") % {"s": label, "n": MIN_MONTHS, "d": counts_from.isoformat()},
        )
    if situation in TERMED and term_months is not None and term_months < MIN_MONTHS:
        return Uncounted(
            situation, _("%(s)s期限%(m)d个月，不足%(n)d个月") % {"s": label, "m": term_months, "n": MIN_MONTHS}
        )
    return situation


def _current_records(child: Child, day: datetime.date) -> dict[str, ParentSituation | None]:
    """Each parent's record in force on `day`: the latest one started by then (later ids win ties)."""
    current: dict[str, ParentSituation | None] = dict.fromkeys(ParentSituation.Parent.values)
    latest: dict[str, tuple] = {}
    for record in child.parent_situations.all():
        if record.start_date > day:
            continue
        key = (record.start_date, record.pk or 0)
        if record.parent not in latest or key > latest[record.parent]:
            latest[record.parent] = key
            current[record.parent] = record
    return current


def situations_on(child: Child, day: datetime.date) -> dict[str, str | None]:
    """The situation of each parent recorded as in force on `day` (the latest one started by then)."""
    return {parent: r.situation if r else None for parent, r in _current_records(child, day).items()}


def matrix_situations(child: Child, day: datetime.date) -> dict[str, str | None]:
    """The situations in force on `day` as the 62号 matrix counts them, durations applied (`situation_counts`)."""
    return {
        parent: situation_counts(r.situation, r.start_date, r.term_months, day) if r else None
        for parent, r in _current_records(child, day).items()
    }


def term_unrecorded(child: Child, day: datetime.date) -> list[ParentSituation]:
    """The records in force on `day` whose 62号 term is missing (to check, not to refuse)."""
    return [r for r in _current_records(child, day).values() if r and r.term_unrecorded]


def is_de_facto_unsupported(father: str | None, mother: str | None) -> bool:
    return (
        (father in UNSUPPORTING and mother in UNSUPPORTING)
        or (father in DEAD_OR_MISSING and mother in UNSUPPORTING)
        or (mother in DEAD_OR_MISSING and father in UNSUPPORTING)
    )


def is_orphan(father: str | None, mother: str | None) -> bool:
    return father in ORPHANING and mother in ORPHANING


def is_left_behind(father: str | None, mother: str | None) -> bool:
    away = Situation.WORKING_AWAY
    return (father == away and mother == away) or (
        (father == away and mother in WITHOUT_CAPACITY) or (mother == away and father in WITHOUT_CAPACITY)
    )


def matrix_supports(kind: str, father: str | None, mother: str | None) -> bool:
    """Whether the parents' situations (as `matrix_situations` gives them) support an orphan or de-facto kind."""
    if kind in ORPHAN_KINDS:
        return is_orphan(father, mother)
    if kind in DE_FACTO_KINDS:
        return is_de_facto_unsupported(father, mother)
    return True


def _parents_text(father, mother) -> str:
    def label(value):
        if isinstance(value, Uncounted):
            return value.label
        return Situation(value).label if value else _("未登记")

    return _("父亲：%(f)s；母亲：%(m)s") % {"f": label(father), "m": label(mother)}


def classification_problems(
    child: Child,
    kind: str,
    start_date: datetime.date,
    *,
    parents: dict[str, str | None] | None = None,
    open_kinds: set[str] = frozenset(),
    today: datetime.date | None = None,
) -> list[str]:
    """Why `child` cannot hold `kind` from `start_date`; empty when the data supports it."""
    problems: list[str] = []
    if today and start_date > today:
        problems.append(_("起始日期不能晚于今天。"))
    if start_date < child.birth_date:
        problems.append(_("起始日期早于儿童出生日期。"))
    limit = AGE_LIMITS.get(kind, DEFAULT_AGE_LIMIT)
    if start_date >= child.birthday(limit):
        problems.append(
            _("儿童在起始日期已满%(n)d周岁（%(d)s满%(n)d周岁），不能认定为%(k)s。")
            % {"n": limit, "d": child.birthday(limit).isoformat(), "k": Kind(kind).label}
        )
    if parents is None:
        parents = matrix_situations(child, start_date)
    father, mother = parents.get(ParentSituation.Parent.FATHER), parents.get(ParentSituation.Parent.MOTHER)

    if kind in ORPHAN_KINDS and not is_orphan(father, mother):
        problems.append(_("孤儿须父母双方均死亡、宣告失踪或查找不到（%(p)s）。") % {"p": _parents_text(father, mother)})
    elif kind in DE_FACTO_KINDS and not is_de_facto_unsupported(father, mother):
        if is_orphan(father, mother):
            problems.append(_("父母双方均死亡或失踪，应认定为孤儿，而不是事实无人抚养儿童。"))
        else:
            problems.append(
                _(
                    "事实无人抚养儿童须父母双方均符合重残、重病、服刑在押、强制隔离戒毒、"
                    "被执行其他限制人身自由措施、失联、被撤销监护资格、被遣送出境等情形之一，"
                    "或一方死亡/失踪、另一方符合上述情形（民发〔2019〕62号）。现为%(p)s。"
                )
                % {"p": _parents_text(father, mother)}
            )
    elif kind == Kind.LEFT_BEHIND:
        if child.hukou_type != Child.HukouType.RURAL:
            problems.append(_("农村留守儿童须为农村户籍。"))
        if not is_left_behind(father, mother):
            problems.append(
                _("农村留守儿童须父母双方外出务工，或一方外出务工、另一方无监护能力（%(p)s）。")
                % {"p": _parents_text(father, mother)}
            )
    elif kind == Kind.DISABLED:
        if not (child.disability_type and child.disability_grade and child.disability_cert_no):
            problems.append(_("残疾儿童须登记残疾类别、残疾等级和残疾人证号。"))
    elif kind == Kind.HARDSHIP_DISABILITY and not child.disability_type:
        problems.append(_("因自身残疾认定为困境儿童，须先登记残疾类别。"))

    for group in EXCLUSIVE_GROUPS:
        if kind in group:
            clash = sorted(str(Kind(k).label) for k in open_kinds & group if k != kind)
            if clash:
                problems.append(_("儿童当前已是%(c)s，须先终止该类别。") % {"c": _("、").join(clash)})
    return problems


# 年度复核 (孤儿核查认定): months from a classification's start, or its last review, to the next review.
# Yearly for every kind by default; a county with another cycle for a kind changes it here.
REVIEW_INTERVAL_MONTHS = dict.fromkeys(Kind, 12)


def next_review_after(kind: str, day: datetime.date) -> datetime.date:
    """The review date one interval after `day` (the last day of a shorter month when the day is missing)."""
    return shift_months(day, REVIEW_INTERVAL_MONTHS.get(kind, 12))
