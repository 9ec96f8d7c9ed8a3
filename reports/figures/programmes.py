"""Children by programme (保障项目): the flow of enrolments per programme, each child counted once, and the money.

An enrolment is covered in a month when it is confirmed (or ended later) and the month lies between its
start and end months. 期初 is the month before the first month, 期末 the last month; additions:
enrolments whose first month lies in the period; removals: enrolments whose last paid month is the
month before one of the period's months, by end reason. An enrolment ended before its first month was
never paid and counts nowhere. The classified-protection table (困境儿童分类保障) counts each child once,
under the first of its programmes in the programmes' display order.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q
from django.utils.translation import gettext as _

from subsidies.models import Enrolment, Programme
from subsidies.months import add_months

from .counting import Flow, count_once, rank_of
from .money import Money, MoneyTotals
from .period import Period, Scope

PAYING = Enrolment.PAYING_STATUSES
# The programmes of 孤儿和事实无人抚养儿童: 基本生活费（补贴）, the money the bureau's summary reports apart.
BASIC_LIVING_CODES = ("orphan_scattered", "orphan_institutional", "de_facto_scattered", "de_facto_institutional")


@dataclass
class ProgrammeRow:
    programme_id: int | None
    code: str
    label: str
    flow: Flow
    period: Money
    year: Money
    paid_last_month: int = 0  # normal payments in the last month's approved batch (children paid)


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
    ids = [p.pk for p in programmes]
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
