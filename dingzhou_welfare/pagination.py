"""Pagination that stays fast on a million rows: the count stops at a cap, and may be kept a while."""

import time

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
COUNT_SECONDS = 30  # the longest a kept count is used, should a write not have said it changed the data
KEPT_COUNTS = 10_000  # beyond this many searches kept in one process, start again
_counts: dict = {}  # (topic, key, cap) -> (version, count, monotonic time it may be used until)


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (an exact COUNT(*) over 1M rows costs about a second)."""

    cap = COUNT_CAP

    @cached_property
    def count(self):
        return self.count_rows()

    def count_rows(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            # Order does not change how many rows there are; without it PostgreSQL stops after
            # cap + 1 entries of any index instead of sorting every match (a name or ID prefix).
            rows = rows.order_by()
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class KeptCountPaginator(CappedPaginator):
    """A CappedPaginator whose count this process keeps for COUNT_SECONDS under a key and a version.

    A busy list (the children registry: 1.7 ms of PostgreSQL CPU for a capped count of the
    first page, 8 ms for a common surname) counts the same search again on every page turn and
    every reload. The count is kept with the version token of its data that the request read
    (dingzhou_welfare.versions, read with the session); any write that says the data changed
    gives a new token, so the next page counts again, in every process.
    """

    def __init__(self, object_list, per_page, *, topic: str, key, version: str | None, **kwargs):
        """`key`: what decides which rows object_list holds (equal keys, equal rows): for the
        children list, the user's scope and the search. Said by the view, it costs a tenth of
        compiling the query's SQL. `version`: the data's token as the request read it (None:
        count every time)."""
        super().__init__(object_list, per_page, **kwargs)
        self.topic = topic
        self.key = key
        self.version = version

    @cached_property
    def count(self):
        if self.version is None:
            return self.count_rows()
        key = (self.topic, self.key, self.cap)
        kept = _counts.get(key)
        now = time.monotonic()
        if kept is not None and kept[0] == self.version and now < kept[2]:
            return kept[1]
        count = self.count_rows()
        if len(_counts) >= KEPT_COUNTS:
            _counts.clear()
        _counts[key] = (self.version, count, now + COUNT_SECONDS)
        return count


def forget_counts() -> None:
    """This process keeps no count (tests: a rolled-back test's rows come back in the next one)."""
    _counts.clear()
