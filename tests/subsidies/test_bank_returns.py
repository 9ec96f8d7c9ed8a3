"""The bank's return (issue 15 item 2, DESIGN.md 3.2): each payment 已发放 or 退票 with the bank's reason,
the account corrected and the amount re-issued once in the next batch (重发), the same file twice
changing nothing, every bad file refused whole with the row and field named, and the command."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from dingzhou_welfare.models import AuditEntry
from reports.figures import Period, compute_report
from subsidies.bank import reconcile
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import BankPayment, BankReturnJob, Line
from subsidies.problems import waive_problem

from . import returns_support as support
from .returns_support import M, csv_bytes, import_file, payments_of, rows_for, send, total, xlsx

# The shared fixtures (returns_support): an April batch sent to the bank.
frozen, staff2, draft, sent = support.frozen, support.staff2, support.draft, support.sent

pytestmark = pytest.mark.django_db
Status = BankPayment.Status
A, B = "6217000012345678", "6217000099998888"


def approve(batch, actor):
    """child_a2 still has no account: the clerk waives it, as in April."""
    if batch.problems.filter(kind="no_account").exists():
        waive_problem(batch=batch, kind="no_account", reason="账户待补录", actor=actor)
    return approve_batch(batch=batch, actor=actor)


def statuses(batch) -> dict[str, str]:
    return dict(BankPayment.objects.filter(batch=batch).values_list("account_number", "status"))


def test_the_whole_cycle_pays_a_returned_amount_again_once(sent, staff, staff2, child_a, child_b, child_a2):
    april = sent
    returned_amount = payments_of(april)[B].amount
    the_return = xlsx(rows_for(april, {A: ("成功", ""), B: ("失败", "户名不符")}))
    job = import_file(april, staff, the_return)
    assert job.status == BankReturnJob.Status.DONE, job.errors or job.error
    assert (job.to_paid, job.to_returned, job.unconfirmed) == (1, 1, 0)
    assert statuses(april) == {A: Status.PAID, B: Status.RETURNED}
    refused = BankPayment.objects.get(batch=april, account_number=B)
    assert (refused.reason, refused.bank_reason) == (BankPayment.Reason.NAME_MISMATCH, "户名不符")
    # audited: the import, and the return with its child
    assert AuditEntry.objects.filter(object_type="bankreturnjob", object_id=str(job.pk), action="decision").exists()
    assert AuditEntry.objects.filter(child=child_b, summary__contains="退票").count() == 1

    # Not yet corrected: May pays no 重发.
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert not Line.objects.filter(batch=may, kind=Line.Kind.REISSUE).exists()

    # The account corrected; May recomputed: child_b's April lines are re-issued once, to the new name.
    child_b.payment_account.payee_name = "李小四"
    child_b.payment_account.save()
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    reissued = list(Line.objects.filter(batch=may, kind=Line.Kind.REISSUE))
    originals = Line.objects.filter(batch=april, child=child_b)
    assert {r.reissue_of_id for r in reissued} == set(originals.values_list("pk", flat=True))
    assert total(reissued) == returned_amount
    assert {r.payee_name for r in reissued} == {"李小四"}
    assert all(r.child_id == child_b.pk for r in reissued)
    # Recomputing the draft again still re-issues once; the batch's total holds it.
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert Line.objects.filter(batch=may, kind=Line.Kind.REISSUE).count() == len(reissued)
    assert may.total_amount == total(Line.objects.filter(batch=may))
    # A 重发 is not owed twice: the reconciliation of earlier months does not deduct it.
    assert not Line.objects.filter(batch=may, kind=Line.Kind.ADJUSTMENT).exists()

    may = approve(may, staff2)
    june = compute_month(month=M(2026, 6, 1), actor=staff)
    assert not Line.objects.filter(batch=june, kind=Line.Kind.REISSUE).exists()  # never twice

    # Re-importing the same return changes nothing.
    audit_before = AuditEntry.objects.count()
    again = import_file(april, staff, the_return)
    assert again.status == BankReturnJob.Status.REFUSED and again.duplicate_of_id == job.pk
    assert "再次导入不会有任何变化" in again.errors[0]
    assert statuses(april) == {A: Status.PAID, B: Status.RETURNED}
    assert AuditEntry.objects.count() == audit_before + 1  # only the upload itself
    # The same rows in a new file (other bytes) find every payment as it is: nothing to change.
    same_rows = import_file(
        april, staff, csv_bytes(rows_for(april, {A: ("成功", ""), B: ("失败", "户名不符")})), "r.csv"
    )
    assert (same_rows.to_paid, same_rows.to_returned, same_rows.unchanged) == (0, 0, 2)
    assert statuses(april) == {A: Status.PAID, B: Status.RETURNED}

    # Reconciliation: April's return re-issued in May.
    figures = reconcile.reconcile([april])[0]
    assert figures.returned.amount == returned_amount == figures.reissued.amount
    assert figures.outstanding == Decimal("0.00")


def test_due_and_paid_agree_in_the_report_once_the_reissue_is_paid(sent, staff, staff2, child_b, child_a2):
    april = sent
    import_file(april, staff, xlsx(rows_for(april, {A: ("成功", ""), B: ("失败", "账户不存在")})))
    april_report = compute_report(Period(M(2026, 4, 1), M(2026, 4, 1))).disbursed
    assert april_report.due == april.total_amount
    assert april_report.paid == payments_of(april)[A].amount
    assert april_report.returned == payments_of(april)[B].amount
    child_b.payment_account.account_number = "6217000077776666"
    child_b.payment_account.save()
    may = approve(compute_month(month=M(2026, 5, 1), actor=staff), staff2)
    may = send(may, staff)
    everything = dict.fromkeys(payments_of(may), ("成功", ""))
    assert import_file(may, staff, xlsx(rows_for(may, everything))).status == BankReturnJob.Status.DONE
    both = compute_report(Period(M(2026, 4, 1), M(2026, 5, 1))).disbursed
    # 应发 counts what was due once; 实发 what the bank paid, the 重发 included. Left apart: child_a2's
    # lines, never sent (no account). With them, the two agree: the April return was paid again in May.
    unsent = total(Line.objects.filter(child=child_a2))
    assert both.returned == both.reissued == payments_of(april)[B].amount
    assert both.paid == both.due - unsent
    assert both.unconfirmed == unsent


def test_a_partial_return_leaves_the_rest_unconfirmed(sent, staff):
    job = import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", "")})), confirm=False)
    assert job.status == BankReturnJob.Status.READY
    assert (job.to_paid, job.unconfirmed) == (1, 1)
    assert set(statuses(sent).values()) == {Status.SENT}  # a preview writes nothing
    returns_done = import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", "")})))
    assert statuses(sent) == {A: Status.PAID, B: Status.SENT}
    assert returns_done.unconfirmed == 1
    # The rest comes later in a second file; the first one's rows there change nothing.
    later = import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", ""), B: ("成功", "")})))
    assert (later.status, later.to_paid, later.unchanged, later.unconfirmed) == ("done", 1, 1, 0)


def test_matching_by_account_and_amount_without_a_reference(sent, staff):
    rows = rows_for(sent, {A: ("成功", ""), B: ("失败", "该账户已冻结")}, reference=False)
    job = import_file(sent, staff, csv_bytes(rows, "gbk"), name="回盘.csv")
    assert job.status == BankReturnJob.Status.DONE, job.errors
    assert BankPayment.objects.get(batch=sent, account_number=B).reason == BankPayment.Reason.FROZEN


def refused(batch, staff, content, name="回盘.xlsx") -> str:
    job = import_file(batch, staff, content, name)
    assert job.status == BankReturnJob.Status.REFUSED, job.status
    assert set(statuses(batch).values()) <= {Status.SENT}  # nothing written
    assert not BankReturnJob.objects.filter(status="done").exists()
    return " ".join(job.errors)


def test_a_row_of_another_batch_is_refused_naming_the_row(sent, staff):
    rows = rows_for(sent, {A: ("成功", ""), B: ("成功", "")})
    rows[1][4] = "FF202603-00009-000002"
    assert "第4行“参考号”FF202603-00009-000002属于FF202603-00009批次，不是本批次（2026-04）" in refused(
        sent, staff, xlsx(rows)
    )


def test_a_different_amount_is_refused_naming_the_row_and_field(sent, staff):
    rows = rows_for(sent, {A: ("成功", ""), B: ("成功", "")})
    rows[0][3] = "1.00"
    assert "第3行“金额”1.00元与代发文件中参考号" in refused(sent, staff, xlsx(rows))
    rows = rows_for(sent, {A: ("成功", "")}, reference=False)
    rows[0][3] = "1.00"
    assert "第3行“金额”1.00元与代发文件中账号" in refused(sent, staff, xlsx(rows))


def test_duplicate_lines_are_refused(sent, staff):
    rows = rows_for(sent, {A: ("成功", "")})
    assert "第4行与第3行重复" in refused(sent, staff, xlsx(rows + rows))
    rows = rows_for(sent, {A: ("成功", "")}, reference=False)
    assert "第4行与第3行重复" in refused(sent, staff, xlsx(rows + rows))


def test_a_line_the_batch_does_not_know_refuses_the_file(sent, staff):
    rows = [
        *rows_for(sent, {A: ("成功", "")}, reference=False),
        [9, "6222000000000001", "王五", "100.00", "", "成功", ""],
    ]
    message = refused(sent, staff, xlsx(rows))
    assert "第4行“账号”" in message and "不在本批次的代发文件中" in message


def test_wrong_encoding_empty_and_unreadable_files_are_refused(sent, staff):
    assert "文件是空的" in refused(sent, staff, b"", "回盘.csv")
    assert "编码无法识别" in refused(sent, staff, b"\xff\xfe\x80\x80\xff,\x80\r\n", "回盘.csv")
    assert "UTF-16" in refused(sent, staff, "银行账号,金额".encode("utf-16"), "回盘.csv")
    assert "只有表头" in refused(sent, staff, csv_bytes([]), "回盘.csv")
    assert "找不到表头行" in refused(sent, staff, b"a,b,c\r\n1,2,3\r\n", "回盘.csv")
    rows = rows_for(sent, {A: ("处理中", "")})
    assert "第3行“处理结果”为“处理中”" in refused(sent, staff, xlsx(rows))
    rows = rows_for(sent, {A: ("成功", "")})
    rows[0][3] = "abc"
    assert "第3行“金额（元）”不是有效金额：abc" in refused(sent, staff, xlsx(rows))


def test_a_return_contradicting_an_earlier_one_is_refused(sent, staff):
    import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", "")})))
    message = refused_after(sent, staff, xlsx(rows_for(sent, {A: ("失败", "销户")})))
    assert "该笔已确认为“已发放”，本文件为“退票”" in message


def refused_after(batch, staff, content) -> str:
    before = statuses(batch)
    job = import_file(batch, staff, content)
    assert job.status == BankReturnJob.Status.REFUSED
    assert statuses(batch) == before
    return " ".join(job.errors)


def test_a_batch_not_sent_to_the_bank_takes_no_return(draft, staff):
    with pytest.raises(Exception, match="生成银行代发文件（已送银行）后才能导入银行回盘"):
        import_file(draft, staff, xlsx([]))


def test_the_command_imports_once_and_refuses_a_bad_file(sent, staff, leader, tmp_path):
    path = tmp_path / "HZ202604.xlsx"
    path.write_bytes(xlsx(rows_for(sent, {A: ("成功", ""), B: ("失败", "户名不符")})))
    from io import StringIO

    out = StringIO()
    call_command("import_bank_returns", str(path), "--user", "staff", "--dry-run", stdout=out)
    assert "已发放 1 笔" in out.getvalue() and "退票 1 笔" in out.getvalue() and "--dry-run" in out.getvalue()
    assert set(statuses(sent).values()) == {Status.SENT}
    out = StringIO()
    call_command("import_bank_returns", str(path), "--user", "staff", "--month", "2026-04", stdout=out)
    assert "已导入" in out.getvalue() and "户名不符" in out.getvalue()
    assert statuses(sent) == {A: Status.PAID, B: Status.RETURNED}
    out = StringIO()
    call_command("import_bank_returns", str(path), "--user", "staff", stdout=out)
    assert "再次导入不会有任何变化" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([[1, "6222000000000001", "王五", "9.00", "", "成功", ""]]))
    with pytest.raises(CommandError, match="第2行“账号”"):
        call_command("import_bank_returns", str(bad), "--user", "staff")
    with pytest.raises(CommandError, match="只有儿童福利股可以导入"):
        call_command("import_bank_returns", str(path), "--user", leader.username)
