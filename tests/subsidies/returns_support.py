"""Shared set-up for the bank return tests: an April batch of three children sent to the bank (child_a2
has no account and is left out), and return files written as the bank would write them."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dingzhou_welfare.models import Role
from subsidies import bank
from subsidies.bank import returns
from subsidies.bank.files import sendable_payments
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import BankLayout, BankReturnJob, BankReturnLayout, Batch
from subsidies.problems import waive_problem
from tests.factories import make_user

from .conftest import enrol, make_orphan

M = datetime.date
HEADER = ["序号", "银行账号", "户名", "金额（元）", "业务参考号", "处理结果", "失败原因"]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)
    return time_machine


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def draft(frozen, child_a, child_a2, child_b, township_b, staff, staff2, supervisor_a, programmes):
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    for child, checker in ((child_a, supervisor_a), (child_a2, supervisor_a), (child_b, supervisor_b)):
        make_orphan(child, staff)
        enrol(
            child,
            programmes["orphan_scattered"],
            applicant=staff,
            checker=checker,
            confirmer=staff2,
            applied_on=M(2026, 1, 5),
            confirmed_on=M(2026, 1, 20),
        )
    child_a2.payment_account.account_number = ""
    child_a2.payment_account.save()
    child_b.payment_account.account_number = "6217000099998888"
    child_b.payment_account.payee_name = "李四"
    child_b.payment_account.save()
    return compute_month(month=M(2026, 4, 1), actor=staff)


def send(batch: Batch, actor) -> Batch:
    job = bank.start_bank_file(batch=batch, layout=BankLayout.objects.get(code="generic"), actor=actor, queue=False)
    bank.run_bank_file_job(job_id=job.pk)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SENT_TO_BANK
    return batch


@pytest.fixture
def sent(draft, staff, staff2):
    """April approved (child_a2's missing account waived) and its bank file generated: 已送银行."""
    waive_problem(batch=draft, kind="no_account", reason="账户待补录，下月补发", actor=staff2)
    return send(approve_batch(batch=draft, actor=staff2), staff)


def payments_of(batch) -> dict[str, object]:
    """Account -> the payment the bank file holds for it."""
    return {p.account: p for p in sendable_payments(batch)}


def rows_for(batch, outcomes: dict[str, tuple[str, str]], *, reference=True) -> list[list]:
    """Return rows for the accounts in `outcomes` (account -> (result, reason)), in file order."""
    rows = []
    for p in sendable_payments(batch):
        if p.account in outcomes:
            result, reason = outcomes[p.account]
            rows.append(
                [p.seq, p.account, p.payee_name, f"{p.amount:.2f}", p.reference if reference else "", result, reason]
            )
    return rows


def xlsx(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["定州农商银行代发回盘"])  # a title row above the header, as banks write
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8", header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(content: bytes, name="回盘.xlsx"):
    return SimpleUploadedFile(name, content)


def import_file(batch, actor, content: bytes, name="回盘.xlsx", *, confirm=True, layout="generic") -> BankReturnJob:
    """The page's two steps run here: check, then (if ready and asked) commit."""
    job = returns.start_return(
        batch=batch,
        layout=BankReturnLayout.objects.get(code=layout),
        upload=upload(content, name),
        actor=actor,
        queue=False,
    )
    returns.run_check(job_id=job.pk)
    job.refresh_from_db()
    if confirm and job.status == BankReturnJob.Status.READY:
        assert returns.confirm_return(job=job, actor=actor, queue=False)
        returns.run_commit(job_id=job.pk)
        job.refresh_from_db()
    return job


def total(lines) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))
