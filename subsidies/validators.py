"""Sanity limits on a programme's standards, shared by the model, the form and the standards import."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .months import EARLIEST_MONTH, format_month, latest_month

DEFAULT_MONTHLY_CEILING = Decimal("10000.00")  # 元 per child per month: far above any programme's standard


def validate_standard_month(month: datetime.date, *, today: datetime.date | None = None) -> None:
    """A standard starts no earlier than EARLIEST_MONTH and no later than December of next year."""
    if month is None:
        return
    last = latest_month(today)
    if not EARLIEST_MONTH <= month <= last:
        raise ValidationError(
            _("起始月份应在 %(first)s 至 %(last)s 之间。")
            % {"first": format_month(EARLIEST_MONTH), "last": format_month(last)},
            code="month_out_of_range",
        )


def validate_standard_amount(amount: Decimal, *, ceiling: Decimal) -> None:
    """At most the programme's ceiling: a typo of a few zeros must not reach a payment roster."""
    if amount is not None and amount > ceiling:
        raise ValidationError(
            _("月标准 %(a)s 元超过本项目的上限 %(c)s 元，请核对金额。")
            % {"a": f"{amount:,.2f}", "c": f"{ceiling:,.2f}"},
            code="amount_over_ceiling",
        )
