"""Months as first-of-month dates."""

import datetime

from django.utils import timezone

# No month of this bureau's work lies before this one (the county's registry and subsidies start later).
EARLIEST_MONTH = datetime.date(2000, 1, 1)


class MonthOutOfRange(ValueError):
    """A well-formed month outside the range any page or job of this system has to do with."""

    def __init__(self, text: str, first: datetime.date, last: datetime.date):
        super().__init__(text)
        self.first, self.last = first, last


def latest_month(today: datetime.date | None = None) -> datetime.date:
    """December of next year: the latest month anyone may plan, print or look at."""
    today = today or timezone.localdate()
    return datetime.date(today.year + 1, 12, 1)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date):
    """Every month from `first` to `last`, both included."""
    month = month_start(first)
    while month <= last:
        yield month
        month = add_months(month, 1)


def parse_month(text: str, *, today: datetime.date | None = None) -> datetime.date:
    """'2026-11' -> date(2026, 11, 1); ValueError on anything else, MonthOutOfRange (a ValueError) for a
    month before EARLIEST_MONTH or after December of next year. Every month read from a query string,
    a form, a URL or a command goes through here, so the months next to it (add_months) always exist."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4].isascii() and text[5:].isascii()):
        raise ValueError(text)
    month = datetime.date(int(text[:4]), int(text[5:]), 1)
    last = latest_month(today)
    if not EARLIEST_MONTH <= month <= last:
        raise MonthOutOfRange(text, EARLIEST_MONTH, last)
    return month


def format_month(month: datetime.date) -> str:
    return f"{month:%Y-%m}"
