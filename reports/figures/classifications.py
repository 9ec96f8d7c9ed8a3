"""Children by classification (儿童类别): the flow of entries per kind, and each child counted once.

An entry covers the days from its start date up to the day before its end date. 期初: entries covering
the day before the first day; 期末: entries covering the last day; 新增: entries starting within the
period; 减员: entries ending within it, by end reason. Entries left open on a closed file (销档) count
neither at the start nor at the end after the closing day. "计一次" counts each child once, under the
first of its classifications in `KIND_PRECEDENCE`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q

from children.models import Child, Classification, ClassificationKind

from .counting import Flow, count_once, rank_of
from .period import Period, Scope

KIND_PRECEDENCE = list(ClassificationKind)
# The kinds the bureau's own summary calls 孤儿和事实无人抚养儿童 (基本生活费 children).
BASIC_LIVING_KINDS = (
    ClassificationKind.ORPHAN_SCATTERED,
    ClassificationKind.ORPHAN_INSTITUTIONAL,
    ClassificationKind.DE_FACTO_SCATTERED,
    ClassificationKind.DE_FACTO_INSTITUTIONAL,
)


@dataclass
class KindRow:
    kind: str
    label: str
    flow: Flow


def _on_file(day: datetime.date) -> Q:
    """The child's file was open on `day`: a closed child's entries left open by mistake count nowhere after closing."""
    return Q(child__status=Child.Status.ACTIVE) | Q(child__closed_on__gt=day)


def kind_flows(period: Period, scope: Scope, as_of: datetime.date | None = None) -> dict[tuple[str, int], Flow]:
    """期初 the day before the first day; 新增, 减员 and 期末 up to `as_of` (the last day, or today if earlier)."""
    first, last = period.first_day, min(period.last_day, as_of or period.last_day)
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
    once = count_once(
        current.values(cid=F("child_id"), tid=F("child__township_id"))
        .annotate(rank=Min(rank_of("kind", [k.value for k in KIND_PRECEDENCE])))
        .order_by()
    )
    for (township_id, rank), n in once.items():
        flows[(KIND_PRECEDENCE[rank].value, township_id)].once += n
    return flows


def kind_rows(flows: dict[tuple[str, int], Flow]) -> tuple[list[KindRow], Flow]:
    """One row per kind in `KIND_PRECEDENCE` order, and their total."""
    rows, total = [], Flow()
    for kind in KIND_PRECEDENCE:
        flow = Flow()
        for (k, _township), f in flows.items():
            if k == kind.value:
                flow.add(f)
        rows.append(KindRow(kind.value, str(kind.label), flow))
        total.add(flow)
    return rows, total
