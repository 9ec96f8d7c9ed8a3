"""The job's writes: claim, progress, fail, finish, restart, the file and its purge.

Each takes the concrete model (or a job) and the job's id, and writes with a conditional UPDATE on the
status, so a duplicate delivery, a rerun after a killed worker, or two clicks do nothing twice.
"""

import contextlib
import datetime
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Job


def claim(model: type[Job], *, job_id: int, running: str | None = None, **fields) -> bool:
    """Move a queued job (or a stale one still in `running`) to `running`: True for the one worker
    that gets it. `fields` are written with it (e.g. started_at)."""
    now = timezone.now()
    running = running or model.RUNNING
    claimable = Q(status=model.Status.QUEUED) | Q(status=running, progress_at__lt=now - model.STALE_AFTER)
    return bool(
        model.objects.filter(claimable, pk=job_id).update(status=running, progress=0, progress_at=now, **fields)
    )


def record_progress(model: type[Job], *, job_id: int, done: int, status: str | None = None) -> None:
    """`done` units of work so far; only while the job is still in `status` (its running state)."""
    model.objects.filter(pk=job_id, status=status or model.RUNNING).update(progress=done, progress_at=timezone.now())


def error_text(error: Exception) -> str:
    """What a failed job's page shows of the exception (the worker log has the traceback)."""
    return str(error)[:2000] or type(error).__name__


def fail(model: type[Job], *, job_id: int, error: str, status: str | None = None, **fields) -> None:
    """The job is over without its result (failed, unless the kind has a better word); `error` is
    what its page shows."""
    model.objects.filter(pk=job_id).update(
        status=status or model.Status.FAILED, error=error, finished_at=timezone.now(), **fields
    )


def finish(model: type[Job], *, job_id: int, status: str | None = None, **fields) -> None:
    """The job is over (done, unless `status` says otherwise); `fields` are its results."""
    now = timezone.now()
    model.objects.filter(pk=job_id).update(
        status=status or model.Status.DONE, finished_at=now, progress_at=now, **fields
    )


def restart(job: Job, *, task, status: str | None = None, **fields) -> bool:
    """Queue a failed or stale job again (to `status`, queued unless said), and its task on commit.

    False when the job is neither (still moving, or done): then nothing changes. The claim in the
    task keeps a rerun harmless if the old worker comes back after all.
    """
    model = type(job)
    now = timezone.now()
    cutoff = now - model.STALE_AFTER
    stale = Q(status__in=model.WORKING) & (
        Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, created_at__lt=cutoff)
    )
    restarted = model.objects.filter(stale | Q(status=model.Status.FAILED), pk=job.pk).update(
        status=status or model.Status.QUEUED, error="", progress=0, progress_at=now, finished_at=None, **fields
    )
    if restarted:
        task.delay_on_commit(job.pk)
    return bool(restarted)


@contextlib.contextmanager
def job_file(name: str) -> Iterator[Path]:
    """A path under MEDIA_ROOT to write the job's file `name` to: written beside it and renamed when
    complete, so a killed worker never leaves half a file to download; removed if writing fails."""
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def old_jobs(model: type[Job], *, now: datetime.datetime | None = None) -> QuerySet:
    """Jobs finished more than KEEP_FILES_FOR ago."""
    return model.objects.filter(finished_at__lt=(now or timezone.now()) - model.KEEP_FILES_FOR)


def purge_files(jobs: QuerySet, *, also: Callable[[Job], None] | None = None) -> list[int]:
    """Delete the file of each of these jobs (and whatever `also` deletes beside it); the rows stay,
    and so does the audit trail. The ids of the jobs that lost a file."""
    purged = []
    for job in jobs.exclude(file=""):
        if also is not None:
            also(job)
        job.file.delete(save=False)
        type(job).objects.filter(pk=job.pk).update(file="")
        purged.append(job.pk)
    return purged


def purge_old_files(model: type[Job], *, now: datetime.datetime | None = None) -> int:
    """Files of jobs finished more than KEEP_FILES_FOR ago: how many were deleted."""
    return len(purge_files(old_jobs(model, now=now)))
