"""Thin Celery tasks: ids in, a service call, a small result out.

compute_month_task fans out one compute_township_task per township; each one, when done,
tries to finish the batch (only the last one succeeds). Every step is idempotent, so a rerun
of compute_month_task after a killed worker finishes exactly what was left.
"""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone

from .disbursement import (
    STALE_AFTER,
    compute_township,
    finish_batch,
    pending_townships,
    record_township_failure,
    stalled_batches,
    start_batch,
)
from .months import add_months, month_start, parse_month

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=3600)
def compute_month_task(month: str, user_id: int | None = None, requested_at: str | None = None) -> int:
    """`requested_at` (ISO 8601): when the run was asked for; a draft finished since is left alone."""
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    asked = datetime.datetime.fromisoformat(requested_at) if requested_at else None
    batch = start_batch(month=parse_month(month), actor=actor, requested_at=asked)
    townships = pending_townships(batch)
    for township_id in townships:
        transaction.on_commit(lambda t=township_id: compute_township_task.delay(batch.pk, t))
    if not townships:
        finish_batch(batch_id=batch.pk)
    return batch.pk


# A deadlock or a dropped database connection arrives as django.db.OperationalError (the builtin
# ConnectionError alone never matched one); the township's transaction rolled back, so a retry is safe.
RETRYABLE = (OperationalError, ConnectionError)


@shared_task(
    bind=True,
    acks_late=True,
    time_limit=1800,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    max_retries=5,
)
def compute_township_task(self, batch_id: int, township_id: int) -> int:
    try:
        lines = compute_township(batch_id=batch_id, township_id=township_id)
    except Exception as error:
        # Retries left for a deadlock or a lost connection: autoretry takes it. Otherwise the failure is
        # final, and the batch says so, so its page stops waiting and staff can start it again.
        if not (isinstance(error, RETRYABLE) and self.request.retries < self.max_retries):
            logger.error("township %s of batch %s failed: %r", township_id, batch_id, error)
            try:
                record_township_failure(batch_id=batch_id, township_id=township_id, error=error)
            except Exception:  # the database may be what failed; the worker log keeps the first error
                logger.exception("could not record the failure on batch %s", batch_id)
        raise
    finish_batch(batch_id=batch_id)
    return lines


def queue_month(month: str, user_id: int | None = None, *, on_commit: bool = True):
    """Queue the month's job, stamped with this moment (see start_batch's requested_at)."""
    args = (month, user_id, timezone.now().isoformat())
    return compute_month_task.delay_on_commit(*args) if on_commit else compute_month_task.delay(*args)


def requeue_stalled_batches(*, now: datetime.datetime | None = None) -> int:
    """Queue again the pending townships (or the totals) of batches whose worker is gone.

    A worker killed mid-job leaves its message unacknowledged in Redis until the broker's visibility
    timeout (longer than the longest task) hands it back; this, run by beat every few minutes, does
    not wait that long. A batch is queued again at most once per STALE_AFTER (a cache key), and a
    duplicate township task is harmless: compute_township skips a township already done.
    """
    requeued = 0
    for batch in stalled_batches(now=now):
        key = f"subsidies:requeued-batch:{batch.pk}:{int(batch.started_at.timestamp())}"  # this run of the batch
        if not cache.add(key, 1, int(STALE_AFTER.total_seconds())):
            continue
        townships = pending_townships(batch)
        logger.warning("batch %s made no progress: queueing %d townships again", batch.pk, len(townships))
        for township_id in townships:
            compute_township_task.delay(batch.pk, township_id)
        if not townships:
            finish_batch(batch_id=batch.pk)
        requeued += 1
    return requeued


@shared_task
def scheduled_month_task() -> int | None:
    """Run by beat daily; computes last month on the configured day of the month."""
    today = timezone.localdate()
    if today.day != settings.DISBURSEMENT_DAY:
        return None
    month = settings.DISBURSEMENT_MONTH_OFFSET
    return compute_month_task(f"{add_months(month_start(today), month):%Y-%m}", None, timezone.now().isoformat())


def month_label(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


# The export tasks live beside the export service; imported here so the worker's autodiscovery registers them.
from .bank import bank_file_task  # noqa: E402, F401
from .exports import export_job_task, purge_old_exports_task  # noqa: E402, F401


@shared_task(acks_late=True, time_limit=3600)
def end_enrolments_past_age_limit_task() -> int:
    """Nightly, after the categories' own age-limit job; a rerun ends nothing twice (only open enrolments)."""
    from .endings import end_enrolments_past_age_limit

    return end_enrolments_past_age_limit()
