"""The bank payment file of an approved batch as a job (dingzhou_welfare/jobs): start, run, restart,
and the batch's 已送银行. What goes into the file, and how it is written, is `files`."""

import hashlib
import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import AuditEntry

from ..models import Batch
from .files import (
    EXTENSIONS,
    SENDABLE,
    BankFileError,
    columns_of,
    file_name,
    layout_errors,
    pattern_errors,
    payments,
    write_bank_file,
)
from .models import BankFileJob, BankLayout

__all__ = ["SENDABLE", "BankFileError", "layout_errors", "pattern_errors", "payments", "write_bank_file"]

logger = logging.getLogger(__name__)
# ---------------------------------------------------------------------------------------------
# The job


def jobs_visible_to(user):
    """Bank files hold the whole county's accounts: every county-wide user (staff, leader) sees them all."""
    return BankFileJob.objects.select_related("batch", "layout", "requested_by")


def check_sendable(batch: Batch) -> None:
    if batch.status not in SENDABLE:
        raise BankFileError(
            _("%(m)s发放批次状态为“%(s)s”，审批通过后才能生成银行代发文件。")
            % {"m": f"{batch.month:%Y-%m}", "s": batch.get_status_display()}
        )


def start_bank_file(*, batch: Batch, layout: BankLayout, actor, queue: bool = True) -> BankFileJob:
    """A job writing the batch's payment file in `layout`; queued on commit unless the caller runs it."""
    check_sendable(batch)
    if not layout.active:
        raise BankFileError(_("文件格式“%(code)s”已停用。") % {"code": layout.code})
    columns_of(layout)
    job = BankFileJob.objects.create(
        batch=batch,
        layout=layout,
        requested_by=actor,
        language=translation.get_language() or "",
        total=batch.lines.count(),
    )
    if queue:
        bank_file_task.delay_on_commit(job.pk)
    return job


def restart_bank_file(*, job: BankFileJob) -> bool:
    return jobs.restart(job, task=bank_file_task)


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def run_bank_file_job(*, job_id: int) -> str | None:
    """Claim the job, write the file beside its final name, then in one transaction: finish the job with
    the file's checksum, audit the export, mark the batch 已送银行. A rerun after a kill starts over;
    a duplicate delivery finds the job claimed and does nothing."""
    if not jobs.claim(BankFileJob, job_id=job_id, started_at=timezone.now(), error=""):
        return None
    job = BankFileJob.objects.select_related("batch", "layout", "requested_by").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        name = f"bank/{job.batch.month:%Y%m}-{job.layout.code}-{job.pk}.{EXTENSIONS[job.layout.file_type]}"
        try:
            check_sendable(job.batch)
            with jobs.job_file(name) as partial:
                with partial.open("wb") as out:
                    written = write_bank_file(
                        batch=job.batch,
                        layout=job.layout,
                        out=out,
                        progress=lambda done: jobs.record_progress(BankFileJob, job_id=job_id, done=done),
                    )
                checksum = sha256_of(partial)
        except Exception as error:  # the job's page shows it; the worker log has the traceback
            if not isinstance(error, BankFileError):
                logger.exception("bank file job %s failed", job_id)
            jobs.fail(BankFileJob, job_id=job_id, error=jobs.error_text(error))
            return None
        with transaction.atomic():
            jobs.finish(
                BankFileJob,
                job_id=job_id,
                file=name,
                file_name=file_name(job.layout, job.batch),
                sha256=checksum,
                row_count=written.rows,
                amount=written.amount,
                left_out_count=written.left_out_count,
                left_out=written.left_out,
                progress=job.total,
            )
            log_action(
                actor=job.requested_by,
                action=AuditEntry.Action.EXPORT,
                obj=job.batch,
                summary=_("生成%(m)s银行代发文件（%(layout)s，%(n)d笔，%(amount)s元，未列入%(left)d笔）")
                % {
                    "m": f"{job.batch.month:%Y-%m}",
                    "layout": job.layout.name,
                    "n": written.rows,
                    "amount": f"{written.amount:.2f}",
                    "left": written.left_out_count,
                },
                changes={"batch": job.batch.number, "job": job.pk, "layout": job.layout.code, "sha256": checksum},
            )
            mark_sent_to_bank(actor=job.requested_by, batch=job.batch)
    return name


def mark_sent_to_bank(*, actor, batch: Batch) -> bool:
    """The first bank file of an approved (or roster-exported) batch marks it 已送银行; later ones change nothing."""
    before = Batch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
    changed = Batch.objects.filter(pk=batch.pk, status__in=(Batch.Status.APPROVED, Batch.Status.EXPORTED)).update(
        status=Batch.Status.SENT_TO_BANK
    )
    if changed:
        batch.status = Batch.Status.SENT_TO_BANK
        log_action(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            obj=batch,
            summary=_("%(m)s发放批次已生成银行代发文件，状态改为已送银行") % {"m": f"{batch.month:%Y-%m}"},
            changes={"status": [str(Batch.Status(before).label), str(Batch.Status.SENT_TO_BANK.label)]},
        )
    return bool(changed)


@shared_task(acks_late=True, time_limit=4 * 3600)
def bank_file_task(job_id: int) -> str | None:
    """Ids in; the claim keeps a duplicate delivery harmless."""
    return run_bank_file_job(job_id=job_id)
