"""Matching a return file's rows to the batch's payments (see returns.py): by reference, else by account
and amount (the first payment of that account and amount not yet matched in the file). Every row that
cannot be matched is an error naming the row and the field; the plan of changes is kept for the commit."""

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from dingzhou_welfare.idnumbers import mask_account

from .return_files import ReturnRow
from .return_models import BankPayment, BankReturnJob

PROGRESS_EVERY = 5000
ERRORS_KEPT = 100
RETURNED_KEPT = 500
CHUNK = 2000
REFERENCE = re.compile(r"^(FF\d{6}-\d{5})-(\d{6})$")


class ReturnRefused(ValueError):
    """The file is refused as a whole; `errors` name the rows and fields."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors[:3]))
        self.errors = errors


def match(job: BankReturnJob, rows, *, progress=None) -> dict:
    """Match every row to a payment of the job's batch; the plan of changes, or ReturnRefused."""
    batch = job.batch
    errors: list[str] = []
    by_pk, by_reference, by_key, accounts = {}, {}, defaultdict(list), defaultdict(set)
    for pk, reference, account, amount, status, reason, name, child in (
        BankPayment.objects.filter(batch=batch)
        .order_by("seq")
        .values_list("pk", "reference", "account_number", "amount", "status", "reason", "payee_name", "child__name")
        .iterator(chunk_size=CHUNK)
    ):
        by_pk[pk] = (reference, account, amount, status, reason, name, child)
        by_reference[reference] = pk
        by_key[(account, amount)].append(pk)
        accounts[account].add(amount)
    used: dict[int, int] = {}  # payment -> the row that matched it
    plan = {"paid": [], "returned": []}
    counts = {"rows": 0, "paid": 0, "returned": 0, "unchanged": 0, "amount_paid": 0, "amount_returned": 0}
    returned_list = []
    unknown = 0
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        if isinstance(row, tuple):
            errors.append(row[1])
            continue
        counts["rows"] += 1
        pk = _find(row, batch, by_pk, by_reference, by_key, accounts, used, errors)
        if pk is None:
            unknown += 1
            continue
        used[pk] = row.line
        reference, account, amount, status, reason, name, child = by_pk[pk]
        new = BankPayment.Status.PAID if row.paid else BankPayment.Status.RETURNED
        if status == new and (row.paid or reason == row.reason):
            counts["unchanged"] += 1
            continue
        if status != BankPayment.Status.SENT:
            errors.append(
                _("第%(n)d行（参考号 %(r)s）：该笔已确认为“%(old)s”，本文件为“%(new)s”，与此前的回盘矛盾。")
                % {
                    "n": row.line,
                    "r": reference,
                    "old": BankPayment.Status(status).label,
                    "new": BankPayment.Status(new).label,
                }
            )
            continue
        if row.paid:
            plan["paid"].append(pk)
            counts["paid"] += 1
            counts["amount_paid"] += amount
        else:
            plan["returned"].append([pk, row.reason, row.bank_reason])
            counts["returned"] += 1
            counts["amount_returned"] += amount
            if len(returned_list) < RETURNED_KEPT:
                returned_list.append(
                    {
                        "line": row.line,
                        "reference": reference,
                        "child": child,
                        "payee": name,
                        "account": mask_account(account),
                        "amount": f"{amount:.2f}",
                        "reason": str(BankPayment.Reason(row.reason).label),
                        "bank_reason": row.bank_reason,
                    }
                )
    if progress is not None:
        progress(counts["rows"])
    if not counts["rows"] and not errors:
        errors.append(_("文件中没有回盘数据。"))
    if errors:
        raise ReturnRefused(errors)
    sent = sum(1 for pk, p in by_pk.items() if p[3] == BankPayment.Status.SENT and pk not in used)
    counts["unconfirmed"] = sent
    return {"plan": plan, "counts": counts, "returned_list": returned_list}


def _find(row: ReturnRow, batch, by_pk, by_reference, by_key, accounts, used, errors) -> int | None:
    """The payment this row answers for, or None with the error added (naming the row and field)."""
    where = {"n": row.line, "a": mask_account(row.account), "m": f"{row.amount:.2f}", "r": row.reference}
    if row.reference:
        pk = by_reference.get(row.reference)
        if pk is None:
            found = REFERENCE.match(row.reference)
            if found and found[1] != batch.number:
                other = BankPayment.objects.filter(reference=row.reference).select_related("batch").first()
                month = f"{other.batch.month:%Y-%m}" if other else found[1]
                errors.append(
                    _("第%(n)d行“参考号”%(r)s属于%(o)s批次，不是本批次（%(b)s）。请选择正确的批次导入。")
                    % {**where, "o": month, "b": f"{batch.month:%Y-%m}"}
                )
            else:
                errors.append(_("第%(n)d行“参考号”%(r)s不在本批次的代发文件中。") % where)
            return None
        _reference, account, amount, *_rest = by_pk[pk]
        if account != row.account:
            errors.append(_("第%(n)d行“账号”%(a)s与代发文件中参考号 %(r)s 的账号不符。") % where)
            return None
        if amount != row.amount:
            errors.append(
                _("第%(n)d行“金额”%(m)s元与代发文件中参考号 %(r)s 的金额 %(s)s元不符。")
                % {**where, "s": f"{amount:.2f}"}
            )
            return None
        if pk in used:
            errors.append(_("第%(n)d行与第%(o)d行重复（参考号 %(r)s）。") % {**where, "o": used[pk]})
            return None
        return pk
    candidates = by_key.get((row.account, row.amount), [])
    free = next((pk for pk in candidates if pk not in used), None)
    if free is not None:
        return free
    if candidates:
        errors.append(
            _("第%(n)d行与第%(o)d行重复（账号 %(a)s，金额 %(m)s元）。") % {**where, "o": used[candidates[-1]]}
        )
    elif row.account in accounts:
        sent = "、".join(f"{a:.2f}" for a in sorted(accounts[row.account]))
        errors.append(_("第%(n)d行“金额”%(m)s元与代发文件中账号 %(a)s 的金额（%(s)s元）不符。") % {**where, "s": sent})
    else:
        other = (
            BankPayment.objects.filter(account_number=row.account, amount=row.amount)
            .exclude(batch=batch)
            .select_related("batch")
            .order_by("-batch__month")
            .first()
            if len(errors) < ERRORS_KEPT
            else None
        )
        if other is not None:
            errors.append(
                _("第%(n)d行（账号 %(a)s，金额 %(m)s元）属于%(o)s批次，不是本批次（%(b)s）。")
                % {**where, "o": f"{other.batch.month:%Y-%m}", "b": f"{batch.month:%Y-%m}"}
            )
        else:
            errors.append(_("第%(n)d行“账号”%(a)s（金额 %(m)s元）不在本批次的代发文件中。") % where)
    return None
