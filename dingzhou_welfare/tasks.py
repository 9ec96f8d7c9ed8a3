"""Beat's watch over work whose worker is gone (killed, out of memory, its host restarted)."""

import logging

from celery import shared_task
from django.core.cache import cache

logger = logging.getLogger(__name__)


def requeue_stalled_jobs() -> int:
    """Import, export and report jobs queued or running with no progress for their STALE_AFTER: queued
    again, each at most once per STALE_AFTER. Each kind's restart and its task's claim keep a rerun
    harmless (a job still running elsewhere is not claimed twice)."""
    from imports import services as imports
    from imports.models import ImportJob
    from reports import jobs as reports
    from reports.models import ReportJob
    from subsidies import exports
    from subsidies.models import ExportJob

    kinds = (
        (ImportJob, ImportJob.WORKING, imports.is_stale, imports.restart_import, imports.STALE_AFTER),
        (ExportJob, (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING), exports.is_stale,
         exports.restart_export_job, exports.STALE_AFTER),
        (ReportJob, (ReportJob.Status.QUEUED, ReportJob.Status.RUNNING), reports.is_stale,
         reports.restart_job, reports.STALE_AFTER),
    )  # fmt: skip
    requeued = 0
    for model, working, is_stale, restart, stale_after in kinds:
        for job in model.objects.filter(status__in=working):
            key = f"requeued-job:{model._meta.label_lower}:{job.pk}"
            if is_stale(job) and cache.add(key, 1, int(stale_after.total_seconds())) and restart(job=job):
                logger.warning("%s %s made no progress: queued again", model.__name__, job.pk)
                requeued += 1
    return requeued


@shared_task
def requeue_stalled_work_task() -> int:
    from subsidies.tasks import requeue_stalled_batches

    return requeue_stalled_batches() + requeue_stalled_jobs()
