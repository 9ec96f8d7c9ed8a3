"""Nightly: classifications end when the child passes the category's age limit."""

import datetime

from celery import shared_task
from django.utils import timezone

from .models import Classification, add_years
from .rules import AGE_LIMITS, DEFAULT_AGE_LIMIT
from .services import end_classification

REASONS = {16: Classification.EndReason.TURNED_16, 18: Classification.EndReason.TURNED_18}


def end_classifications_past_age_limit(*, today: datetime.date | None = None) -> int:
    """End every open classification of a child who has reached its age limit; returns how many.

    Idempotent and cheap: only rows past the limit are touched, through the indexed birth date.
    The end date is the birthday itself, so the record reads "ended on the 18th birthday".
    """
    today = today or timezone.localdate()
    ended = 0
    limits = {
        kind: AGE_LIMITS.get(kind, DEFAULT_AGE_LIMIT) for kind, _label in Classification._meta.get_field("kind").choices
    }
    for limit in sorted(set(limits.values())):
        kinds = [kind for kind, value in limits.items() if value == limit]
        due = Classification.objects.open().filter(
            kind__in=kinds, child__birth_date__lte=add_years(today, -limit), start_date__lte=today
        )
        for entry in due.select_related("child").iterator(chunk_size=500):
            end_day = max(entry.child.birthday(limit), entry.start_date)
            end_classification(actor=None, classification=entry, end_date=end_day, reason=REASONS[limit])
            ended += 1
    return ended


@shared_task(acks_late=True, time_limit=3600)
def end_classifications_past_age_limit_task() -> int:
    return end_classifications_past_age_limit()


# The list's export tasks live beside the export; imported here so the worker's autodiscovery registers them.
from .exports import export_children_task, purge_old_children_exports_task  # noqa: E402, F401
