"""The bank's return file (回盘): read, matched to the batch's payments, shown as a preview, and
committed only when staff confirm (DESIGN.md 3.2). A job of dingzhou_welfare/jobs in two stages, the
check (QUEUED -> CHECKING -> READY or REFUSED) and the commit (COMMITTING -> DONE).

- The batch's payments (`BankPayment`) are the bank file's, numbered and referenced as the file
  numbers them (`files.sendable_payments`); they are written from the batch the first time a return
  is read for it.
- Each row is matched by its reference (业务参考号), or by account and amount (the first payment of
  that account and amount not yet matched in the file). Success marks the payment 已发放, failure 退票
  with the bank's reason; a returned payment flags the child's account to be corrected, and the next
  batch pays it again once, as 重发 lines (`reissue`).
- Any row the batch does not know, a row of another batch, a different amount, a duplicate row, a
  result contradicting an earlier return, or an unreadable file refuses the whole file, naming the row
  and field; nothing is written. A partial return is fine: the rest stays 待确认.
- The same file committed twice changes nothing: its sha256 is recorded, and committed once a batch
  (a unique constraint).
"""

import hashlib
import json
import logging
from collections import defaultdict
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dingzhou_welfare.audit import log_action
from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.models import AuditEntry

from ..models import Batch
from .files import sendable_payments
from .matching import CHUNK, ERRORS_KEPT, ReturnRefused, match
from .return_files import ReturnFileError, estimate_rows, read_return
from .return_models import BankPayment, BankReturnJob, BankReturnLayout

logger = logging.getLogger(__name__)
Status = BankReturnJob.Status


class Stale(Exception):
    """A payment changed between the check and the commit."""


def jobs_visible_to(user):
    return BankReturnJob.objects.select_related("batch", "layout", "uploaded_by")


# ---------------------------------------------------------------------------------------------
# The batch's payments


PAYMENT_COLUMNS = (
    "batch_id", "seq", "reference", "child_id", "township_id", "account_number", "payee_name", "payee_id_number",
    "amount", "status", "reason", "bank_reason",
)  # fmt: skip


def ensure_payments(batch: Batch) -> int:
    """Write the batch's payments once, from its frozen lines (COPY on PostgreSQL); how many it has."""
    if (count := BankPayment.objects.filter(batch=batch).count()) or batch.status != Batch.Status.SENT_TO_BANK:
        return count
    sent = BankPayment.Status.SENT.value
    rows = (
        (
            batch.pk,
            p.seq,
            p.reference,
            p.child_id,
            p.township_id,
            p.account,
            p.payee_name,
            p.payee_id,
            p.amount,
            sent,
            "",
            "",
        )
        for p in sendable_payments(batch)
    )
    try:
        with transaction.atomic():
            count = _write_payments(rows)
    except IntegrityError:  # written by another worker at the same moment
        return BankPayment.objects.filter(batch=batch).count()
    return count


def _write_payments(rows) -> int:
    """In chunks: the lines are read through a server-side cursor on this same connection, which a
    COPY in progress would hold (each chunk's COPY runs between two fetches)."""
    count = 0
    for chunk in _chunks_of(rows, 5 * CHUNK):
        if connection.vendor == "postgresql":
            table = connection.ops.quote_name(BankPayment._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(c) for c in PAYMENT_COLUMNS)
            with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row(row)
        else:
            BankPayment.objects.bulk_create(
                [BankPayment(**dict(zip(PAYMENT_COLUMNS, row, strict=True))) for row in chunk]
            )
        count += len(chunk)
    return count


def _chunks_of(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------------------
# Starting a job


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_receivable(batch: Batch) -> None:
    if batch.status != Batch.Status.SENT_TO_BANK:
        raise ReturnRefused(
            [
                _("%(m)s发放批次状态为“%(s)s”，生成银行代发文件（已送银行）后才能导入银行回盘。")
                % {"m": f"{batch.month:%Y-%m}", "s": batch.get_status_display()}
            ]
        )


def start_return(*, batch: Batch, layout: BankReturnLayout, upload, actor, queue: bool = True) -> BankReturnJob:
    """Keep the uploaded file and queue its check (on commit, unless the caller runs it)."""
    check_receivable(batch)
    job = BankReturnJob(
        batch=batch,
        layout=layout,
        uploaded_by=actor,
        original_name=Path(upload.name).name[:200],
        language=translation.get_language() or "",
    )
    job.file.save(f"{batch.month:%Y%m}-{Path(upload.name).name}"[:150], File(upload), save=False)
    path = Path(job.file.path)
    job.sha256 = sha256_of(path)
    with path.open("rb") as handle:
        kind = "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"
    job.total = estimate_rows(path, kind)
    job.save()
    log_action(
        actor=actor,
        action=AuditEntry.Action.UPLOAD,
        obj=job,
        summary=_("上传%(m)s银行回盘文件：%(name)s") % {"m": f"{batch.month:%Y-%m}", "name": job.original_name},
        changes={"batch": batch.number, "sha256": job.sha256},
    )
    if queue:
        check_return_task.delay_on_commit(job.pk)
    return job


def restart_return(*, job: BankReturnJob) -> bool:
    if job.status == Status.COMMITTING:
        return jobs.restart(job, task=commit_return_task, status=Status.COMMITTING)
    return jobs.restart(job, task=check_return_task)


# ---------------------------------------------------------------------------------------------
# The check


def _plan_path(job: BankReturnJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "bank_returns" / f"plan-{job.pk}.json"


def already_committed(job: BankReturnJob) -> BankReturnJob | None:
    return (
        BankReturnJob.objects.filter(batch_id=job.batch_id, sha256=job.sha256, status=Status.DONE)
        .exclude(pk=job.pk)
        .first()
    )


def run_check(*, job_id: int) -> str | None:
    """Claim the queued job, read and match its file, keep the plan; READY with the preview's figures,
    or REFUSED with every error. Writes nothing but the job (and the batch's payments, once)."""
    if not jobs.claim(BankReturnJob, job_id=job_id):
        return None
    job = BankReturnJob.objects.select_related("batch", "layout").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            check_receivable(job.batch)
            if earlier := already_committed(job):
                jobs.finish(
                    BankReturnJob,
                    job_id=job_id,
                    status=Status.REFUSED,
                    duplicate_of=earlier,
                    checked_at=timezone.now(),
                    errors=[
                        _("该文件已于 %(t)s 导入本批次（SHA-256 相同），再次导入不会有任何变化。")
                        % {"t": timezone.localtime(earlier.confirmed_at).strftime("%Y-%m-%d %H:%M")}
                    ],
                )
                return Status.REFUSED
            ensure_payments(job.batch)
            rows = read_return(Path(job.file.path), job.original_name, job.layout)
            result = match(
                job, rows, progress=lambda done: jobs.record_progress(BankReturnJob, job_id=job_id, done=done)
            )
        except (ReturnRefused, ReturnFileError) as refused:
            errors = refused.errors if isinstance(refused, ReturnRefused) else [str(refused)]
            jobs.finish(
                BankReturnJob,
                job_id=job_id,
                status=Status.REFUSED,
                errors=errors[:ERRORS_KEPT]
                + (
                    [_("另有 %(n)d 处错误未列出。") % {"n": len(errors) - ERRORS_KEPT}]
                    if len(errors) > ERRORS_KEPT
                    else []
                ),
                checked_at=timezone.now(),
            )
            return Status.REFUSED
        except Exception as error:
            logger.exception("bank return check %s failed", job_id)
            jobs.fail(BankReturnJob, job_id=job_id, error=jobs.error_text(error))
            return Status.FAILED
    path = _plan_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result["plan"]))
    counts = result["counts"]
    jobs.finish(
        BankReturnJob,
        job_id=job_id,
        status=Status.READY,
        rows=counts["rows"],
        to_paid=counts["paid"],
        to_returned=counts["returned"],
        unchanged=counts["unchanged"],
        unconfirmed=counts["unconfirmed"],
        amount_paid=counts["amount_paid"],
        amount_returned=counts["amount_returned"],
        returned_list=result["returned_list"],
        total=counts["rows"],
        progress=counts["rows"],
        checked_at=timezone.now(),
    )
    return Status.READY


# ---------------------------------------------------------------------------------------------
# The commit


def confirm_return(*, job: BankReturnJob, actor, queue: bool = True) -> bool:
    """Claim a checked job for its commit; False when it is not (or no longer) ready."""
    claimed = BankReturnJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=Status.COMMITTING, confirmed_by=actor, confirmed_at=timezone.now(), progress_at=timezone.now()
    )
    if claimed and queue:
        commit_return_task.delay_on_commit(job.pk)
    return bool(claimed)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_commit(*, job_id: int) -> str | None:
    """Apply the checked plan in one transaction: each payment moves from 待确认 only (a payment changed
    since the check refuses the whole file), every returned payment is audited with its child, and the
    import with its figures."""
    job = BankReturnJob.objects.select_related("batch", "confirmed_by").filter(pk=job_id).first()
    if job is None or job.status != Status.COMMITTING:
        return None
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            plan = json.loads(_plan_path(job).read_text())
            with transaction.atomic():
                Batch.objects.select_for_update().get(pk=job.batch_id)
                if (
                    BankReturnJob.objects.filter(pk=job_id, status=Status.COMMITTING).update(progress_at=timezone.now())
                    != 1
                ):
                    return None
                _apply(job, plan)
                jobs.finish(BankReturnJob, job_id=job_id, progress=job.rows)
        except (Stale, IntegrityError):
            jobs.finish(
                BankReturnJob,
                job_id=job_id,
                status=Status.REFUSED,
                errors=[_("确认导入时发现该批次的代发记录在预览后已被其他回盘文件更改，未写入任何数据。请重新上传。")],
            )
            return Status.REFUSED
        except Exception as error:
            logger.exception("bank return commit %s failed", job_id)
            jobs.fail(BankReturnJob, job_id=job_id, error=jobs.error_text(error))
            return Status.FAILED
    _plan_path(job).unlink(missing_ok=True)
    return Status.DONE


def _apply(job: BankReturnJob, plan: dict) -> None:
    now = timezone.now()
    actor = job.confirmed_by
    sent = BankPayment.objects.filter(batch_id=job.batch_id, status=BankPayment.Status.SENT)
    for chunk in _chunks(plan["paid"]):
        changed = sent.filter(pk__in=chunk).update(status=BankPayment.Status.PAID, return_job=job, settled_at=now)
        if changed != len(chunk):
            raise Stale
    groups = defaultdict(list)
    for pk, reason, bank_reason in plan["returned"]:
        groups[(reason, bank_reason)].append(pk)
    for (reason, bank_reason), pks in groups.items():
        for chunk in _chunks(pks):
            changed = sent.filter(pk__in=chunk).update(
                status=BankPayment.Status.RETURNED,
                reason=reason,
                bank_reason=bank_reason,
                return_job=job,
                settled_at=now,
            )
            if changed != len(chunk):
                raise Stale
    returned = BankPayment.objects.filter(return_job=job, status=BankPayment.Status.RETURNED).select_related("child")
    entries = [
        AuditEntry(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            object_type=BankPayment._meta.model_name,
            object_id=str(p.pk),
            child=p.child,
            summary=(
                _("%(m)s发放退票：%(amount)s元，%(reason)s（%(bank)s），发放账户待更正")
                % {
                    "m": f"{job.batch.month:%Y-%m}",
                    "amount": f"{p.amount:.2f}",
                    "reason": p.get_reason_display(),
                    "bank": p.bank_reason,
                }
            )[:200],
            changes={
                "status": [str(BankPayment.Status.SENT.label), str(BankPayment.Status.RETURNED.label)],
                "job": job.pk,
            },
        )
        for p in returned.iterator(chunk_size=CHUNK)
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=CHUNK)
    log_action(
        actor=actor,
        action=AuditEntry.Action.DECISION,
        obj=job,
        summary=_("导入%(m)s银行回盘：已发放%(p)d笔，退票%(r)d笔，无变化%(u)d笔，仍待确认%(o)d笔")
        % {
            "m": f"{job.batch.month:%Y-%m}",
            "p": job.to_paid,
            "r": job.to_returned,
            "u": job.unchanged,
            "o": job.unconfirmed,
        },
        changes={
            "batch": job.batch.number,
            "sha256": job.sha256,
            "paid": [str(BankPayment.Status.SENT.label), str(BankPayment.Status.PAID.label), job.to_paid],
            "returned": job.to_returned,
            "amount_paid": f"{job.amount_paid:.2f}",
            "amount_returned": f"{job.amount_returned:.2f}",
        },
    )


# ---------------------------------------------------------------------------------------------
# The account, once corrected


@transaction.atomic
def confirm_account(*, payment: BankPayment, actor) -> bool:
    """Staff say a returned payment's account may be paid again as it is (a frozen account thawed):
    the next batch re-issues it. A changed account needs no such word: the engine sees the change."""
    changed = BankPayment.objects.filter(
        pk=payment.pk, status=BankPayment.Status.RETURNED, corrected_at__isnull=True
    ).update(corrected_at=timezone.now(), corrected_by=actor)
    if changed:
        log_action(
            actor=actor,
            action=AuditEntry.Action.DECISION,
            obj=payment,
            child=payment.child,
            summary=_("退票账户已核实可用（%(reason)s），下一批次重发%(amount)s元")
            % {"reason": payment.get_reason_display(), "amount": f"{payment.amount:.2f}"},
        )
    return bool(changed)


@shared_task(acks_late=True, time_limit=3600)
def check_return_task(job_id: int) -> str | None:
    return run_check(job_id=job_id)


@shared_task(acks_late=True, time_limit=3600)
def commit_return_task(job_id: int) -> str | None:
    return run_commit(job_id=job_id)
