"""Reconciliation (对账) per batch and per month: sent to the bank, paid (已发放), returned (退票),
re-issued (重发, in a later batch), and outstanding (待确认, plus 退票 not yet re-issued).

A batch sent to the bank before any return was read has no payments yet: its bank file's count and
amount stand as sent, all of it outstanding. Set-based: a few grouped queries whatever the batch size.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from ..models import Batch, Line
from .models import BankFileJob
from .return_models import BankPayment

ZERO = Decimal("0.00")
Status = BankPayment.Status


@dataclass
class Figure:
    count: int = 0
    amount: Decimal = ZERO

    def __post_init__(self):
        self.amount = (self.amount or ZERO).quantize(ZERO)  # two places whatever the database hands back


@dataclass
class Reconciliation:
    batch: Batch
    sent: Figure = field(default_factory=Figure)
    paid: Figure = field(default_factory=Figure)
    returned: Figure = field(default_factory=Figure)
    reissued: Figure = field(default_factory=Figure)  # lines of this batch paid again in a later one
    unconfirmed: Figure = field(default_factory=Figure)
    read: bool = False  # a return has been read for the batch (its payments exist)

    @property
    def to_reissue(self) -> Decimal:
        return max(ZERO, self.returned.amount - self.reissued.amount)

    @property
    def outstanding(self) -> Decimal:
        return self.unconfirmed.amount + self.to_reissue


def _sum(condition=None):
    return Sum("amount", filter=condition, default=ZERO)


def reconcile(batches) -> list[Reconciliation]:
    """One Reconciliation per batch, in the order given."""
    batches = list(batches)
    ids = [b.pk for b in batches]
    found = {b.pk: Reconciliation(batch=b) for b in batches}
    for row in (
        BankPayment.objects.filter(batch_id__in=ids)
        .values("batch_id")
        .annotate(
            n=Count("id"),
            sent_amount=_sum(),
            paid_n=Count("id", filter=Q(status=Status.PAID)),
            paid=_sum(Q(status=Status.PAID)),
            returned_n=Count("id", filter=Q(status=Status.RETURNED)),
            returned=_sum(Q(status=Status.RETURNED)),
        )
        .order_by()
    ):
        r = found[row["batch_id"]]
        r.read = True
        r.sent = Figure(row["n"], row["sent_amount"])
        r.paid = Figure(row["paid_n"], row["paid"])
        r.returned = Figure(row["returned_n"], row["returned"])
        r.unconfirmed = Figure(
            r.sent.count - r.paid.count - r.returned.count, r.sent.amount - r.paid.amount - r.returned.amount
        )
    for r in found.values():
        if r.read or r.batch.status != Batch.Status.SENT_TO_BANK:
            continue
        job = BankFileJob.objects.filter(batch=r.batch, status=BankFileJob.Status.DONE).order_by("-finished_at").first()
        if job is not None:
            r.sent = Figure(job.row_count, job.amount)
            r.unconfirmed = Figure(job.row_count, job.amount)
    for row in (
        Line.objects.filter(
            kind=Line.Kind.REISSUE, reissue_of__batch_id__in=ids, batch__status__in=Batch.FROZEN_STATUSES
        )
        .values("reissue_of__batch_id")
        .annotate(n=Count("id"), reissued=_sum())
        .order_by()
    ):
        found[row["reissue_of__batch_id"]].reissued = Figure(row["n"], row["reissued"])
    return [found[pk] for pk in ids]


def returned_payments(batch: Batch):
    """The batch's returned payments with whether each is re-issued yet (and in which batch)."""
    return (
        BankPayment.objects.filter(batch=batch, status=Status.RETURNED)
        .select_related("child", "township", "return_job")
        .order_by("township__code", "seq")
    )


def reissue_months(batch: Batch) -> dict[int, str]:
    """Child id -> the months of the batches that re-issued this batch's returned lines."""
    months: dict[int, set[str]] = {}
    for child_id, month in Line.objects.filter(kind=Line.Kind.REISSUE, reissue_of__batch=batch).values_list(
        "child_id", "batch__month"
    ):
        months.setdefault(child_id, set()).add(f"{month:%Y-%m}")
    return {child_id: "、".join(sorted(m)) for child_id, m in months.items()}


@dataclass
class LineStatus:
    line: Line
    status: str  # what the bank did with it, in words
    returned: bool = False
    reason: str = ""


def child_line_statuses(child, limit: int = 36) -> tuple[list[LineStatus], list[BankPayment]]:
    """The child's approved lines, newest first, each with its paid status; and the child's returned
    payments whose account still waits to be corrected (or re-issued)."""
    lines = list(
        Line.objects.filter(child=child, batch__status__in=Batch.FROZEN_STATUSES)
        .select_related("batch", "programme")
        .prefetch_related("reissues__batch")
        .order_by("-batch__month", "-period", "id")[:limit]
    )
    batch_ids = {line.batch_id for line in lines}
    payments = {
        (p.batch_id, p.account_number, p.payee_name, p.payee_id_number): p
        for p in BankPayment.objects.filter(child=child, batch_id__in=batch_ids)
    }
    read = set(BankPayment.objects.filter(batch_id__in=batch_ids).values_list("batch_id", flat=True).distinct())
    statuses = []
    for line in lines:
        payment = payments.get((line.batch_id, line.account_number.strip(), line.payee_name, line.payee_id_number))
        reissue = next(iter(line.reissues.all()), None)
        if line.batch.status != Batch.Status.SENT_TO_BANK:
            statuses.append(LineStatus(line, str(Batch.Status(line.batch.status).label) + "，" + _("未送银行")))
        elif payment is not None:
            status = LineStatus(line, payment.get_status_display(), payment.status == Status.RETURNED)
            if status.returned:
                status.reason = payment.get_reason_display()
                if reissue is not None:
                    status.status += "，" + _("已在 %(m)s 批次重发") % {"m": f"{reissue.batch.month:%Y-%m}"}
            statuses.append(status)
        elif not line.account_number or line.batch_id in read:
            statuses.append(LineStatus(line, _("未列入代发文件")))
        else:
            statuses.append(LineStatus(line, str(Status.SENT.label)))
    to_correct = [
        p
        for p in BankPayment.objects.filter(child=child, status=Status.RETURNED).select_related("batch")
        if not Line.objects.filter(reissue_of__batch=p.batch, reissue_of__child=child).exists()
    ]
    return statuses, to_correct
