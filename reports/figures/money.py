"""Money paid (发放金额): approved batches' lines per programme, township and kind, and per month.

Money is the sum of the lines of approved (or exported) batches whose month (发放月) lies in the
period, per programme and kind (正常发放, 补发, 调整扣减); the year to date runs from January of the
last month's year to the last month. A draft batch is not money paid: the report says which months of
the period have no approved batch. An approved batch never changes, so its lines are summed once per
programme, township and kind (BatchMoney) the first time a report needs it. Money follows the township
on the payment line (as it was when the batch was computed).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from subsidies.models import Batch, BatchTownship, Line
from subsidies.months import add_months

from .period import Period, Scope

ZERO = Decimal("0.00")
PAID_BATCH = Batch.FROZEN_STATUSES


@dataclass
class Money:
    normal: Decimal = ZERO
    arrears: Decimal = ZERO
    adjustments: Decimal = ZERO
    reissued: Decimal = ZERO  # 重发: paid again after a return; due once already, so not in the total

    @property
    def total(self) -> Decimal:
        """应发: what was due (a 重发 pays again what an earlier month already counts)."""
        return self.normal + self.arrears + self.adjustments

    def add_amount(self, kind: str, amount: Decimal) -> None:
        if kind == Line.Kind.NORMAL:
            self.normal += amount
        elif kind == Line.Kind.ARREARS:
            self.arrears += amount
        elif kind == Line.Kind.REISSUE:
            self.reissued += amount
        else:
            self.adjustments += amount

    def add(self, other: "Money") -> None:
        self.normal += other.normal
        self.arrears += other.arrears
        self.adjustments += other.adjustments
        self.reissued += other.reissued


@dataclass
class Disbursed:
    """应发 and 实发 of the period: due (the lines, 重发 apart), and paid as the bank's returns confirm
    (a 重发 paid counts in the month it was paid); returned (退票) and not yet confirmed."""

    due: Decimal
    reissued: Decimal
    paid: Decimal
    returned: Decimal

    @property
    def unconfirmed(self) -> Decimal:
        return self.due + self.reissued - self.paid - self.returned


def disbursed(period: Period, scope: Scope, due: Money) -> Disbursed:
    from subsidies.models import BankPayment

    payments = BankPayment.objects.filter(batch__month__gte=period.first, batch__month__lte=period.last)
    if scope.township_ids is not None:
        payments = payments.filter(township_id__in=scope.township_ids)
    if scope.village_ids is not None:
        payments = payments.filter(child__village_id__in=scope.village_ids)
    sums = payments.aggregate(
        paid=Sum("amount", filter=Q(status=BankPayment.Status.PAID), default=ZERO),
        returned=Sum("amount", filter=Q(status=BankPayment.Status.RETURNED), default=ZERO),
    )
    return Disbursed(
        due=due.total, reissued=due.reissued, paid=sums["paid"].quantize(ZERO), returned=sums["returned"].quantize(ZERO)
    )


@dataclass
class MonthMoney:
    month: datetime.date
    money: Money
    status: str  # a Batch.Status value, or "" when the month has no batch
    pending: Decimal = ZERO  # a draft batch's total (not money paid; drawn pale on the chart)

    @property
    def paid(self) -> bool:
        return self.status in PAID_BATCH


@dataclass
class MoneyTotals:
    """The money rows added up: per programme and per township (period, year to date), per month (chart)."""

    programme_period: dict[int, Money] = field(default_factory=lambda: defaultdict(Money))
    programme_year: dict[int, Money] = field(default_factory=lambda: defaultdict(Money))
    township_period: dict[int, Money] = field(default_factory=lambda: defaultdict(Money))
    township_year: dict[int, Money] = field(default_factory=lambda: defaultdict(Money))
    by_month: dict[datetime.date, Money] = field(default_factory=lambda: defaultdict(Money))
    paid_last: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # programme -> normal lines


def summarise_batches(batch_ids) -> int:
    """Sum each approved batch's lines once into BatchMoney; returns how many batches were summed now.

    Idempotent and safe to run in two processes at once: the BatchMoneyDone row is created in the
    same transaction as the sums, and whoever comes second finds it (or its unique key) and stops.
    """
    from ..models import BatchMoney, BatchMoneyDone

    missing = list(
        Batch.objects.filter(pk__in=list(batch_ids), status__in=PAID_BATCH)
        .exclude(pk__in=BatchMoneyDone.objects.values("batch_id"))
        .values_list("pk", flat=True)
    )
    summed = 0
    for batch_id in missing:
        rows = (
            Line.objects.filter(batch_id=batch_id)
            .values("programme_id", "township_id", "kind")
            .annotate(amount=Sum("amount"), lines=Count("id"))
            .order_by()
        )
        money = [
            BatchMoney(
                batch_id=batch_id,
                programme_id=r["programme_id"],
                township_id=r["township_id"],
                kind=r["kind"],
                amount=r["amount"],
                lines=r["lines"],
            )
            for r in rows
        ]
        try:
            with transaction.atomic():
                BatchMoneyDone.objects.create(
                    batch_id=batch_id, lines=sum(m.lines for m in money), amount=sum((m.amount for m in money), ZERO)
                )
                BatchMoney.objects.bulk_create(money)
        except IntegrityError:  # summed by another process meanwhile
            continue
        summed += 1
    return summed


def money_rows(period: Period, scope: Scope, chart_from: datetime.date):
    """(month, programme, township, kind, amount, lines) over the approved batches from the earliest month needed.

    Read from the batches' sums (BatchMoney) for a county or townships; a scope of villages, which the
    sums do not split, reads the lines themselves.
    """
    from ..models import BatchMoney

    start = min(period.first, period.year_start, chart_from)
    batches = Batch.objects.filter(status__in=PAID_BATCH, month__gte=start, month__lte=period.last)
    if scope.village_ids is None:
        summarise_batches(batches.values_list("pk", flat=True))
        money = BatchMoney.objects.filter(batch__in=batches)
        if scope.township_ids is not None:
            money = money.filter(township_id__in=scope.township_ids)
        rows = money.values("batch__month", "programme_id", "township_id", "kind", "amount", "lines")
    else:
        rows = (
            Line.objects.filter(scope.lines(), batch__in=batches)
            .values("batch__month", "programme_id", "township_id", "kind")
            .annotate(amount=Sum("amount"), lines=Count("id"))
            .order_by()
        )
    return [
        (r["batch__month"], r["programme_id"], r["township_id"], r["kind"], r["amount"] or ZERO, r["lines"])
        for r in rows
    ]


def add_up(period: Period, rows, chart_from: datetime.date) -> MoneyTotals:
    totals = MoneyTotals()
    for month, programme_id, township_id, kind, amount, lines in rows:
        if period.first <= month <= period.last:
            totals.programme_period[programme_id].add_amount(kind, amount)
            totals.township_period[township_id].add_amount(kind, amount)
        if period.year_start <= month <= period.last:
            totals.programme_year[programme_id].add_amount(kind, amount)
            totals.township_year[township_id].add_amount(kind, amount)
        if month >= chart_from:
            totals.by_month[month].add_amount(kind, amount)
        if month == period.last and kind == Line.Kind.NORMAL:
            totals.paid_last[programme_id] += lines
    return totals


def chart_months(period: Period, scope: Scope, chart_from: datetime.date, totals: MoneyTotals) -> list[MonthMoney]:
    """The months for the chart, with their batches' status and a draft batch's pending total."""
    months = []
    month = chart_from
    while month <= period.last:
        months.append(month)
        month = add_months(month, 1)
    batches = Batch.objects.filter(month__gte=chart_from, month__lte=period.last)
    statuses = dict(batches.values_list("month", "status"))
    if scope.village_ids is not None:
        pending = {}
    elif scope.township_ids is None:
        pending = dict(batches.exclude(status__in=PAID_BATCH).values_list("month", "total_amount"))
    else:
        pending = {
            row["batch__month"]: row["total"]
            for row in BatchTownship.objects.filter(batch__in=batches.exclude(status__in=PAID_BATCH))
            .filter(township_id__in=scope.township_ids)
            .values("batch__month")
            .annotate(total=Sum("total_amount"))
            .order_by()
        }
    return [MonthMoney(m, totals.by_month.get(m, Money()), statuses.get(m, ""), pending.get(m) or ZERO) for m in months]


def unpaid_runs(unpaid: list[MonthMoney]) -> list[str]:
    """Consecutive months of the same state as one span: 2026年1—8月（无发放批次）、2026年10月（待审批）."""
    runs: list[list[MonthMoney]] = []
    for m in unpaid:
        last = runs[-1][-1] if runs else None
        if last is not None and m.status == last.status and m.month == add_months(last.month, 1):
            runs[-1].append(m)
        else:
            runs.append([m])
    texts = []
    for run in runs:
        first, last = run[0].month, run[-1].month
        state = Batch.Status(run[0].status).label if run[0].status else _("无发放批次")
        texts.append(_("%(span)s（%(s)s）") % {"span": Period(first, last).label, "s": state})
    return texts
