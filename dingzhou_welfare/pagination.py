"""Pagination that stays fast on a million rows: the count stops at a cap."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (an exact COUNT(*) over 1M rows costs about a second)."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # Order does not change how many rows there are; without it PostgreSQL stops after
            # cap + 1 entries of any index instead of sorting every match (a name or ID prefix).
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
