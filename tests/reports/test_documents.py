"""The printed documents read back as text: the monthly report, the case file (masked by role), the roster."""

import datetime

import pytest
from django.urls import reverse

from children.models import Carer
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.models import AuditEntry
from reports.documents import build_monthly_report, render_monthly_report_pdf, render_roster_pdf
from reports.figures import Period, Scope
from subsidies.models import Batch
from tests.pdf_support import pdf_pages, pdf_text

M = datetime.date


def packed(content: bytes) -> str:
    """The PDF's text without the spaces pdftotext puts between table cells and characters."""
    return pdf_text(content).replace(" ", "")


def test_the_monthly_report_prints_every_figure(world):
    report = build_monthly_report(Period(M(2026, 1, 1), M(2026, 5, 1)), Scope(label="全市"))
    content = render_monthly_report_pdf(report)
    assert content.startswith(b"%PDF")
    text = packed(content)
    pages = pdf_pages(content)
    assert text.count("定州市民政局") >= pages  # the running header on every page, the title on the first
    assert f"第1页共{pages}页" in text and f"第{pages}页共{pages}页" in text
    assert "儿童福利工作月报" in text
    assert "统计期：2026年1—5月" in text
    assert "14,650.00" in text  # the period's money, to the fen
    assert "12,650.00" in text  # of which normal
    assert "2,000.00" in text  # and arrears
    assert "11,650.00" in text and "3,000.00" in text  # per township
    assert "清风店镇" in text and "庞村镇" in text
    assert "被收养" in text  # the removal's reason
    assert "图1期末各类别儿童人数" in text and "图2各月发放金额" in text
    assert "<svg" not in pdf_text(content)


def test_the_monthly_report_has_the_other_apps_sections(world):
    text = packed(render_monthly_report_pdf(build_monthly_report(Period.of(M(2026, 5, 1)), Scope(label="全市"))))
    assert "巡视探访" in text
    assert "农村留守儿童委托监护" in text
    assert "收养登记" in text


def test_the_roster_totals_per_village_and_township(world, township_a, township_b):
    may = Batch.objects.get(month=M(2026, 5, 1))
    text = packed(render_roster_pdf(may, township_b))
    assert "庞村镇2026年5月儿童福利资金发放花名册" in text
    assert "乙一" in text and "甲一" not in text
    assert "庞村镇合计" in text
    # B1: May normal plus March and April arrears on one signature line.
    assert "3,000.00" in text and "2,000.00" in text
    assert "领取人签字" in text and "经办人（签章）" in text
    text = packed(render_roster_pdf(may, township_a))
    assert "1,530.00" in text  # A1 1,000.00 + A2 530.00
    assert "甲三" not in text  # paid through April
    assert world["a1"].id_number not in text
    assert mask_id_number(world["a1"].id_number) in text


def test_the_roster_prints_full_numbers_only_when_asked(world, township_a):
    may = Batch.objects.get(month=M(2026, 5, 1))
    text = packed(render_roster_pdf(may, township_a, masked=False))
    assert world["a1"].id_number in text
    assert "6217000012345678" in text


@pytest.fixture
def carer(world):
    return Carer.objects.create(
        child=world["a1"], name="张大爷", relationship="paternal_grandparent", phone="13800001234", is_primary=True
    )


@pytest.mark.parametrize("role", ["caseworker_a", "caseworker_village", "supervisor_a", "staff", "leader"])
def test_the_case_file_is_masked_unless_asked_in_full(request, client, world, carer, role):
    child = world["a1"]
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("reports:case_file", args=[child.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = packed(response.content)
    assert "儿童档案（一人一档）" in text and "甲一" in text
    assert child.id_number not in text and mask_id_number(child.id_number) in text
    assert "13800001234" not in text and "138****1234" in text
    assert "6217000012345678" not in text and "5678" in text
    assert "散居孤儿基本生活费" in text  # the enrolment and its payments
    assert "1,000.00" in text
    entry = AuditEntry.objects.filter(child=child, action=AuditEntry.Action.EXPORT).latest("id")
    assert entry.changes["masked"] is True

    response = client.post(reverse("reports:case_file", args=[child.pk]))
    assert response.status_code == 200
    text = packed(response.content)
    assert child.id_number in text and "13800001234" in text and "6217000012345678" in text
    entry = AuditEntry.objects.filter(child=child, action=AuditEntry.Action.EXPORT).latest("id")
    assert entry.changes["masked"] is False


def test_a_role_without_the_reveal_permission_gets_no_full_case_file(client, world, caseworker_a, monkeypatch):
    from django.contrib.auth.models import Group, Permission

    from dingzhou_welfare.roles import ROLE_PERMISSIONS

    reveal = "children.reveal_personal_data"
    monkeypatch.setitem(ROLE_PERMISSIONS, "caseworker", [p for p in ROLE_PERMISSIONS["caseworker"] if p != reveal])
    Group.objects.get(name="caseworker").permissions.remove(Permission.objects.get(codename="reveal_personal_data"))
    client.force_login(caseworker_a)
    assert client.post(reverse("reports:case_file", args=[world["a1"].pk])).status_code == 404
    assert client.get(reverse("reports:case_file", args=[world["a1"].pk])).status_code == 200


@pytest.mark.parametrize("role", ["caseworker_b", "administrator", "outsider"])
def test_the_case_file_outside_the_scope_is_not_found(request, client, world, role):
    client.force_login(request.getfixturevalue(role))
    before = AuditEntry.objects.count()
    assert client.get(reverse("reports:case_file", args=[world["a1"].pk])).status_code == 404
    assert client.post(reverse("reports:case_file", args=[world["a1"].pk])).status_code == 404
    assert AuditEntry.objects.count() == before
