"""Months as first-of-month dates."""

import datetime


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


def parse_month(text: str) -> datetime.date:
    """'2026-11' -> date(2026, 11, 1); ValueError on anything else."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-":
        raise ValueError(text)
    return datetime.date(int(text[:4]), int(text[5:]), 1)


def format_month(month: datetime.date) -> str:
    return f"{month:%Y-%m}"
