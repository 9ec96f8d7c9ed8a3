"""A caseworker's own visit work for the home page: visits due and overdue, drafts, visits returned."""

import datetime

from dingzhou_welfare.access import area_filter, scope_related

from .drafts import drafts_of
from .models import Visit, VisitSchedule
from .schedule import DUE_SOON_DAYS

LISTED = 8  # rows listed under each count; the count links to the whole list


def caseworker_work(user, today: datetime.date) -> dict:
    schedules = VisitSchedule.objects.all()
    area = area_filter(user)
    if area is not None:
        schedules = schedules.filter(area)
    due = scope_related(schedules, user).filter(due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    due_rows = list(due.select_related("child", "village").order_by("due_on", "child_id")[:LISTED])
    for row in due_rows:
        row.days_overdue = (today - row.due_on).days
    drafts = drafts_of(user)
    returned = scope_related(Visit.objects.filter(visitor=user, status=Visit.Status.RETURNED), user)
    return {
        "due_count": due.count(),
        "overdue_count": due.filter(due_on__lt=today).count(),
        "due": due_rows,
        "soon_days": DUE_SOON_DAYS,
        "drafts_count": drafts.count(),
        "drafts": list(drafts[:LISTED]),
        "returned_count": returned.count(),
        "returned": list(returned.select_related("child").order_by("reviewed_at", "id")[:LISTED]),
    }
