"""Each line's paid status (发放状态), set-based: `with_paid_status(lines)` annotates a queryset of lines
with what the bank did with them, in the one query that reads the lines (correlated subqueries on the
batch's payments, by index), so a page of lines costs the same number of queries whatever its size.

A line is paid as part of its payment (one child's lines to one account, netted: `files.payments`),
so it takes its payment's result:
- 待送银行: the batch is approved (or exported), not yet sent to the bank;
- 已送银行（待回盘）: in the bank file, no return has said anything of it yet;
- 已发放 / 退票 (with the bank's reason): what the bank's return said;
- 已重发: returned, and paid again as a 重发 line of a later approved batch;
- 未列入代发文件: left out of the bank file (no account, or the child's lines netted to nothing).
"""

from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, TextChoices, Value, When
from django.db.models.functions import NullIf, Trim
from django.utils.translation import gettext_lazy as _

from ..models import Batch, Line
from .return_models import BankPayment


class PaidStatus(TextChoices):
    TO_SEND = "to_send", _("待送银行")
    SENT = "sent", _("已送银行（待回盘）")
    PAID = "paid", _("已发放")
    RETURNED = "returned", _("退票")
    REISSUED = "reissued", _("已重发")
    NOT_SENT = "not_sent", _("未列入代发文件")


def with_paid_status(lines):
    """`lines` annotated with `paid_status` (a PaidStatus value), the payment's `returned_reason` (a
    BankPayment.Reason code) and `bank_reason` (the bank's own words), None unless returned, and for a
    line paid again the 重发 line's id and batch (`reissued_by_id`, `reissued_in_batch_id`, `reissued_in_month`)."""
    payment = BankPayment.objects.filter(
        batch_id=OuterRef("batch_id"),
        child_id=OuterRef("child_id"),
        account_number=Trim(OuterRef("account_number")),
        payee_name=OuterRef("payee_name"),
        payee_id_number=OuterRef("payee_id_number"),
    ).order_by("seq")
    reissue = Line.objects.filter(reissue_of_id=OuterRef("pk"), batch__status__in=Batch.FROZEN_STATUSES)
    result = Subquery(payment.values("status")[:1], output_field=CharField())
    return lines.annotate(
        payment_status=result,
        returned_reason=NullIf(Subquery(payment.values("reason")[:1], output_field=CharField()), Value("")),
        bank_reason=NullIf(Subquery(payment.values("bank_reason")[:1], output_field=CharField()), Value("")),
        reissued_by_id=Subquery(reissue.values("pk")[:1]),
        reissued_in_batch_id=Subquery(reissue.values("batch_id")[:1]),
        reissued_in_month=Subquery(reissue.values("batch__month")[:1]),
        paid_status=Case(
            When(~Q(batch__status=Batch.Status.SENT_TO_BANK), then=Value(PaidStatus.TO_SEND)),
            When(
                Q(payment_status=BankPayment.Status.RETURNED, reissued_by_id__isnull=False),
                then=Value(PaidStatus.REISSUED),
            ),
            When(payment_status=BankPayment.Status.RETURNED, then=Value(PaidStatus.RETURNED)),
            When(payment_status=BankPayment.Status.PAID, then=Value(PaidStatus.PAID)),
            When(payment_status=BankPayment.Status.SENT, then=Value(PaidStatus.SENT)),
            # The payments are written when the batch's first return is read: from then on a line
            # without one was not in the file; before, a line without an account was not.
            When(Exists(BankPayment.objects.filter(batch_id=OuterRef("batch_id"))), then=Value(PaidStatus.NOT_SENT)),
            When(account_number="", then=Value(PaidStatus.NOT_SENT)),
            default=Value(PaidStatus.SENT),
            output_field=CharField(),
        ),
    )
