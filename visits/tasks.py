"""Thin Celery tasks for visits."""

from celery import shared_task
from django.db import OperationalError

from .schedule import run_nightly
from .services import notify_report


@shared_task(acks_late=True, time_limit=1800, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def nightly_schedule_task() -> dict:
    """Beat, every night: schedules and the due/overdue figures per township and caseworker."""
    result = run_nightly()
    return {"removed": result.removed, "added": result.added, "redated": result.redated, "rows": result.workload_rows}


@shared_task(acks_late=True, time_limit=120)
def notify_report_task(report_id: int) -> int:
    """The e-mail to the bureau; a failed send is logged and the in-app alert stands."""
    return notify_report(report_id=report_id)
