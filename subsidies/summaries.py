"""Reads for the pages: a batch's totals and its differences from the month before, and the
month's additions and removals (动态新增/减员) derived from the enrolments.

A batch's totals are read from the figures kept with it when it was computed (`BatchTotal`) and
added up here in Decimal, so a total row is the exact sum of the rows shown above it. Lists are
capped: a page never loads a whole batch.
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from children.models import Child, Township

from .eligibility import Facts, month_window, qualification_problems
from .models import Batch, Enrolment, Line, Programme
from .months import add_months, format_month
from .total_models import BatchTotal
from .totals import add_into

ZERO = Decimal("0.00")
LIST_CAP = 200


@dataclass
class TotalRow:
    label: str
    children: int = 0
    normal: Decimal = ZERO
    arrears: Decimal = ZERO
    adjustments: Decimal = ZERO
    total: Decimal = ZERO
    lines: int = 0
    reissued: Decimal = ZERO  # 重发: returned by the bank, paid again


@dataclass
class Totals:
    rows: list[TotalRow]
    total: TotalRow = field(default_factory=lambda: TotalRow(""))


def totals_by(batch: Batch, key: str) -> Totals:
    """Per programme (key="programme") or per township (key="township"), in display order.

    Read from the totals kept with the batch (`BatchTotal`, a few hundred rows), never from the
    lines: two queries whatever the size of the batch. A child's lines are in one township, so the
    children of a programme, and of the batch, are the sums of the townships' counts.
    """
    grouped: dict[int, TotalRow] = {}
    total = TotalRow(_("合计"))
    for stored in BatchTotal.objects.filter(batch=batch).order_by("township_id", "programme_id"):
        if stored.programme_id is None:
            add_into(total, stored)
        if key == "township" and stored.programme_id is None:
            add_into(grouped.setdefault(stored.township_id, TotalRow("")), stored)
        elif key == "programme" and stored.programme_id is not None:
            add_into(grouped.setdefault(stored.programme_id, TotalRow("")), stored)
    model = Programme if key == "programme" else Township
    names = model.objects.filter(pk__in=grouped).in_bulk()
    order = sorted(grouped, key=lambda pk: (getattr(names[pk], "display_order", 0), getattr(names[pk], "code", ""), pk))
    rows = []
    for pk in order:
        grouped[pk].label = names[pk].name
        rows.append(grouped[pk])
    return Totals(rows, total)


@dataclass
class Capped:
    rows: list
    count: int

    @property
    def capped(self) -> bool:
        return self.count > len(self.rows)


def _capped(queryset) -> Capped:
    rows = list(queryset[:LIST_CAP])
    count = len(rows) if len(rows) < LIST_CAP else queryset.count()
    return Capped(rows, count)


@dataclass
class BatchDiff:
    previous: Batch | None
    added: Capped
    removed: Capped
    changed: Capped


def _normal_lines(batch: Batch):
    return Line.objects.filter(batch=batch, kind=Line.Kind.NORMAL).select_related("child", "programme", "township")


def batch_diff(batch: Batch) -> BatchDiff | None:
    """Who is paid normally this month and was not last time, who no longer is, whose amount changed.

    Compared by enrolment (indexed with the period), so the cost grows with the batch, not its square.
    """
    previous = Batch.objects.filter(month__lt=batch.month).order_by("-month").first()
    if previous is None:
        return None

    def in_batch(other: Batch):
        return Line.objects.filter(
            batch=other, kind=Line.Kind.NORMAL, period=other.month, enrolment=OuterRef("enrolment")
        )

    order = ["township__code", "child__name", "programme__display_order", "id"]
    added = _normal_lines(batch).filter(~Exists(in_batch(previous))).order_by(*order)
    removed = (
        _normal_lines(previous).filter(~Exists(in_batch(batch))).select_related("enrolment", "child").order_by(*order)
    )
    changed = (
        _normal_lines(batch)
        .annotate(old_amount=Subquery(in_batch(previous).values("amount")[:1]))
        .filter(old_amount__isnull=False)
        .exclude(old_amount=F("amount"))
        .order_by(*order)
    )
    removed = _capped(removed)
    for line in removed.rows:
        line.reason = removal_reason(line.enrolment, line.child, line.programme, batch.month)
    return BatchDiff(previous, _capped(added), removed, _capped(changed))


def removal_reason(enrolment: Enrolment, child: Child, programme: Programme, month: datetime.date) -> str:
    """Why an enrolment paid last month is not paid in `month`, from the records."""
    if enrolment.end_month and enrolment.end_month < month:
        return _("%(r)s（%(d)s），发放至%(m)s") % {
            "r": enrolment.get_end_reason_display(),
            "d": enrolment.ended_on.isoformat() if enrolment.ended_on else "—",
            "m": format_month(enrolment.end_month),
        }
    if enrolment.suspended_from and enrolment.suspended_from <= month:
        return _("暂停发放，待复核：%(r)s") % {"r": enrolment.suspension_reason}
    held_by, not_ended_before = month_window(programme, month)
    facts = Facts.of(child, expected_graduation=enrolment.expected_graduation)
    problems = qualification_problems(programme, facts, held_by=held_by, not_ended_before=not_ended_before)
    if problems:
        return problems[0]
    if not programme.standards.filter(effective_month__lte=month).exists():
        return _("%(p)s未设置标准") % {"p": programme.name}
    return _("本月无应发金额（叠加规则或标准调整，见保障记录）")


# ---------------------------------------------------------------------------------------------
# 动态新增/减员 for a month, from the enrolments (never typed in)


@dataclass
class MonthChanges:
    month: datetime.date
    added: Capped
    removed: Capped
    reaching_age: Capped


def _age_limit_condition(month: datetime.date) -> Q | None:
    """Open enrolments whose programme's age limit makes the month before `month` the last one paid."""
    condition = None
    for programme in Programme.objects.exclude(age_limit__isnull=True):
        # Stop rule "month after the event": the birthday month is the last one paid; "month of": the one before.
        birthday_month = add_months(month, -1)
        if programme.stop_rule == Programme.StopRule.MONTH_OF_EVENT:
            birthday_month = month
        first = birthday_month.replace(year=birthday_month.year - programme.age_limit)
        births = Q(child__birth_date__gte=first, child__birth_date__lt=add_months(first, 1))
        # Born on 29 February: the birthday is 1 March in a common year (Child.birthday).
        if calendar.isleap(first.year) and not calendar.isleap(birthday_month.year):
            if first.month == 2:
                births &= ~Q(child__birth_date=first.replace(day=29))
            elif first.month == 3:
                births |= Q(child__birth_date=datetime.date(first.year, 2, 29))
        term = Q(programme=programme) & births
        condition = term if condition is None else condition | term
    return condition


def month_changes(enrolments, month: datetime.date) -> MonthChanges:
    """`enrolments` is already scoped to the user; month is a first-of-month date."""
    enrolments = enrolments.select_related("child__township", "child__village", "programme").order_by(
        "child__township__code", "child__name", "programme__display_order", "id"
    )
    paying = Enrolment.PAYING_STATUSES
    # An enrolment ended before its first month was never paid: neither added nor removed.
    added = enrolments.filter(status__in=paying, start_month=month).exclude(end_month__lt=month)
    removed = enrolments.filter(
        status=Enrolment.Status.ENDED, end_month=add_months(month, -1), start_month__lte=add_months(month, -1)
    )
    condition = _age_limit_condition(month)
    reaching_age = (
        enrolments.filter(condition, status=Enrolment.Status.CONFIRMED, end_month__isnull=True)
        if condition is not None
        else enrolments.none()
    )
    reaching = _capped(reaching_age)
    for e in reaching.rows:
        e.birthday = e.child.birthday(e.programme.age_limit)
    return MonthChanges(month, _capped(added), _capped(removed), reaching)
