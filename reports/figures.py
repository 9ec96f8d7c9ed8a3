"""The figures of the monthly report (儿童福利工作月报), computed from the records.

Every figure is a set-based query grouped by the database (a handful of queries whatever the
number of children), added up here in Python from the grouped rows, so a total is the exact sum
of the rows shown above it.

Definitions (they are printed in the report's notes, `DEFINITIONS`):

- A period is one month or a range of whole months; its end is the last day of its last month.
- Classifications (儿童类别) are entries with start and end dates. An entry covers the days from its
  start date up to the day before its end date (`ClassificationQuerySet.current_on`). At the start
  of the period (期初): entries covering the day before the first day; at its end (期末): entries
  covering the last day; additions (新增): entries starting within the period; removals (减员):
  entries ending within the period, by their end reason. 期初 + 新增 − 减员 = 期末 for every row.
  Entries left open on a closed file (销档) count neither at the start nor at the end after the
  closing day.
- A child may hold several classifications. The column "计一次" counts each child once, under
  the first of its classifications in `KIND_PRECEDENCE` (orphans, then de facto unsupported,
  left-behind, disabled, children in hardship: the order of ClassificationKind).
- Programmes (保障项目): an enrolment is covered in a month when it is confirmed (or ended later)
  and the month lies between its start and end months. 期初 is the month before the first month,
  期末 the last month; additions: enrolments whose first month lies in the period; removals:
  enrolments whose last paid month is the month before one of the period's months, by end reason.
  An enrolment ended before its first month was never paid and counts nowhere.
- The classified-protection table (困境儿童分类保障) counts each child once, under the first of its
  programmes in the programmes' display order (basic living of orphans, of de facto unsupported
  children, 特困, 城镇低保, 农村低保, disability subsidies: the order the bureau reports them in).
- Money is the sum of the lines of approved (or exported) batches whose month (发放月) lies in the
  period, per programme and kind (正常发放, 补发, 调整扣减); the year to date runs from January of
  the last month's year to the last month. A draft batch is not money paid: the report says which
  months of the period have no approved batch. An approved batch never changes, so its lines are
  summed once per programme, township and kind (BatchMoney) the first time a report needs it.
- Counts of children follow the child's current township; money follows the township on the
  payment line (as it was when the batch was computed).
"""

import calendar
import contextlib
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.models import Child, Classification, ClassificationKind, Township
from subsidies.models import Batch, BatchTownship, Enrolment, Line, Programme
from subsidies.months import add_months, month_start

ZERO = Decimal("0.00")
PAID_BATCH = (Batch.Status.APPROVED, Batch.Status.EXPORTED)
PAYING = (Enrolment.Status.CONFIRMED, Enrolment.Status.ENDED)
KIND_PRECEDENCE = list(ClassificationKind)
# The kinds the bureau's own summary calls 孤儿和事实无人抚养儿童 (基本生活费 children).
BASIC_LIVING_KINDS = (
    ClassificationKind.ORPHAN_SCATTERED,
    ClassificationKind.ORPHAN_INSTITUTIONAL,
    ClassificationKind.DE_FACTO_SCATTERED,
    ClassificationKind.DE_FACTO_INSTITUTIONAL,
)
# Their programmes: 基本生活费（补贴）, the money the bureau's summary reports apart.
BASIC_LIVING_CODES = ("orphan_scattered", "orphan_institutional", "de_facto_scattered", "de_facto_institutional")
CHART_MONTHS = 12

DEFINITIONS = [
    gettext_lazy(
        "期初、期末人数分别为统计期第一天前一日和最后一天仍有效的类别（保障）记录数；新增为统计期内开始的记录，"
        "减员为统计期内终止的记录，按终止原因分列；期初 + 新增 − 减员 = 期末。"
    ),
    gettext_lazy(
        "一名儿童可同时属于多个类别、享受多个项目；“计一次”栏按类别顺序（孤儿、事实无人抚养、留守、残疾、困境）"
        "和保障项目顺序只计入第一个，各行之和为儿童人数。"
    ),
    gettext_lazy(
        "发放金额为统计期内已审批发放批次的明细金额之和（按发放月统计），分正常发放、补发和调整扣减；"
        "本年累计自当年1月起至统计期最后一个月。待审批的批次不计入。"
    ),
    gettext_lazy("儿童人数按儿童当前所在乡镇统计；发放金额按发放明细所记乡镇统计。"),
]


# ---------------------------------------------------------------------------------------------
# What a report covers


@dataclass(frozen=True)
class Period:
    first: datetime.date  # first month (a first-of-month date)
    last: datetime.date  # last month, not before `first`

    def __post_init__(self):
        if self.first.day != 1 or self.last.day != 1:
            raise ValueError("months are first-of-month dates")
        if self.last < self.first:
            raise ValueError("the period ends before it starts")

    @classmethod
    def of(cls, first: datetime.date, last: datetime.date | None = None) -> "Period":
        return cls(month_start(first), month_start(last or first))

    @property
    def first_day(self) -> datetime.date:
        return self.first

    @property
    def last_day(self) -> datetime.date:
        return self.last.replace(day=calendar.monthrange(self.last.year, self.last.month)[1])

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.last.year, 1, 1)

    @property
    def months(self) -> list[datetime.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def is_single_month(self) -> bool:
        return self.first == self.last

    @property
    def label(self) -> str:
        if self.is_single_month:
            return _("%(y)d年%(m)d月") % {"y": self.first.year, "m": self.first.month}
        if self.first.year == self.last.year:
            return _("%(y)d年%(m1)d—%(m2)d月") % {"y": self.first.year, "m1": self.first.month, "m2": self.last.month}
        return _("%(y1)d年%(m1)d月至%(y2)d年%(m2)d月") % {
            "y1": self.first.year,
            "m1": self.first.month,
            "y2": self.last.year,
            "m2": self.last.month,
        }

    @property
    def slug(self) -> str:
        if self.is_single_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m}_{self.last:%Y-%m}"


@dataclass(frozen=True)
class Scope:
    """Which children and which payment lines: the whole county, some townships, or some villages."""

    township_ids: tuple[int, ...] | None = None  # None: every township
    village_ids: tuple[int, ...] | None = None  # None: every village of those townships
    label: str = ""

    @property
    def is_county(self) -> bool:
        return self.township_ids is None and self.village_ids is None

    def children(self, prefix: str = "") -> Q:
        condition = Q()
        if self.township_ids is not None:
            condition &= Q(**{f"{prefix}township_id__in": self.township_ids})
        if self.village_ids is not None:
            condition &= Q(**{f"{prefix}village_id__in": self.village_ids})
        return condition

    def lines(self) -> Q:
        condition = Q()
        if self.township_ids is not None:
            condition &= Q(township_id__in=self.township_ids)
        if self.village_ids is not None:
            condition &= Q(child__village_id__in=self.village_ids)
        return condition

    def townships(self):
        townships = Township.objects.order_by("code")
        return townships if self.township_ids is None else townships.filter(pk__in=self.township_ids)


# ---------------------------------------------------------------------------------------------
# The report's rows


@dataclass
class Flow:
    """期初, 新增, 减员 (by reason), 期末 and 计一次 of one row."""

    begin: int = 0
    added: int = 0
    removed: int = 0
    end: int = 0
    once: int = 0
    removed_by: dict[str, int] = field(default_factory=dict)

    def add(self, other: "Flow") -> None:
        self.begin += other.begin
        self.added += other.added
        self.removed += other.removed
        self.end += other.end
        self.once += other.once
        for reason, n in other.removed_by.items():
            self.removed_by[reason] = self.removed_by.get(reason, 0) + n


@dataclass
class Money:
    normal: Decimal = ZERO
    arrears: Decimal = ZERO
    adjustments: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.normal + self.arrears + self.adjustments

    def add_amount(self, kind: str, amount: Decimal) -> None:
        if kind == Line.Kind.NORMAL:
            self.normal += amount
        elif kind == Line.Kind.ARREARS:
            self.arrears += amount
        else:
            self.adjustments += amount

    def add(self, other: "Money") -> None:
        self.normal += other.normal
        self.arrears += other.arrears
        self.adjustments += other.adjustments


@dataclass
class KindRow:
    kind: str
    label: str
    flow: Flow


@dataclass
class ProgrammeRow:
    programme_id: int | None
    code: str
    label: str
    flow: Flow
    period: Money
    year: Money
    paid_last_month: int = 0  # normal payments in the last month's approved batch (children paid)


@dataclass
class TownshipRow:
    township_id: int | None
    label: str
    kinds: Flow
    programmes: Flow
    period: Money
    year: Money
    extra: dict = field(default_factory=dict)  # figures other sections add per township


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
class Reason:
    value: str
    label: str


@dataclass
class Report:
    period: Period
    scope: Scope
    computed_at: datetime.datetime
    kinds: list[KindRow]
    kinds_total: Flow
    kind_reasons: list[Reason]
    programmes: list[ProgrammeRow]
    programmes_total: ProgrammeRow
    programme_reasons: list[Reason]
    townships: list[TownshipRow]
    townships_total: TownshipRow
    months: list[MonthMoney]
    sections: list = field(default_factory=list)  # visits, agreements, adoption... (reports.sections)

    @property
    def unpaid_months(self) -> list[MonthMoney]:
        """Months of the period without an approved batch: their money is not in the report."""
        return [m for m in self.months if self.period.first <= m.month <= self.period.last and not m.paid]

    @property
    def unpaid_spans(self) -> list[str]:
        return _unpaid_runs(self.unpaid_months)

    @property
    def classified_children(self) -> int:
        return self.kinds_total.once

    @property
    def protected_children(self) -> int:
        return self.programmes_total.flow.once

    @property
    def basic_living_flow(self) -> Flow:
        flow = Flow()
        for row in self.kinds:
            if row.kind in BASIC_LIVING_KINDS:
                flow.add(row.flow)
        return flow

    def summary(self) -> list[str]:
        """The report's opening paragraphs, in the words of the bureau's own summary (DOMAIN.md 0)."""
        return summary_paragraphs(self)


# ---------------------------------------------------------------------------------------------
# Queries


def _rank(field_name: str, values: list) -> Case:
    return Case(
        *[When(**{field_name: value}, then=Value(i)) for i, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def _count_once(inner) -> dict[tuple[int, int], int]:
    """(township id, rank) -> children, from a `values(cid=..., tid=...).annotate(rank=Min(...))` queryset.

    The per-child minimum is grouped again by the database, so no child row comes back to Python.
    """
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tid, rank, COUNT(*) FROM ({sql}) once_per_child GROUP BY tid, rank", params)  # noqa: S608 - Django's own SQL
        return {(tid, rank): n for tid, rank, n in cursor.fetchall()}


def _on_file(day: datetime.date) -> Q:
    """The child's file was open on `day`: a closed child's entries left open by mistake count nowhere after closing."""
    return Q(child__status=Child.Status.ACTIVE) | Q(child__closed_on__gt=day)


def _kind_flows(period: Period, scope: Scope) -> dict[tuple[str, int], Flow]:
    first, last = period.first_day, period.last_day
    entries = Classification.objects.filter(scope.children("child__"), start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    flows: dict[tuple[str, int], Flow] = defaultdict(Flow)
    rows = (
        entries.values("kind", "child__township_id", "end_reason")
        .annotate(
            begin=Count("id", filter=Q(start_date__lt=first) & _on_file(first - datetime.timedelta(days=1))),
            added=Count("id", filter=Q(start_date__gte=first)),
            removed=Count("id", filter=Q(end_date__lte=last)),
            end=Count("id", filter=(Q(end_date__isnull=True) | Q(end_date__gt=last)) & _on_file(last)),
        )
        .order_by()
    )
    for row in rows:
        flow = flows[(row["kind"], row["child__township_id"])]
        flow.add(Flow(row["begin"], row["added"], row["removed"], row["end"]))
        if row["removed"]:
            flow.removed_by[row["end_reason"]] = flow.removed_by.get(row["end_reason"], 0) + row["removed"]
    current = Classification.objects.filter(scope.children("child__"), _on_file(last)).current_on(last)
    once = _count_once(
        current.values(cid=F("child_id"), tid=F("child__township_id"))
        .annotate(rank=Min(_rank("kind", [k.value for k in KIND_PRECEDENCE])))
        .order_by()
    )
    for (township_id, rank), n in once.items():
        flows[(KIND_PRECEDENCE[rank].value, township_id)].once += n
    return flows


def _programme_flows(period: Period, scope: Scope, programmes: list[Programme]) -> dict[tuple[int, int], Flow]:
    before, last = add_months(period.first, -1), period.last
    enrolments = (
        Enrolment.objects.filter(scope.children("child__"), status__in=PAYING, start_month__lte=last)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=before))
        .exclude(end_month__lt=F("start_month"))
    )
    flows: dict[tuple[int, int], Flow] = defaultdict(Flow)
    rows = (
        enrolments.values("programme_id", "child__township_id", "end_reason")
        .annotate(
            begin=Count("id", filter=Q(start_month__lte=before)),
            added=Count("id", filter=Q(start_month__gte=period.first)),
            removed=Count("id", filter=Q(end_month__lt=last)),
            end=Count("id", filter=Q(end_month__isnull=True) | Q(end_month__gte=last)),
        )
        .order_by()
    )
    for row in rows:
        flow = flows[(row["programme_id"], row["child__township_id"])]
        flow.add(Flow(row["begin"], row["added"], row["removed"], row["end"]))
        if row["removed"]:
            flow.removed_by[row["end_reason"]] = flow.removed_by.get(row["end_reason"], 0) + row["removed"]
    covered = (
        Enrolment.objects.filter(scope.children("child__")).paying_in(last).exclude(end_month__lt=F("start_month"))
    )
    ids = [p.pk for p in programmes]
    once = _count_once(
        covered.values(cid=F("child_id"), tid=F("child__township_id"))
        .annotate(rank=Min(_rank("programme_id", ids)))
        .order_by()
    )
    for (township_id, rank), n in once.items():
        if rank < len(ids):
            flows[(ids[rank], township_id)].once += n
    return flows


def summarise_batches(batch_ids) -> int:
    """Sum each approved batch's lines once into BatchMoney; returns how many batches were summed now.

    Idempotent and safe to run in two processes at once: the BatchMoneyDone row is created in the
    same transaction as the sums, and whoever comes second finds it (or its unique key) and stops.
    """
    from .models import BatchMoney, BatchMoneyDone

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


def _money(period: Period, scope: Scope, chart_from: datetime.date):
    """(month, programme, township, kind, amount, lines) over the approved batches from the earliest month needed.

    Read from the batches' sums (BatchMoney) for a county or townships; a scope of villages, which the
    sums do not split, reads the lines themselves.
    """
    from .models import BatchMoney

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


def _reasons(choices, used: set[str]) -> list[Reason]:
    known = [Reason(value, str(label)) for value, label in choices if value in used]
    unknown = sorted(used - {value for value, _label in choices})
    return known + [Reason(value, value or _("未注明")) for value in unknown]


@contextlib.contextmanager
def _one_read():
    """The report's queries in one transaction; on PostgreSQL without JIT compilation.

    The grouped counts are estimated as costly enough for PostgreSQL's JIT, whose compiling then takes
    several times longer than the query itself (5 s of 6 at a million children); the queries are
    short, so they run interpreted. The per-child groupings sort a few hundred thousand rows: in memory.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")  # group a province's children in memory, not on disk
        yield


def compute_report(period: Period, scope: Scope | None = None, *, sections=None) -> Report:
    """Every figure of the report for a period and a scope. `sections`: extra section builders (reports.sections)."""
    with _one_read():
        return _compute_report(period, scope, sections=sections)


def _compute_report(period: Period, scope: Scope | None, *, sections) -> Report:
    scope = scope or Scope(label=_("全市"))
    programmes = list(Programme.objects.order_by("display_order", "id"))
    townships = list(scope.townships())
    chart_from = add_months(period.last, -(CHART_MONTHS - 1)) if len(period.months) <= CHART_MONTHS else period.first

    kind_flows = _kind_flows(period, scope)
    programme_flows = _programme_flows(period, scope, programmes)
    money_rows = _money(period, scope, chart_from)

    # Classifications, per kind.
    kinds = []
    kinds_total = Flow()
    for kind in KIND_PRECEDENCE:
        flow = Flow()
        for (k, _township), f in kind_flows.items():
            if k == kind.value:
                flow.add(f)
        kinds.append(KindRow(kind.value, str(kind.label), flow))
        kinds_total.add(flow)

    # Money, per programme, per township and per month.
    period_money: dict[int, Money] = defaultdict(Money)
    year_money: dict[int, Money] = defaultdict(Money)
    township_period: dict[int, Money] = defaultdict(Money)
    township_year: dict[int, Money] = defaultdict(Money)
    by_month: dict[datetime.date, Money] = defaultdict(Money)
    paid_last: dict[int, int] = defaultdict(int)
    for month, programme_id, township_id, kind, amount, lines in money_rows:
        if period.first <= month <= period.last:
            period_money[programme_id].add_amount(kind, amount)
            township_period[township_id].add_amount(kind, amount)
        if period.year_start <= month <= period.last:
            year_money[programme_id].add_amount(kind, amount)
            township_year[township_id].add_amount(kind, amount)
        if month >= chart_from:
            by_month[month].add_amount(kind, amount)
        if month == period.last and kind == Line.Kind.NORMAL:
            paid_last[programme_id] += lines

    rows = []
    total = ProgrammeRow(None, "", _("合计"), Flow(), Money(), Money())
    for programme in programmes:
        flow = Flow()
        for (p, _township), f in programme_flows.items():
            if p == programme.pk:
                flow.add(f)
        row = ProgrammeRow(
            programme.pk,
            programme.code,
            programme.name,
            flow,
            period_money.get(programme.pk, Money()),
            year_money.get(programme.pk, Money()),
            paid_last.get(programme.pk, 0),
        )
        if not programme.active and not (flow.begin or flow.end or flow.added or row.period.total or row.year.total):
            continue  # a retired programme with nothing in the period
        rows.append(row)
        total.flow.add(row.flow)
        total.period.add(row.period)
        total.year.add(row.year)
        total.paid_last_month += row.paid_last_month

    # Per township.
    township_rows = []
    township_total = TownshipRow(None, _("合计"), Flow(), Flow(), Money(), Money())
    kinds_by_township: dict[int, Flow] = defaultdict(Flow)
    for (_kind, township_id), f in kind_flows.items():
        kinds_by_township[township_id].add(f)
    programmes_by_township: dict[int, Flow] = defaultdict(Flow)
    for (_programme, township_id), f in programme_flows.items():
        programmes_by_township[township_id].add(f)
    for township in townships:
        row = TownshipRow(
            township.pk,
            township.name,
            kinds_by_township.get(township.pk, Flow()),
            programmes_by_township.get(township.pk, Flow()),
            township_period.get(township.pk, Money()),
            township_year.get(township.pk, Money()),
        )
        township_rows.append(row)
        township_total.kinds.add(row.kinds)
        township_total.programmes.add(row.programmes)
        township_total.period.add(row.period)
        township_total.year.add(row.year)

    # Months for the chart, with their batches' status.
    chart_months = []
    month = chart_from
    while month <= period.last:
        chart_months.append(month)
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
    months = [
        MonthMoney(m, by_month.get(m, Money()), statuses.get(m, ""), pending.get(m) or ZERO) for m in chart_months
    ]

    report = Report(
        period=period,
        scope=scope,
        computed_at=timezone.now(),
        kinds=kinds,
        kinds_total=kinds_total,
        kind_reasons=_reasons(Classification.EndReason.choices, set(kinds_total.removed_by)),
        programmes=rows,
        programmes_total=total,
        programme_reasons=_reasons(Enrolment.EndReason.choices, set(total.flow.removed_by)),
        townships=township_rows,
        townships_total=township_total,
        months=months,
    )
    for build in sections or ():
        section = build(report)
        if section is not None:
            report.sections.append(section)
    return report


# ---------------------------------------------------------------------------------------------
# Words


def wan(amount: Decimal) -> str:
    """Yuan as 万元 with two places, as the bureau's summaries write it (202.79 万元)."""
    return f"{(amount / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def _listing(pairs) -> str:
    return _("、").join(_("%(label)s%(n)s人") % {"label": label, "n": f"{n:,}"} for label, n in pairs if n)


def summary_paragraphs(report: Report) -> list[str]:
    period, scope = report.period, report.scope
    day = _("%(y)d年%(m)d月%(d)d日") % {"y": period.last_day.year, "m": period.last_day.month, "d": period.last_day.day}
    paragraphs = []
    protected = [(r.label, r.flow.once) for r in report.programmes]
    text = _("截至%(day)s，%(scope)s纳入困境儿童分类保障的儿童共%(n)s人（每名儿童只计一次）") % {
        "day": day,
        "scope": scope.label,
        "n": f"{report.protected_children:,}",
    }
    listing = _listing(protected)
    paragraphs.append(text + (_("，其中：%(l)s。") % {"l": listing} if listing else _("。")))

    kinds = [(r.label, r.flow.end) for r in report.kinds]
    listing = _listing(kinds)
    if listing:
        paragraphs.append(
            _("按儿童类别（一名儿童可属多个类别）：%(l)s；合计%(n)s名儿童。")
            % {"l": listing, "n": f"{report.classified_children:,}"}
        )

    basic = report.basic_living_flow
    reasons = {r.value: r.label for r in report.kind_reasons}
    why = _("、").join(
        _("%(r)s%(n)s人") % {"r": reasons.get(value, value), "n": n} for value, n in sorted(basic.removed_by.items())
    )
    paragraphs.append(
        _(
            "%(period)s孤儿和事实无人抚养儿童动态新增%(a)s人，动态减员%(r)s人%(why)s；保障项目新增%(pa)s人次，减员%(pr)s人次。"
        )
        % {
            "period": period.label,
            "a": f"{basic.added:,}",
            "r": f"{basic.removed:,}",
            "why": _("（%(w)s）") % {"w": why} if why else "",
            "pa": f"{report.programmes_total.flow.added:,}",
            "pr": f"{report.programmes_total.flow.removed:,}",
        }
    )
    money = report.programmes_total.period
    year = report.programmes_total.year
    text = _("%(period)s已发放各类保障资金%(total)s元（%(wan)s万元），其中正常发放%(normal)s元、补发%(arrears)s元") % {
        "period": period.label,
        "total": yuan(money.total),
        "wan": wan(money.total),
        "normal": yuan(money.normal),
        "arrears": yuan(money.arrears),
    }
    if money.adjustments:
        text += _("、调整扣减%(a)s元") % {"a": yuan(-money.adjustments)}
    basic_money = sum((r.period.total for r in report.programmes if r.code in BASIC_LIVING_CODES), ZERO)
    text += _("；其中孤儿和事实无人抚养儿童基本生活费（补贴）%(b)s万元") % {"b": wan(basic_money)}
    text += _("。%(y)d年累计发放%(ytd)s元（%(wan)s万元）。") % {
        "y": period.last.year,
        "ytd": yuan(year.total),
        "wan": wan(year.total),
    }
    paragraphs.append(text)
    unpaid = report.unpaid_months
    if unpaid:
        paragraphs.append(
            _("注：%(months)s尚无已审批的发放批次，相应金额未计入。") % {"months": _("、").join(_unpaid_runs(unpaid))}
        )
    return paragraphs


def _unpaid_runs(unpaid: list[MonthMoney]) -> list[str]:
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
