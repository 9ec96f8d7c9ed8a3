"""Field rules shared by the model, the forms, the roster import and (later) the API serializers.

Each is one plain function raising ValidationError with a clerk's message, so every way in refuses the
same values with the same words.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CHILD_AGE_LIMIT = 18  # the registry is of minors (未成年人)


def birth_date_range(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The earliest and the latest birth date a child entered today may have."""
    from .models import add_years

    today = today or timezone.localdate()
    return add_years(today, -CHILD_AGE_LIMIT), today


def validate_birth_date(value: datetime.date, *, today: datetime.date | None = None) -> None:
    """A child's birth date lies between 18 years before today and today (both included)."""
    if value is None:
        return
    earliest, latest = birth_date_range(today)
    if value > latest:
        raise ValidationError(_("出生日期不能晚于今天（%(d)s）。") % {"d": latest.isoformat()}, code="birth_future")
    if value < earliest:
        raise ValidationError(
            _("出生日期不能早于 %(d)s：登记的应是未满18周岁的儿童。") % {"d": earliest.isoformat()},
            code="birth_too_early",
        )
