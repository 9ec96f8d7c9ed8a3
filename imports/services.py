"""Import jobs: upload, check (the preview), confirm, commit. Every write of a commit is one transaction.

- `start_import` keeps the uploaded file and queues the check.
- `run_check` reads the file once, stores the preview row by row (ImportRow) and the counts;
  it writes nothing else. A file that cannot be read at all ends as REFUSED with the reason.
- `confirm_import` (bureau staff) claims a READY job with a conditional UPDATE, so a double click
  or two clerks at once queue one commit.
- `run_commit` checks the file again against the registry as it is now and writes it, all in one
  transaction holding the job's row lock; one invalid row (the registry may have changed since the
  preview) rolls everything back and shows the new errors. A rerun after a killed worker is harmless:
  nothing was committed, and a job already DONE is left alone.
"""

import datetime
import json
import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import AuditEntry

from . import roster, standards
from .models import ImportJob, ImportRow
from .readers import FileRefused, detect_format, estimate_rows

logger = logging.getLogger(__name__)

# Commits of imports run one at a time (a PostgreSQL advisory lock held by the commit's
# transaction): two files adding the same child at once would otherwise both find it new.
COMMIT_LOCK = 0x1D2F_0001


def _one_commit_at_a_time() -> None:
    """Wait, inside the commit's transaction, until no other import is committing (SQLite: every
    writing transaction already waits for the others)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])


def _failure_message(job_id: int, error: Exception) -> str:
    """What the clerk reads when a job fails, in the uploader's language: no database text (which
    may hold an ID number); the error itself goes to the log."""
    language = ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        return _failure_text(job_id, error)


def _failure_text(job_id: int, error: Exception) -> str:
    if isinstance(error, IntegrityError):
        return _(
            "导入时，另一处同时写入了相同的数据（例如同一名儿童），未写入任何数据。请重新上传文件，检查后再确认导入。"
        )
    return _("系统出错，未写入任何数据。请联系系统管理员，并告知任务编号 %(id)s。") % {"id": job_id}


STORE_BATCH = 2000
# For a new row the preview keeps the columns a clerk checks at a glance, not every cell.
NEW_ROW_COLUMNS = {"乡镇（街道）", "村（社区）", "无身份证号原因", "儿童类别", "保障项目", "监护人姓名", "月标准（元）"}
Status = ImportJob.Status


def _path(job: ImportJob) -> Path:
    return Path(job.file.path)


def _cache(job: ImportJob) -> Path:
    """The raw cells the check saved for the commit (see roster.analyse)."""
    return Path(job.file.path + ".rows")


def start_import(*, actor, kind: str, upload, enqueue: bool = True) -> ImportJob:
    """Keep the file and queue its check. The form has checked the name and size."""
    job = ImportJob(
        kind=kind,
        original_name=Path(upload.name).name[:200],
        size=upload.size,
        uploaded_by=actor,
        language=translation.get_language() or "",
    )
    suffix = ".csv" if job.original_name.lower().endswith(".csv") else ".xlsx"
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{kind}{suffix}", upload, save=False)
    job.save()
    log_action(
        actor=actor,
        action=AuditEntry.Action.UPLOAD,
        obj=job,
        summary=_("上传导入文件：%(n)s（%(k)s）") % {"n": job.original_name, "k": job.get_kind_display()},
        changes={"file": job.original_name, "size": job.size, "kind": job.kind},
    )
    if enqueue:
        from .tasks import check_import_task

        check_import_task.delay_on_commit(job.pk)
    return job


def _progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def progress_of(job: ImportJob) -> int:
    """Rows done: from the job row, or from the cache while a commit's transaction hides it."""
    cached = None
    if job.status == Status.COMMITTING:
        try:
            cached = cache.get(_progress_key(job.pk))
        except Exception:  # Redis down: the row's count, which the commit writes at its end
            logger.warning("import progress not read from the cache", exc_info=True)
    return max(job.progress, cached or 0)


def _store(job: ImportJob, rows) -> dict:
    """Save the preview of these rows; COPY on PostgreSQL (100,000 rows in seconds), bulk_create elsewhere."""
    counts = {"new": 0, "changed": 0, "unchanged": 0, "invalid": 0}
    values = []
    for row in rows:
        counts[row.status] += 1
        changes = row.changes
        if row.status == "new":
            changes = [c for c in changes if c[0] in NEW_ROW_COLUMNS]
        changes = changes + getattr(row, "notes", [])
        values.append(
            (
                job.pk,
                row.line,
                row.status,
                (getattr(row, "shown_key", row.key) or "")[:100],
                (row.label or "")[:100],
                changes,
                [list(e) for e in row.errors],
            )
        )
    if connection.vendor == "postgresql":
        table = ImportRow._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} (job_id, line, status, key, label, changes, errors) FROM STDIN") as copy,
        ):
            for *plain, changes, errors in values:
                copy.write_row(
                    (*plain, json.dumps(changes, ensure_ascii=False), json.dumps(errors, ensure_ascii=False))
                )
    else:
        fields = ("job_id", "line", "status", "key", "label", "changes", "errors")
        ImportRow.objects.bulk_create(
            [ImportRow(**dict(zip(fields, value, strict=True))) for value in values], batch_size=STORE_BATCH
        )
    return counts


def run_check(*, job_id: int) -> str | None:
    """The preview: check every row and store what importing would do. Writes nothing else."""
    if not jobs.claim(ImportJob, job_id=job_id):
        return None
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    ImportRow.objects.filter(job=job).delete()  # a rerun starts again
    totals = {"new": 0, "changed": 0, "unchanged": 0, "invalid": 0}
    ctx = None

    def progress(done: int) -> None:
        jobs.record_progress(ImportJob, job_id=job_id, done=done)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            path = _path(job)
            fmt = detect_format(path, job.original_name)
            ImportJob.objects.filter(pk=job_id).update(total_rows=estimate_rows(path, fmt))
            if job.kind == ImportJob.Kind.STANDARDS:
                chunks = standards.analyse(path, fmt, actor=job.uploaded_by, commit=False)
            else:
                _cache(job).unlink(missing_ok=True)
                ctx = roster.Context.load()
                chunks = roster.analyse(path, fmt, ctx=ctx, progress=progress, cache=_cache(job))
            for chunk in chunks:
                for name, count in _store(job, chunk).items():
                    totals[name] += count
    except FileRefused as refused:
        ImportRow.objects.filter(job=job).delete()
        jobs.fail(ImportJob, job_id=job_id, status=Status.REFUSED, error=refused.message, checked_at=timezone.now())
        return Status.REFUSED
    except Exception as error:
        logger.exception("import check %s failed", job_id)
        jobs.fail(ImportJob, job_id=job_id, error=_failure_message(job_id, error))
        return Status.FAILED
    total = sum(totals.values())
    status = Status.INVALID if totals["invalid"] or not total else Status.READY
    # What the preview names before the commit may write it (a typo must not become a village unseen).
    preview = {"new_villages": ctx.new_villages_named()} if ctx is not None else {}
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        written=preview,
        total_rows=total,
        progress=total,
        rows_new=totals["new"],
        rows_changed=totals["changed"],
        rows_unchanged=totals["unchanged"],
        rows_invalid=totals["invalid"],
        error="" if total else _("文件中只有表头，没有数据行。"),
        checked_at=timezone.now(),
        progress_at=timezone.now(),
    )
    return status


def new_villages(job: ImportJob) -> list[list]:
    """[township, village, [similar existing names]]: the villages the checked file would create."""
    if job.status not in (Status.READY, Status.INVALID):
        return []
    return (job.written or {}).get("new_villages", [])


def confirm_import(*, actor, job: ImportJob, villages_confirmed: bool = False, enqueue: bool = True) -> bool:
    """Claim a checked job for its commit; False when it is not (or no longer) ready.

    A file that creates villages is committed only when the clerk has confirmed them (`villages_confirmed`).
    """
    if new_villages(job) and not villages_confirmed:
        return False
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=Status.COMMITTING,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
        progress=0,
        progress_at=timezone.now(),
    )
    if not claimed:
        return False
    if enqueue:
        from .tasks import commit_import_task

        commit_import_task.delay_on_commit(job.pk)
    return True


class _Invalid(Exception):
    def __init__(self, rows):
        super().__init__("invalid rows")
        self.rows = rows


def run_commit(*, job_id: int) -> str | None:
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status != Status.COMMITTING:
                return None
            _one_commit_at_a_time()
            with translation.override(job.language or settings.LANGUAGE_CODE):
                written = _commit(job)
            return written
    except _Invalid as invalid:
        with transaction.atomic():
            ImportRow.objects.filter(job_id=job_id).delete()
            job = ImportJob.objects.get(pk=job_id)
            counts = _store(job, invalid.rows)
            jobs.finish(
                ImportJob,
                job_id=job_id,
                status=Status.INVALID,
                rows_new=counts["new"],
                rows_changed=counts["changed"],
                rows_unchanged=counts["unchanged"],
                rows_invalid=counts["invalid"],
                total_rows=sum(counts.values()),
                error=_("确认导入时重新检查发现错误（系统中的数据在预览后有变化），未写入任何数据。"),
            )
        return Status.INVALID
    except FileRefused as refused:
        jobs.fail(ImportJob, job_id=job_id, status=Status.REFUSED, error=refused.message)
        return Status.REFUSED
    except Exception as error:
        logger.exception("import commit %s failed", job_id)
        jobs.fail(ImportJob, job_id=job_id, error=_failure_message(job_id, error))
        return Status.FAILED
    finally:
        cache.delete(_progress_key(job_id))


def _commit(job: ImportJob) -> str:
    """Check and write the whole file; raises _Invalid (rolling back) when a row is invalid."""
    actor = job.confirmed_by
    path = _path(job)
    fmt = detect_format(path, job.original_name)
    counts = {"new": 0, "changed": 0, "unchanged": 0, "invalid": 0}

    def progress(done: int) -> None:
        cache.set(_progress_key(job.pk), done, timeout=3600)

    if job.kind == ImportJob.Kind.STANDARDS:
        try:
            rows = next(standards.analyse(path, fmt, actor=actor, commit=True))
        except standards.Invalid as invalid:
            raise _Invalid(invalid.rows) from None
        for row in rows:
            counts[row.status] += 1
        written = {"standards_written": counts["new"] + counts["changed"]}
    else:
        ctx = roster.Context.load()
        ctx.full_changes = True
        result = roster.Written()
        invalid = []
        for chunk in roster.analyse(path, fmt, ctx=ctx, progress=progress, cache=_cache(job)):
            bad = [row for row in chunk if row.status == "invalid"]
            invalid += bad
            for row in chunk:
                counts[row.status] += 1
            if not invalid:
                roster.write_chunk(chunk, ctx=ctx, actor=actor, written=result, source=job.original_name)
        if invalid:
            raise _Invalid(invalid)
        roster.refresh_duplicate_flags(result.touched)
        written = result.as_dict()
    total = sum(counts.values())
    jobs.finish(
        ImportJob,
        job_id=job.pk,
        written=written,
        total_rows=total,
        progress=total,
        rows_new=counts["new"],
        rows_changed=counts["changed"],
        rows_unchanged=counts["unchanged"],
        rows_invalid=0,
    )
    log_action(
        actor=actor,
        action=AuditEntry.Action.DECISION,
        obj=job,
        summary=_("确认导入%(k)s：%(n)s（%(t)d行：新增%(a)d，修改%(c)d，无变化%(u)d）")
        % {
            "k": job.get_kind_display(),
            "n": job.original_name,
            "t": total,
            "a": counts["new"],
            "c": counts["changed"],
            "u": counts["unchanged"],
        },
        changes={
            "file": job.original_name,
            "rows": total,
            "new": counts["new"],
            "changed": counts["changed"],
            "unchanged": counts["unchanged"],
            "uploaded_by": job.uploaded_by.get_username(),
            "confirmed_by": actor.get_username() if actor else None,
            **written,
        },
    )
    return Status.DONE


def record_row_reveal(*, actor, job: ImportJob, row: ImportRow) -> None:
    """A clerk saw one preview row's full ID number: recorded like a reveal on the child's own page."""
    log_action(
        actor=actor,
        action=AuditEntry.Action.REVEAL,
        obj=job,
        summary=_("查看导入预览中的完整身份证号：%(n)s 第%(l)d行") % {"n": job.original_name, "l": row.line},
        changes={"file": job.original_name, "line": row.line},
    )


def is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    return job.is_stale(now)


def restart_import(*, job: ImportJob) -> bool:
    """Queue a stuck check or commit again (its worker is gone), or a failed one: a confirmed job
    goes back to its commit, any other to its check."""
    from .tasks import check_import_task, commit_import_task

    job.refresh_from_db()
    if job.confirmed_by_id:
        return jobs.restart(job, task=commit_import_task, status=Status.COMMITTING)
    return jobs.restart(job, task=check_import_task)


def purge_old_files(*, now: datetime.datetime | None = None) -> int:
    """Uploaded files and their row-by-row previews hold personal data (full ID numbers): both are
    deleted KEEP_FILES_FOR after upload. The job stays, with its counts, and the audit its entry.
    Returns how many jobs lost a file or a preview."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(created_at__lt=now - ImportJob.KEEP_FILES_FOR).exclude(status__in=ImportJob.WORKING)
    purged = set(jobs.purge_files(old, also=lambda job: _cache(job).unlink(missing_ok=True)))
    for job_id in old.filter(preview_purged_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            ImportRow.objects.filter(job_id=job_id).delete()
            ImportJob.objects.filter(pk=job_id).update(preview_purged_at=now)
        purged.add(job_id)
    return len(purged)
