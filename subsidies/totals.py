"""Writing a batch's summary totals (`BatchTotal`) from its lines, and reading them back summed.

`store_totals` runs in the transaction that changes the lines: `disbursement.compute_township`
calls it for the township it computed (its own lines and its 重发 lines) and for any township a
moved child's lines were taken from. Lines change nowhere else (approval, waivers and bank returns
leave them as they are; an approved batch is never recomputed), so the rows stay true.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import Line
from .total_models import BatchTotal

ZERO = Decimal("0.00")
FIGURES = ("children", "lines", "normal", "arrears", "adjustments", "reissued", "total")
MONEY = ("normal", "arrears", "adjustments", "reissued", "total")


def _kind(kind):
    return Sum("amount", filter=Q(kind=kind), default=ZERO)


def aggregates() -> dict:
    return {
        "children": Count("child_id", distinct=True),
        "lines": Count("id"),
        "normal": _kind(Line.Kind.NORMAL),
        "arrears": _kind(Line.Kind.ARREARS),
        "adjustments": _kind(Line.Kind.ADJUSTMENT),
        "reissued": _kind(Line.Kind.REISSUE),
        "total": Sum("amount", default=ZERO),
    }


def store_totals(batch_id: int, township_ids: Iterable[int] | None = None) -> int:
    """(Re)write the batch's totals for these townships (all when None) from their lines; returns the rows.

    Two grouped queries over the townships' lines (index line_batch_township). Call it inside the
    transaction that wrote the lines, so the totals and the lines are never seen apart.
    """
    totals = BatchTotal.objects.filter(batch_id=batch_id)
    lines = Line.objects.filter(batch_id=batch_id)
    if township_ids is not None:
        township_ids = list(township_ids)
        totals = totals.filter(township_id__in=township_ids)
        lines = lines.filter(township_id__in=township_ids)
    totals.delete()
    rows = [
        *lines.values("township_id", "programme_id").annotate(**aggregates()).order_by(),
        *lines.values("township_id").annotate(**aggregates()).order_by(),
    ]
    made = [
        BatchTotal(
            batch_id=batch_id,
            township_id=r["township_id"],
            programme_id=r.get("programme_id"),
            children=r["children"],
            lines=r["lines"],
            # Two places whatever the database hands back (SQLite sums to Decimal("1000")).
            **{name: (r[name] or ZERO).quantize(ZERO) for name in MONEY},
        )
        for r in rows
    ]
    BatchTotal.objects.bulk_create(made, batch_size=1000)
    return len(made)


def add_into(target, source) -> None:
    """Add `source`'s figures to `target` (anything with the FIGURES attributes)."""
    for name in FIGURES:
        setattr(target, name, getattr(target, name) + getattr(source, name))
