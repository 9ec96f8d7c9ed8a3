"""The bank return pages: upload, preview, confirm; the refusal naming the row; reconciliation per batch
and per month; the paid status on the child's page; who may see and do what (scope)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from subsidies.disbursement import compute_month
from subsidies.models import BankPayment, BankReturnJob, BankReturnLayout, Line
from tests.factories import make_user

from . import returns_support as support
from .returns_support import M, csv_bytes, import_file, rows_for, xlsx

frozen, staff2, draft, sent = support.frozen, support.staff2, support.draft, support.sent
pytestmark = pytest.mark.django_db
A, B = "6217000012345678", "6217000099998888"


def post_file(client, batch, content, name, capture):
    with capture(execute=True):
        return client.post(
            reverse("subsidies:bank_returns", kwargs={"month": batch.month}),
            {"layout": BankReturnLayout.objects.get(code="generic").pk, "file": SimpleUploadedFile(name, content)},
        )


def test_upload_preview_then_confirm(client, sent, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    page = client.get(reverse("subsidies:bank_returns", kwargs={"month": sent.month})).content.decode()
    assert 'id="upload"' in page and "待银行确认" in page
    response = post_file(
        client, sent, xlsx(rows_for(sent, {B: ("失败", "户名不符")})), "回盘.xlsx", django_capture_on_commit_callbacks
    )
    job = BankReturnJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("subsidies:return_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert job.status == "ready" or BankReturnJob.objects.get().status == "ready"
    assert 'id="preview-note"' in page and "确认导入" in page
    assert "本文件未包含的 1 笔仍为“待银行确认”" in page
    assert "户名不符" in page and "****" in page  # the account masked in the preview
    assert set(BankPayment.objects.values_list("status", flat=True)) == {"sent"}  # nothing written yet
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subsidies:return_confirm", args=[job.pk]))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'id="committed"' in page and "仍有 1 笔待银行确认" in page
    assert BankPayment.objects.get(account_number=B).status == "returned"
    # The batch page links the returns and the reconciliation; the reconciliation says what is left.
    batch_page = client.get(reverse("subsidies:batch", kwargs={"month": sent.month})).content.decode()
    assert 'id="bank-returns"' in batch_page and 'id="reconciliation"' in batch_page
    rec = client.get(reverse("subsidies:batch_reconciliation", kwargs={"month": sent.month})).content.decode()
    assert 'id="returned-count">1<' in rec and 'id="unconfirmed-count">1<' in rec and "待更正账户" in rec
    months = client.get(reverse("subsidies:reconciliation")).content.decode()
    assert "2026-04" in months and "已送银行" in months


def test_a_bad_file_on_the_page_names_the_row_and_writes_nothing(
    client, sent, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    rows = rows_for(sent, {A: ("成功", "")})
    rows[0][3] = "12.34"
    response = post_file(client, sent, csv_bytes(rows, "gbk"), "回盘.csv", django_capture_on_commit_callbacks)
    page = client.get(response.url).content.decode()
    assert 'id="return-errors"' in page and "第2行“金额”12.34元" in page and "未写入任何数据" in page
    assert 'id="confirm"' not in page
    assert set(BankPayment.objects.values_list("status", flat=True)) == {"sent"}
    empty = client.post(
        reverse("subsidies:bank_returns", kwargs={"month": sent.month}),
        {"layout": BankReturnLayout.objects.get(code="generic").pk, "file": SimpleUploadedFile("a.csv", b"")},
    )
    assert empty.status_code == 400 and "文件是空的" in empty.content.decode()


def test_the_childs_page_shows_each_lines_paid_status(client, sent, staff, child_a, child_b, supervisor_a):
    import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", ""), B: ("失败", "户名不符")})))
    client.force_login(staff)
    page = client.get(reverse("children:detail", args=[child_b.pk])).content.decode()
    assert 'id="payments"' in page and "退票（户名不符）" in page and "发放账户待更正" in page
    page = client.get(reverse("children:detail", args=[child_a.pk])).content.decode()
    assert page.count('class="paid-status">已发放') == Line.objects.filter(child=child_a).count()
    client.force_login(supervisor_a)  # township A: child_a's page, not child_b's
    assert "已发放" in client.get(reverse("children:detail", args=[child_a.pk])).content.decode()
    assert client.get(reverse("children:detail", args=[child_b.pk])).status_code == 404


def test_scope_county_staff_act_the_leader_reads_others_get_404(
    client, sent, staff, leader, supervisor_a, caseworker_a
):
    job = import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", "")})), confirm=False)
    month = {"month": sent.month}
    urls = [
        reverse("subsidies:bank_returns", kwargs=month),
        reverse("subsidies:return_job", args=[job.pk]),
        reverse("subsidies:batch_reconciliation", kwargs=month),
        reverse("subsidies:reconciliation"),
    ]
    for user in (supervisor_a, caseworker_a):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * 4
        assert client.post(reverse("subsidies:return_confirm", args=[job.pk])).status_code == 404
    client.force_login(leader)
    assert [client.get(url).status_code for url in urls] == [200] * 4
    assert 'id="upload"' not in client.get(urls[0]).content.decode()
    assert 'id="confirm"' not in client.get(urls[1]).content.decode()
    assert client.post(reverse("subsidies:return_confirm", args=[job.pk])).status_code == 404
    assert BankReturnJob.objects.get().status == "ready"


def test_a_frozen_account_confirmed_usable_is_reissued_without_a_change(client, sent, staff, child_b):
    import_file(sent, staff, xlsx(rows_for(sent, {A: ("成功", ""), B: ("失败", "账户冻结")})))
    payment = BankPayment.objects.get(account_number=B)
    assert payment.reason == "frozen"
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert not may.lines.filter(kind="reissue").exists()
    client.force_login(make_user("leader2", Role.LEADER))
    assert client.post(reverse("subsidies:payment_account_confirmed", args=[payment.pk])).status_code == 404
    client.force_login(staff)
    response = client.post(reverse("subsidies:payment_account_confirmed", args=[payment.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(child=child_b, summary__contains="账户已核实").count() == 1
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert (
        may.lines.filter(kind="reissue", child=child_b).count()
        == Line.objects.filter(batch=sent, child=child_b).count()
    )
