"""Large documents as tasks: a page starts a job, a worker writes the file, the page shows progress.

The job mechanism is the one of every job (dingzhou_welfare/jobs): the claim is a conditional UPDATE,
so a duplicate delivery or a rerun does nothing; the file is written beside its final name and
renamed when complete, so a killed worker never leaves half a file to download; a stuck job can
be restarted from its page. Each kind calls the same render function the page and the command use.
"""

import datetime
import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from children.models import Child, Township
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import AuditEntry, Role
from subsidies.models import Batch, Line
from subsidies.months import parse_month

from . import documents
from .figures import Period, Scope
from .models import ReportJob

logger = logging.getLogger(__name__)


def jobs_visible_to(user):
    """Bureau staff see every job; anyone else only their own. Unmasked files only for who may reveal."""
    from dingzhou_welfare.access import can_reveal, role_of

    visible = ReportJob.objects.select_related("requested_by")
    if role_of(user) != Role.STAFF:
        visible = visible.filter(requested_by=user)
    if not can_reveal(user):
        visible = visible.filter(masked=True)
    return visible


def _start(*, kind: str, params: dict, title: str, actor, masked: bool = True, total: int = 0) -> ReportJob:
    job = ReportJob.objects.create(
        kind=kind,
        params=params,
        title=title[:200],
        masked=masked,
        requested_by=actor,
        language=translation.get_language() or "",
        total=total,
    )
    report_job_task.delay_on_commit(job.pk)
    return job


def monthly_params(period: Period, scope: Scope) -> dict:
    """A monthly report job's parameters (also how a reload of the PDF's address finds its job)."""
    return {
        "first": f"{period.first:%Y-%m}",
        "last": f"{period.last:%Y-%m}",
        "township_ids": list(scope.township_ids) if scope.township_ids is not None else None,
        "village_ids": list(scope.village_ids) if scope.village_ids is not None else None,
        "label": scope.label,
    }


def start_monthly_job(*, period: Period, scope: Scope, actor, title: str) -> ReportJob:
    params = monthly_params(period, scope)
    return _start(kind=ReportJob.Kind.MONTHLY, params=params, title=title, actor=actor, total=2)


def start_roster_job(*, batch: Batch, township: Township, actor, masked: bool = True) -> ReportJob:
    total = Line.objects.filter(batch=batch, township=township).count()
    return _start(
        kind=ReportJob.Kind.ROSTER,
        params={"month": f"{batch.month:%Y-%m}", "township_id": township.pk},
        title=documents.roster_title(batch, township),
        actor=actor,
        masked=masked,
        total=total,
    )


def start_case_files_job(*, township: Township, actor, masked: bool = True) -> ReportJob:
    total = Child.objects.filter(township=township, status=Child.Status.ACTIVE).count()
    return _start(
        kind=ReportJob.Kind.CASE_FILES,
        params={"township_id": township.pk},
        title=_("%(t)s在册儿童一人一档") % {"t": township.name},
        actor=actor,
        masked=masked,
        total=total,
    )


def restart_job(*, job: ReportJob) -> bool:
    """Queue a failed or stuck job again; the claim in `run_report_job` keeps a rerun harmless."""
    return jobs.restart(job, task=report_job_task)


def _suffix(job: ReportJob) -> str:
    return "zip" if job.kind == ReportJob.Kind.CASE_FILES else "pdf"


def _write(job: ReportJob, path: Path, progress) -> tuple[str, dict]:
    """Write the job's document to `path`; the download name and what the audit entry records."""
    params, actor = job.params, job.requested_by
    if job.kind == ReportJob.Kind.MONTHLY:
        ids = params.get("township_ids")
        villages = params.get("village_ids")
        scope = Scope(
            tuple(ids) if ids is not None else None,
            tuple(villages) if villages is not None else None,
            params.get("label", ""),
        )
        period = Period(parse_month(params["first"]), parse_month(params["last"]))
        report = documents.build_monthly_report(period, scope)
        progress(1)
        path.write_bytes(documents.render_monthly_report_pdf(report))
        return documents.monthly_report_file_name(report), {}
    if job.kind == ReportJob.Kind.ROSTER:
        batch = Batch.objects.get(month=parse_month(params["month"]))
        township = Township.objects.get(pk=params["township_id"])
        content = documents.render_roster_pdf(batch, township, masked=job.masked, printed_by=actor, progress=progress)
        path.write_bytes(content)
        return documents.roster_file_name(batch, township, masked=job.masked), {
            "batch": batch.number,
            "township": township.code,
            "lines": job.total,
        }
    township = Township.objects.get(pk=params["township_id"])
    count = documents.write_case_files_zip(township, str(path), masked=job.masked, printed_by=actor, progress=progress)
    name = _("一人一档-%(t)s%(tail)s.zip") % {"t": township.name, "tail": "" if job.masked else _("-完整号码")}
    return name, {"township": township.code, "children": count}


def run_report_job(*, job_id: int) -> str | None:
    """Claim the job, write its file under MEDIA_ROOT/reports/, record progress and audit; the file name out."""
    if not jobs.claim(ReportJob, job_id=job_id, started_at=timezone.now(), error=""):
        return None
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    name = f"reports/{job.kind}-{job.pk}.{_suffix(job)}"

    def progress(done: int) -> None:
        jobs.record_progress(ReportJob, job_id=job_id, done=done)

    try:
        with jobs.job_file(name) as partial, translation.override(job.language or settings.LANGUAGE_CODE):
            file_name, audit = _write(job, partial, progress)
    except Exception as error:  # recorded on the job for its page; the worker log has the traceback
        logger.exception("report job %s failed", job_id)
        jobs.fail(ReportJob, job_id=job_id, error=jobs.error_text(error))
        return None
    with transaction.atomic():
        jobs.finish(ReportJob, job_id=job_id, file=name, file_name=file_name[:200], progress=job.total)
        if job.kind != ReportJob.Kind.MONTHLY:  # names and numbers of children: an export of personal data
            with translation.override(job.language or settings.LANGUAGE_CODE):
                log_action(
                    actor=job.requested_by,
                    action=AuditEntry.Action.EXPORT,
                    obj=job,
                    summary=_("生成%(title)s（%(how)s）")
                    % {"title": job.title, "how": _("已脱敏") if job.masked else _("未脱敏，含完整身份证号和银行账号")},
                    changes={"job": job.pk, "kind": job.kind, "masked": job.masked, **audit},
                )
    return name


def purge_old_files(*, now: datetime.datetime | None = None) -> int:
    """Delete generated files older than KEEP_FILES_FOR (they hold personal data); the job rows stay."""
    return jobs.purge_old_files(ReportJob, now=now)


@shared_task(acks_late=True, time_limit=4 * 3600)
def report_job_task(job_id: int) -> str | None:
    return run_report_job(job_id=job_id)


@shared_task
def purge_old_report_files_task() -> int:
    return purge_old_files()
