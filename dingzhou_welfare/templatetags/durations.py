"""A length of time as a clerk says it ("15 分钟"), not as ISO 8601 ("PT15M")."""

import datetime
import math

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(value: datetime.timedelta) -> str:
    """Whole hours when the time is a whole number of hours, else minutes rounded up."""
    minutes = max(1, math.ceil(value.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)d 小时", "%(n)d 小时", hours) % {"n": hours}
    return ngettext("%(n)d 分钟", "%(n)d 分钟", minutes) % {"n": minutes}
