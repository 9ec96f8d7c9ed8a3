"""Children by programme (保障项目): the flow of enrolments per programme, each child counted once, and the money.

An enrolment is covered in a month when it is confirmed (or ended later) and the month lies between its
start and end months. 期初 is the month before the first month, 期末 the last month; additions:
enrolments whose first month lies in the period; removals: enrolments whose last paid month is the
month before one of the period's months, by end reason. An enrolment ended before its first month was
never paid and counts nowhere. "计一次" counts each child once, under the first of its programmes: the
seven of 困境儿童分类保障 first (reports.glossary), then the others, each group in display order, so the
seven lines' 计一次 add up to the distinct children of 困境儿童分类保障.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q
from django.utils.translation import gettext as _

from subsidies.models import Enrolment, Programme
from subsidies.months import add_months

from ..glossary import (
    BASIC_LIVING_CODES,
    CLASSIFIED_PROTECTION,
    CLASSIFIED_PROTECTION_CODES,
    INSTITUTIONAL,
    INSTITUTIONAL_CODES,
    Term,
)
from .counting import Flow, count_once, rank_of
from .money import Money, MoneyTotals
from .period import Period, Scope

PAYING = Enrolment.PAYING_STATUSES
__all__ = [
    "BASIC_LIVING_CODES",
    "ProgrammeGroup",
    "ProgrammeRow",
    "once_order",
    "programme_flows",
    "programme_groups",
    "programme_rows",
]


def once_order(programmes: list[Programme]) -> list[Programme]:
    """The order "计一次" ranks programmes in: 困境儿童分类保障's seven, then the others, each in display order."""
    return sorted(programmes, key=lambda p: p.code not in CLASSIFIED_PROTECTION_CODES)


@dataclass
class ProgrammeRow:
    programme_id: int | None
    code: str
    label: str
    flow: Flow
    period: Money
    year: Money
    paid_last_month: int = 0  # normal payments in the last month's approved batch (children paid)

    @property
    def classified_protection(self) -> bool:
        return self.code in CLASSIFIED_PROTECTION_CODES

    @property
    def institutional(self) -> bool:
        return self.code in INSTITUTIONAL_CODES


def programme_flows(period: Period, scope: Scope, programmes: list[Programme]) -> dict[tuple[int, int], Flow]:
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
    ids = [p.pk for p in once_order(programmes)]
    once = count_once(
        covered.values(cid=F("child_id"), tid=F("child__township_id"))
        .annotate(rank=Min(rank_of("programme_id", ids)))
        .order_by()
    )
    for (township_id, rank), n in once.items():
        if rank < len(ids):
            flows[(ids[rank], township_id)].once += n
    return flows


def programme_rows(
    programmes: list[Programme], flows: dict[tuple[int, int], Flow], money: MoneyTotals
) -> tuple[list[ProgrammeRow], ProgrammeRow]:
    """One row per programme (a retired one only when it has something in the period), and their total."""
    rows = []
    total = ProgrammeRow(None, "", _("合计"), Flow(), Money(), Money())
    for programme in programmes:
        flow = Flow()
        for (p, _township), f in flows.items():
            if p == programme.pk:
                flow.add(f)
        row = ProgrammeRow(
            programme.pk,
            programme.code,
            programme.name,
            flow,
            money.programme_period.get(programme.pk, Money()),
            money.programme_year.get(programme.pk, Money()),
            money.paid_last.get(programme.pk, 0),
        )
        if not programme.active and not (flow.begin or flow.end or flow.added or row.period.total or row.year.total):
            continue  # a retired programme with nothing in the period
        rows.append(row)
        total.flow.add(row.flow)
        total.period.add(row.period)
        total.year.add(row.year)
        total.paid_last_month += row.paid_last_month
    return rows, total


@dataclass
class ProgrammeGroup:
    """Programme lines under one term of the glossary, and their subtotal (labelled with the term)."""

    term: Term | None
    rows: list[ProgrammeRow]
    total: ProgrammeRow


def programme_groups(rows: list[ProgrammeRow]) -> tuple[ProgrammeGroup, ProgrammeGroup, ProgrammeGroup]:
    """困境儿童分类保障 (the seven programmes), 机构集中供养儿童, and any other programme the county keeps."""
    groups = (
        ProgrammeGroup(CLASSIFIED_PROTECTION, [r for r in rows if r.classified_protection], None),
        ProgrammeGroup(INSTITUTIONAL, [r for r in rows if r.institutional], None),
        ProgrammeGroup(None, [r for r in rows if not (r.classified_protection or r.institutional)], None),
    )
    for group in groups:
        label = str(group.term.name) if group.term else _("其他保障项目")
        group.total = ProgrammeRow(None, "", label, Flow(), Money(), Money())
        for row in group.rows:
            group.total.flow.add(row.flow)
            group.total.period.add(row.period)
            group.total.year.add(row.year)
            group.total.paid_last_month += row.paid_last_month
    return groups
