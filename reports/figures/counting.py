"""What the counted sections share: a row's flow (期初, 新增, 减员, 期末, 计一次) and its grouped queries.

Every count is a set-based query grouped by the database; the Python here only adds grouped rows up,
so a total is the exact sum of the rows shown above it.
"""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _


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
class Reason:
    value: str
    label: str


def rank_of(field_name: str, values: list) -> Case:
    return Case(
        *[When(**{field_name: value}, then=Value(i)) for i, value in enumerate(values)],
        default=Value(len(values)),
        output_field=IntegerField(),
    )


def count_once(inner) -> dict[tuple[int, int], int]:
    """(township id, rank) -> children, from a `values(cid=..., tid=...).annotate(rank=Min(...))` queryset.

    The per-child minimum is grouped again by the database, so no child row comes back to Python.
    """
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tid, rank, COUNT(*) FROM ({sql}) once_per_child GROUP BY tid, rank", params)  # noqa: S608 - Django's own SQL
        return {(tid, rank): n for tid, rank, n in cursor.fetchall()}


def reasons_of(choices, used: set[str]) -> list[Reason]:
    known = [Reason(value, str(label)) for value, label in choices if value in used]
    unknown = sorted(used - {value for value, _label in choices})
    return known + [Reason(value, value or _("未注明")) for value in unknown]
