"""Whether a child qualifies for a programme: one rule per programme, as data, one function.

The rule is the programme's own fields (`eligible_kinds`, `age_limit`, `extends_in_school`,
`requires_disability`, `severe_disability_only`, `stop_rule`). `qualification_problems` applies
it to the facts of one child, and everything that asks the question calls it:

- the enrolment form and services (`enrolment_problems`, for a day);
- the monthly engine (`subsidies.disbursement`, for each month it pays, through `month_window`);
- the problem list of a batch.

The stop rule of DOMAIN.md 2.5: a month is paid when no ending event (the classification's end,
the age limit's birthday, the file's closing) happened before it — or, under "stop in the month
of the event", before the month after it. So an event on 21 December pays December and stops
from January; an 18th birthday on 1 December still pays December.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from children.models import Child, Classification, ClassificationKind, add_years
from children.rules import classification_problems, matrix_situations

from .models import Programme
from .months import add_months

SEVERE_GRADES = {1, 2}
SEVERE_LOWER_GRADE_TYPES = {Child.DisabilityType.INTELLECTUAL, Child.DisabilityType.MENTAL}
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Held:
    """One classification as the rule sees it."""

    kind: str
    start: datetime.date
    end: datetime.date | None = None


@dataclass(frozen=True)
class Facts:
    """What the rule needs to know about a child (and, for the extension, the enrolment)."""

    birth_date: datetime.date
    closed_on: datetime.date | None = None
    closed_reason: str = ""
    held: tuple[Held, ...] = ()
    disability_type: str = ""
    disability_grade: int | None = None
    disability_cert_no: str = ""
    expected_graduation: datetime.date | None = None

    @classmethod
    def of(cls, child: Child, *, expected_graduation: datetime.date | None = None) -> "Facts":
        held = tuple(
            Held(kind, start, end)
            for kind, start, end in Classification.objects.filter(child=child).values_list(
                "kind", "start_date", "end_date"
            )
        )
        return cls(
            birth_date=child.birth_date,
            closed_on=child.closed_on if child.status == Child.Status.CLOSED else None,
            closed_reason=child.closed_reason,
            held=held,
            disability_type=child.disability_type,
            disability_grade=child.disability_grade,
            disability_cert_no=child.disability_cert_no,
            expected_graduation=expected_graduation,
        )


def day_window(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """On one day: held by that day, and no ending on or before it."""
    return day, day + ONE_DAY


def month_window(programme: Programme, month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """For a paid month under the programme's stop rule: (held by this day, no ending before this day).

    A qualifying status must have begun by the month's last day; an ending event stops the
    payment from the month after it (or, under "stop in the month of the event", from that month).
    """
    following = add_months(month, 1)
    if programme.stop_rule == Programme.StopRule.MONTH_OF_EVENT:
        return following - ONE_DAY, following
    return following - ONE_DAY, month


def age_limit_end(programme: Programme, facts: Facts) -> datetime.date | None:
    """The day the age limit ends the programme (the birthday, or the graduation under the extension)."""
    if not programme.age_limit:
        return None
    birthday = add_years(facts.birth_date, programme.age_limit)
    if programme.extends_in_school and facts.expected_graduation and facts.expected_graduation > birthday:
        # The graduation is the ending event: paid through its month (stop rule "month after").
        return facts.expected_graduation
    return birthday


def qualification_problems(
    programme: Programme, facts: Facts, *, held_by: datetime.date, not_ended_before: datetime.date
) -> list[str]:
    """Why the child does not qualify; empty when they do.

    `held_by`: a qualifying classification must have begun on or before it. `not_ended_before`:
    no ending event may fall before it (see `day_window` and `month_window`).
    """
    problems: list[str] = []
    if facts.closed_on is not None and facts.closed_on < not_ended_before:
        reason = Child.ClosedReason(facts.closed_reason).label if facts.closed_reason else "—"
        problems.append(_("儿童档案已销档（%(r)s，%(d)s）。") % {"r": reason, "d": facts.closed_on.isoformat()})
    age_end = age_limit_end(programme, facts)
    if age_end is not None and age_end < not_ended_before:
        birthday = add_years(facts.birth_date, programme.age_limit)
        if age_end == birthday:
            problems.append(
                _("儿童已满%(n)d周岁（%(d)s），%(p)s只保障%(n)d周岁以下儿童。")
                % {"n": programme.age_limit, "d": birthday.isoformat(), "p": programme.name}
            )
        else:
            problems.append(
                _("儿童已满%(n)d周岁，在校延长发放至预计毕业日期 %(d)s。")
                % {"n": programme.age_limit, "d": facts.expected_graduation.isoformat()}
            )
    if programme.eligible_kinds:
        kinds = set(programme.eligible_kinds)
        extended = age_end is not None and age_end != add_years(facts.birth_date, programme.age_limit)
        birthday = add_years(facts.birth_date, programme.age_limit) if programme.age_limit else None
        qualifying = any(
            h.kind in kinds
            and h.start <= held_by
            and (
                h.end is None
                or h.end >= not_ended_before
                # The category itself ends at the age limit; the in-school extension carries the payment on.
                or (extended and h.end >= birthday and age_end >= not_ended_before)
            )
            for h in facts.held
        )
        if not qualifying:
            problems.append(
                _("须先认定为%(k)s。")
                % {"k": _("或").join(str(ClassificationKind(k).label) for k in programme.eligible_kinds)}
            )
    if programme.requires_disability and not (facts.disability_type and facts.disability_cert_no):
        problems.append(_("须登记残疾类别和残疾人证号。"))
    if programme.severe_disability_only and facts.disability_type:
        grade = facts.disability_grade
        severe = grade in SEVERE_GRADES or (grade in (3, 4) and facts.disability_type in SEVERE_LOWER_GRADE_TYPES)
        if not severe:
            problems.append(_("重度残疾人护理补贴须为一、二级残疾，或三、四级智力、精神残疾。"))
    return problems


def qualifies_in(programme: Programme, facts: Facts, month: datetime.date) -> bool:
    """The engine's question for one month."""
    held_by, not_ended_before = month_window(programme, month)
    return not qualification_problems(programme, facts, held_by=held_by, not_ended_before=not_ended_before)


def enrolment_problems(
    child: Child, programme: Programme, day: datetime.date, *, expected_graduation: datetime.date | None = None
) -> list[str]:
    """Why `child` cannot be in `programme` on `day`; empty when the records support it.

    The programme's rule on that day, plus the check that each qualifying classification is still
    supported by the parents' recorded situations (民发〔2019〕62号).
    """
    facts = Facts.of(child, expected_graduation=expected_graduation)
    held_by, not_ended_before = day_window(day)
    problems = qualification_problems(programme, facts, held_by=held_by, not_ended_before=not_ended_before)
    if programme.eligible_kinds:
        held = {
            h.kind
            for h in facts.held
            if h.kind in programme.eligible_kinds and h.start <= day and (h.end is None or h.end > day)
        }
        parents = matrix_situations(child, day)  # 62号 durations as of `day`
        for kind in sorted(held):
            for problem in classification_problems(child, kind, day, parents=parents):
                problems.append(_("%(k)s：%(p)s") % {"k": ClassificationKind(kind).label, "p": problem})
    return problems
