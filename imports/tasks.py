"""Thin Celery tasks: a job id in, the service call, the job's status out."""

from celery import shared_task

from .services import purge_old_files, run_check, run_commit


@shared_task(acks_late=True, time_limit=2 * 3600)
def check_import_task(job_id: int) -> str | None:
    return run_check(job_id=job_id)


@shared_task(acks_late=True, time_limit=2 * 3600)
def commit_import_task(job_id: int) -> str | None:
    return run_commit(job_id=job_id)


@shared_task
def purge_old_import_files_task() -> int:
    return purge_old_files()
