"""重发: the next batch pays again, once, what the bank returned (退票), after the account is corrected.

`reissue_lines(batch, township_id)` is called by the engine (`disbursement.compute_township`) in the
township's transaction, after the township's own lines are written. For each returned payment of a
child now in the township, from an earlier batch, whose account has since been corrected (the child's
account number or payee differs from the one the bank refused, or staff confirmed the same account
usable again), every line of that payment not yet re-issued gets a 重发 line: same enrolment, period
and amount, to the child's account as it is now. `Line.reissue_of` is unique, so a line is re-issued
once whatever batch, worker or rerun computes it; a draft recomputed rewrites its own 重发 lines.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from children.models import PaymentAccount

from ..models import Batch, Line
from .return_models import BankPayment


def corrected(payment: BankPayment, account: dict | None) -> bool:
    if not account or not account["account_number"]:
        return False
    if payment.corrected_at is not None:
        return True
    return (account["account_number"].strip(), account["payee_name"]) != (payment.account_number, payment.payee_name)


def reissue_lines(batch: Batch, township_id: int) -> list[Line]:
    returned = list(
        BankPayment.objects.filter(
            status=BankPayment.Status.RETURNED, child__township_id=township_id, batch__month__lt=batch.month
        ).select_related("batch")
    )
    if not returned:
        return []
    accounts = {
        a["child_id"]: a
        for a in PaymentAccount.objects.filter(child_id__in={p.child_id for p in returned}).values(
            "child_id", "payee_name", "payee_relationship", "payee_id_number", "bank_name", "account_number"
        )
    }
    made, taken = [], set()
    for payment in returned:
        account = accounts.get(payment.child_id)
        if not corrected(payment, account):
            continue
        originals = (
            Line.objects.filter(
                batch_id=payment.batch_id,
                child_id=payment.child_id,
                account_number=payment.account_number,
                payee_name=payment.payee_name,
                payee_id_number=payment.payee_id_number,
            )
            .filter(~Q(reissues__isnull=False))
            .select_related("child__village")
            .order_by("id")
        )
        note = _("重发%(m)s退票（%(r)s）") % {"m": f"{payment.batch.month:%Y-%m}", "r": payment.get_reason_display()}
        for line in originals:
            key = (line.enrolment_id, line.period)
            if key in taken:  # a second 重发 of the same month waits for the next batch
                continue
            taken.add(key)
            made.append(
                Line(
                    batch=batch,
                    enrolment_id=line.enrolment_id,
                    child_id=line.child_id,
                    programme_id=line.programme_id,
                    township_id=township_id,
                    village_name=line.child.village.name if line.child.village_id else line.village_name,
                    period=line.period,
                    kind=Line.Kind.REISSUE,
                    standard=line.standard,
                    amount=line.amount,
                    note=note[:200],
                    payee_name=account["payee_name"],
                    payee_relationship=account["payee_relationship"],
                    payee_id_number=account["payee_id_number"],
                    bank_name=account["bank_name"],
                    account_number=account["account_number"],
                    reissue_of=line,
                )
            )
    Line.objects.bulk_create(made)
    return made
