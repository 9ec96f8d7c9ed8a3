"""The batch page's summary tables, before and after they were kept with the batch (issue 14).

Before: `subsidies/summaries.py` added up the batch's lines on every view, per programme and per
township, with a distinct-child count (the queries are kept here as `from_the_lines`). After: the
engine writes `BatchTotal` rows with each township's lines and the page reads those. Timed in the
same run on the same batch: the old aggregate, the whole batch's `store_totals` (what keeping the
totals costs the computation, summed over its townships; rolled back), and the page. The stored
totals are checked against the old aggregate, to the fen.
"""

import time
from decimal import Decimal

ZERO = Decimal("0.00")
FIGURES = ("children", "lines", "normal", "arrears", "adjustments", "reissued", "total")


def from_the_lines(batch, key: str) -> dict:
    """The old `totals_by` queries: {pk: figures} and the batch's distinct children."""
    from django.db.models import Count, Q, Sum

    from subsidies.models import Line

    def money(kind):
        return Sum("amount", filter=Q(kind=kind), default=ZERO)

    grouped = {
        row[f"{key}_id"]: tuple(row[name] for name in FIGURES)
        for row in Line.objects.filter(batch=batch)
        .values(f"{key}_id")
        .annotate(
            children=Count("child", distinct=True),
            lines=Count("id"),
            normal=money(Line.Kind.NORMAL),
            arrears=money(Line.Kind.ARREARS),
            adjustments=money(Line.Kind.ADJUSTMENT),
            reissued=money(Line.Kind.REISSUE),
            total=Sum("amount", default=ZERO),
        )
        .order_by()
    }
    children = Line.objects.filter(batch=batch).values("child").distinct().count()
    return {"rows": grouped, "children": children}


def stored(batch, key: str) -> dict:
    from subsidies.models import BatchTotal

    rows: dict = {}
    children = 0
    for t in BatchTotal.objects.filter(batch=batch):
        if t.programme_id is None:
            children += t.children
        if (key == "township") == (t.programme_id is None):
            pk = t.township_id if key == "township" else t.programme_id
            old = rows.get(pk, (0, 0, ZERO, ZERO, ZERO, ZERO, ZERO))
            rows[pk] = tuple(a + getattr(t, name) for a, name in zip(old, FIGURES, strict=True))
    return {"rows": rows, "children": children}


def measure(batch) -> dict:
    """Seconds for the old aggregate per key, and for store_totals over the whole batch; raises if they differ."""
    from django.db import transaction

    from subsidies.totals import store_totals

    seconds = {}
    for key in ("programme", "township"):
        began = time.perf_counter()
        old = from_the_lines(batch, key)
        seconds[key] = time.perf_counter() - began
        kept = stored(batch, key)
        if old != kept:
            raise SystemExit(f"the kept totals by {key} differ from the lines: {old} != {kept}")
    with transaction.atomic():
        began = time.perf_counter()
        rows = store_totals(batch.pk)
        seconds["store"] = time.perf_counter() - began
        transaction.set_rollback(True)
    seconds["rows"] = rows
    return seconds


def report(seconds: dict, pages: list[float]) -> None:
    old = seconds["programme"] + seconds["township"]
    best = min(pages)
    print(f"summary tables from the lines (the page before): by programme {seconds['programme']:.2f} s, "
          f"by township {seconds['township']:.2f} s, together {old:.2f} s")  # fmt: skip
    print(f"kept totals equal the lines to the fen; {seconds['rows']} BatchTotal rows; store_totals over "
          f"the whole batch {seconds['store']:.2f} s (what the engine pays, over its townships)")  # fmt: skip
    print(f"batch page now (best of {len(pages)}): {best:.2f} s; the old summary tables alone took "
          f"{old / best:.1f}x the whole page")  # fmt: skip
