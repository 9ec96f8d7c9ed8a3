"""Thin periodic tasks of the installation itself: beat's watch over work whose worker is gone
(killed, out of memory, its host restarted), the nightly backup and the worker heartbeat.

The ground floor knows no app: each app hands in, from its AppConfig.ready(), a function that
queues its own stalled work again and returns how many it queued (`watch_stalled`). Job kinds
built on dingzhou_welfare.jobs use `requeue_stalled_jobs` with their restart function.
"""

import logging
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from .backups import create_backup
from .databases import is_postgresql
from .health import stamp_heartbeat
from .jobs.models import Job

logger = logging.getLogger(__name__)

_WATCHES: dict[str, Callable[[], int]] = {}


def watch_stalled(name: str, requeue: Callable[[], int]) -> None:
    """Register `requeue` (no arguments, returns how many pieces of work it queued again)."""
    _WATCHES[name] = requeue


def requeue_stalled_jobs(model: type[Job], *, restart: Callable[..., bool]) -> int:
    """Jobs of `model` queued or running with no progress for the kind's STALE_AFTER: queued again through the
    kind's `restart(job=...)`, each at most once per STALE_AFTER. The restart and its task's claim
    keep a rerun harmless (a job still running elsewhere is not claimed twice)."""
    requeued = 0
    for job in model.objects.filter(status__in=model.WORKING):
        key = f"requeued-job:{model._meta.label_lower}:{job.pk}"
        if job.is_stale() and cache.add(key, 1, int(model.STALE_AFTER.total_seconds())) and restart(job=job):
            logger.warning("%s %s made no progress: queued again", model.__name__, job.pk)
            requeued += 1
    return requeued


@shared_task
def requeue_stalled_work_task() -> int:
    return sum(requeue() for requeue in _WATCHES.values())


@shared_task(time_limit=settings.LONGEST_TASK_SECONDS)
def backup_task() -> str | None:
    """Beat, nightly: one archive into BACKUP_DIR, keeping BACKUP_KEEP. A rerun only adds an archive."""
    if not is_postgresql(connection.settings_dict):
        logger.warning("backup skipped: backups need PostgreSQL")
        return None
    return str(create_backup(directory=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP))


@shared_task(ignore_result=True, expires=60)
def heartbeat_task() -> None:
    """Beat, every minute: a worker ran it, so /readyz/ knows a worker and beat are alive."""
    stamp_heartbeat()
