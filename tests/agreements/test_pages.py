"""The agreement pages end to end: fill in (pre-filled), print, sign with a checked upload, end; the case file."""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.agreements import services as agreements
from children.models import GuardianshipAgreement
from dingzhou_welfare.models import AuditEntry
from tests.pdf_support import pdf_pages, pdf_text

from .support import GRANDMOTHER_ID, PNG, agreement_data, form_data

pytestmark = pytest.mark.django_db
SHOTS = Path(tempfile.gettempdir()) / "shots" / "care"  # the PDF is left there to look at
SHOTS.mkdir(parents=True, exist_ok=True)


def test_the_form_is_pre_filled_from_the_case_file_and_saves_a_draft(client, left_behind_a, caseworker_village):
    client.force_login(caseworker_village)
    url = reverse("children:agreement_add", args=[left_behind_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'value="王建军"' in response.text
    assert "北京市大兴区某物流公司" in response.text
    response = client.post(url, form_data())
    agreement = GuardianshipAgreement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("children:agreement", args=[left_behind_a.pk, agreement.pk])
    assert agreement.created_by == caseworker_village
    page = client.get(response.url)
    assert "待签订" in page.text
    case_file = client.get(reverse("children:detail", args=[left_behind_a.pk]))
    assert 'id="agreements"' in case_file.text
    assert "王桂兰" in case_file.text


def test_a_missing_declaration_is_shown_on_its_box_and_nothing_is_saved(client, left_behind_a, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(reverse("children:agreement_add", args=[left_behind_a.pk]), form_data(no_bad_habits=False))
    assert response.status_code == 400
    assert "信息尚未保存" in response.text
    assert "吸毒、酗酒、赌博" in response.context["form"].errors["no_bad_habits"][0]
    assert not GuardianshipAgreement.objects.exists()


def test_signing_needs_a_real_image_or_pdf(client, left_behind_a, caseworker_a, staff):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    client.force_login(caseworker_a)
    url = reverse("children:agreement_sign", args=[left_behind_a.pk, draft.pk])
    fake = SimpleUploadedFile("确认书.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    response = client.post(url, {"signed_on": "2026-05-30", "scan": fake})
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.text
    draft.refresh_from_db()
    assert draft.status == GuardianshipAgreement.Status.DRAFT
    scan = SimpleUploadedFile("确认书.png", PNG, content_type="image/png")
    response = client.post(
        url, {"signed_on": "2026-05-30", "scan": scan, "school_notified_on": "2026-05-31", "village_notified_on": ""}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == GuardianshipAgreement.Status.SIGNED
    assert draft.school_notified_on == datetime.date(2026, 5, 31)
    assert draft.village_notified_on == datetime.date(2026, 3, 2)  # kept from the form
    page = client.get(reverse("children:agreement", args=[left_behind_a.pk, draft.pk]))
    assert "已签订" in page.text
    assert reverse("children:document", args=[left_behind_a.pk, draft.scan_id]) in page.text
    # A signed agreement cannot be edited any more.
    edit = client.get(reverse("children:agreement_edit", args=[left_behind_a.pk, draft.pk]))
    assert edit.status_code == 302


def test_ending_from_the_page(client, left_behind_a, supervisor_a, staff):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    client.force_login(supervisor_a)
    url = reverse("children:agreement_end", args=[left_behind_a.pk, draft.pk])
    assert client.post(url, {"ended_on": "2026-06-01", "reason": ""}).status_code == 400
    response = client.post(url, {"ended_on": "2026-06-01", "reason": "not_signed", "note": "家长不同意"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == GuardianshipAgreement.Status.ENDED
    assert draft.end_note == "家长不同意"


def test_the_printed_agreement_is_filled_in_chinese_and_printing_is_audited(client, left_behind_a, caseworker_a, staff):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    client.force_login(caseworker_a)
    response = client.get(reverse("children:agreement_pdf", args=[left_behind_a.pk, draft.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    flat = text.replace(" ", "")  # pdftotext collapses or adds spaces between CJK runs
    (SHOTS / "agreement.pdf").write_bytes(response.content)
    for words in (
        "委托监护责任确认书",
        "定州市民政局",
        "王小明",
        "王建军",
        "北京市大兴区某物流公司",
        "王桂兰",
        GRANDMOTHER_ID,
        "68 岁",
        "2026年3月1日",
        "2027年2月28日",
        "具有完全民事行为能力",
        "无吸毒、酗酒、赌博等恶习",
        "受委托人（签字）",
        "村（居）委会（盖章）",
        "2026年3月2日",
    ):
        assert words.replace(" ", "") in flat, words
    pages = pdf_pages(response.content)
    assert pages == 2
    assert f"第1页共{pages}页" in flat
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).get()
    assert entry.child == left_behind_a
    assert entry.actor == caseworker_a


def test_the_carers_numbers_are_masked_until_revealed_and_revealing_is_audited(
    client, left_behind_a, caseworker_a, staff
):
    draft = agreements.save_agreement(actor=staff, child=left_behind_a, data=agreement_data())
    client.force_login(caseworker_a)
    page = client.get(reverse("children:agreement", args=[left_behind_a.pk, draft.pk])).text
    assert GRANDMOTHER_ID not in page and "13800002222" not in page
    assert 'id="reveal-carer"' in page
    url = reverse("children:agreement_reveal", args=[left_behind_a.pk, draft.pk])
    assert client.get(url).status_code == 405  # a reveal is a POST, never a link
    before = AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).count()
    page = client.post(url).text
    assert GRANDMOTHER_ID in page and "13800002222" in page
    assert 'id="reveal-carer"' not in page
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).latest("pk")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).count() == before + 1
    assert (entry.actor, entry.child) == (caseworker_a, left_behind_a)
    assert "委托监护确认书的受委托人身份证号和电话" in entry.summary
