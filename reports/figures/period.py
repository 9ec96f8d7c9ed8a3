"""What a report covers: a period of whole months, and a scope of places (county, townships or villages)."""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from children.models import Township
from subsidies.months import add_months, month_start


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
