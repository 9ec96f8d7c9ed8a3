"""The adoption pages through the test client: list, case page, forms per step, uploads, PDFs, who sees what."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adoption.models import AdoptionCase, CaseDocument, State
from dingzhou_welfare.confirm import confirm_token
from dingzhou_welfare.models import AuditEntry
from tests.factories import ChildFactory, make_id_number
from tests.pdf_support import pdf_pages, pdf_text

from .conftest import PNG, applicant_data, make_case

D = datetime.date.fromisoformat
pytestmark = pytest.mark.usefixtures("frozen")


def test_the_list_counts_cases_by_state_and_filters(client, staff, township_a):
    make_case(staff, ChildFactory(township=township_a, name="甲"), up_to=State.APPLICATION)
    make_case(staff, ChildFactory(township=township_a, name="乙"), up_to=State.REVIEW)
    make_case(staff, ChildFactory(township=township_a, name="丙"), up_to=State.DECISION)
    client.force_login(staff)
    page = client.get(reverse("adoption:list")).content.decode()
    for name in "甲乙丙":
        assert name in page
    assert '登记审查 <span class="tag">1</span>' in page
    page = client.get(reverse("adoption:list"), {"state": "review"}).content.decode()
    assert "乙" in page
    assert ">甲<" not in page


def test_the_list_does_not_grow_queries_with_cases(client, staff, township_a, django_assert_max_num_queries):
    for i in range(6):
        make_case(staff, ChildFactory(township=township_a, name=f"童{i}"), up_to=State.APPLICATION)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("adoption:list"))
    assert response.status_code == 200


def test_a_new_case_from_the_child_id_number(client, staff, child_a):
    client.force_login(staff)
    data = {
        "child_ref": child_a.id_number.lower(),
        "origin": "institution",
        "parents_unknown": "on",
        "applied_on": "2026-05-20",
        "placer_kind": "institution",
        "placer_name": "定州市儿童福利院",
    }
    response = client.post(reverse("adoption:create"), data)
    case = AdoptionCase.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("adoption:detail", args=[case.pk])
    assert (case.child, case.state, case.created_by) == (child_a, State.APPLICATION, staff)
    page = client.get(response.url).content.decode()
    assert "登记至少一名收养人" in page
    assert "送养人：送养意见书" in page


def test_a_new_case_for_an_unknown_child_says_so(client, staff):
    client.force_login(staff)
    for ref in ("130682201503140010", "99999999999999999", "王小明"):
        response = client.post(reverse("adoption:create"), {"child_ref": ref, "applied_on": "2026-05-20"})
        assert response.status_code == 400
        assert "没有找到该儿童档案，请核对身份证号或档案编号。" in response.content.decode()
    assert not AdoptionCase.objects.exists()


def test_an_applicant_with_a_wrong_check_digit_is_not_saved(client, staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION, applicants=[])
    client.force_login(staff)
    data = applicant_data()
    number = data["id_number"]
    data["id_number"] = number[:17] + ("1" if number[17] != "1" else "2")
    data["able_to_raise"] = "unknown"
    data["housing_area"] = "90"
    response = client.post(reverse("adoption:applicant_add", args=[case.pk]), data)
    assert response.status_code == 400
    assert f"身份证号校验位错误：最后一位应为 {number[17]}" in response.content.decode()
    data["id_number"] = number
    response = client.post(reverse("adoption:applicant_add", args=[case.pk]), data)
    assert response.status_code == 302
    page = client.get(reverse("adoption:detail", args=[case.pk])).content.decode()
    assert "张建国 已婚，须与配偶共同收养" in page  # 1101, shown with its article
    assert "初审尚未确认" in page
    assert number not in page  # masked on the case page


def test_an_upload_must_be_what_its_name_says(client, staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION)
    before = case.documents.count()
    client.force_login(staff)
    url = reverse("adoption:document_upload", args=[case.pk])
    fake = SimpleUploadedFile("体检证明.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"party": "placer", "kind": "placer_id", "file": fake})
    assert response.status_code == 400
    assert "文件内容与扩展名不符，可能已损坏或不是 PDF 文件。" in response.content.decode()
    png = SimpleUploadedFile("身份证.png", PNG, content_type="application/octet-stream")
    response = client.post(url, {"party": "applicant", "kind": "hukou_id", "file": png})
    assert response.status_code == 400
    assert "请选择这份材料属于哪一名收养人。" in response.content.decode()
    png.seek(0)
    applicant = case.applicants.first()
    response = client.post(url, {"party": "applicant", "applicant": applicant.pk, "kind": "hukou_id", "file": png})
    assert response.status_code == 302
    document = case.documents.order_by("-id").first()
    assert case.documents.count() == before + 1
    assert (document.applicant, document.content_type) == (applicant, "image/png")
    response = client.get(reverse("adoption:document", args=[case.pk, document.pk]))
    assert b"".join(response.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="download", object_id=str(document.pk)).count() == 1


def test_a_document_of_another_case_is_not_found(client, staff, child_a, child_b):
    own, other = make_case(staff, child_a, up_to=State.APPLICATION), make_case(staff, child_b, up_to=State.APPLICATION)
    client.force_login(staff)
    document = CaseDocument.objects.filter(case=other).first()
    assert client.get(reverse("adoption:document", args=[own.pk, document.pk])).status_code == 404


def test_steps_through_the_forms_and_the_error_of_a_skipped_one(client, staff, child_a):
    case = make_case(staff, child_a, up_to=State.APPLICATION)
    client.force_login(staff)
    response = client.post(reverse("adoption:register", args=[case.pk]), {"registered_on": "2026-06-01"})
    assert response.status_code == 400
    assert (
        '<div class="errors" role="alert"><p>案件当前为“申请”，不能进行此操作。</p></div>' in response.content.decode()
    )
    response = client.post(reverse("adoption:submit", args=[case.pk]), {"note": "材料齐全"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.REVIEW
    response = client.post(
        reverse("adoption:start_assessment", args=[case.pk]),
        {"notified_on": "2026-05-01", "mode": "team", "assessors": [staff.pk]},
    )
    assert response.status_code == 400
    assert "评估小组至少由两名工作人员组成。" in response.content.decode()


def test_registration_through_the_page(client, staff, child_a):
    case = make_case(staff, child_a)
    client.force_login(staff)
    page = client.get(reverse("adoption:detail", args=[case.pk])).content.decode()
    assert "材料和条件齐备，可以办理下一步。" in page
    token = confirm_token(staff, "adoption_register", case.pk)
    response = client.post(
        reverse("adoption:register", args=[case.pk]), {"registered_on": "2026-06-01", "confirm": token}, follow=True
    )
    assert "已办理收养登记" in response.content.decode()
    assert "130682-2026-00001" in response.content.decode()


def test_the_leader_reads_but_cannot_act(client, staff, leader, child_a):
    case = make_case(staff, child_a)
    client.force_login(leader)
    page = client.get(reverse("adoption:detail", args=[case.pk])).content.decode()
    assert child_a.name in page
    assert 'action="/adoption/' not in page  # no step form at all
    assert client.post(reverse("adoption:register", args=[case.pk]), {"registered_on": "2026-06-01"}).status_code == 404
    assert client.get(reverse("adoption:create")).status_code == 404
    case.refresh_from_db()
    assert case.state == State.DECISION


def test_county_level_only(client, staff, supervisor_a, caseworker_a, child_a):
    case = make_case(staff, child_a)
    for user in (supervisor_a, caseworker_a):
        client.force_login(user)
        assert client.get(reverse("adoption:list")).status_code == 404
        response = client.get(reverse("adoption:detail", args=[case.pk]))
        assert response.status_code == 404
        assert child_a.name not in response.content.decode()


def test_the_assessment_report_pdf(client, staff, child_a):
    case = make_case(staff, child_a)
    client.force_login(staff)
    response = client.get(reverse("adoption:assessment_pdf", args=[case.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in ("收养评估报告", "收养动机", "社区环境", "与被收养人融合情况", "适合收养", "孩子与收养人相处融洽"):
        assert expected in text.replace(" ", ""), expected
    assert case.applicants.first().id_number in text  # staff may see it in full; the print is audited
    assert AuditEntry.objects.filter(action="export", summary__startswith="打印收养评估报告").count() == 1
    assert pdf_pages(content) >= 2


def test_the_registration_record_pdf(client, staff, child_a):
    case = make_case(staff, child_a)
    from adoption.services import register_adoption

    register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    client.force_login(staff)
    content = client.get(reverse("adoption:registration_pdf", args=[case.pk])).content
    text = pdf_text(content).replace(" ", "")
    for expected in ("收养登记审查处理表", "准予登记", "130682-2026-00001", "第1102条", "第1098(5)条"):
        assert expected in text, expected


def test_no_pdf_before_there_is_something_to_print(client, staff, child_a):
    case = make_case(staff, child_a, up_to=State.INTEGRATION)
    client.force_login(staff)
    assert client.get(reverse("adoption:assessment_pdf", args=[case.pk])).status_code == 404
    assert client.get(reverse("adoption:registration_pdf", args=[case.pk])).status_code == 404


def test_a_foundling_without_an_id_number_by_file_number(client, staff, township_a):
    foundling = ChildFactory(township=township_a, id_number="", no_id_reason="弃婴，尚未落户")
    client.force_login(staff)
    data = {
        "child_ref": str(foundling.pk),
        "origin": "foundling",
        "applied_on": "2026-05-20",
        "placer_kind": "guardian",
        "placer_name": "王大山",
        "placer_id_number": make_id_number(D("1970-01-01"), "M"),
    }
    assert client.post(reverse("adoption:create"), data).status_code == 302
    case = AdoptionCase.objects.get(child=foundling)
    assert case.parents_unknown
    page = client.get(reverse("adoption:detail", args=[case.pk])).content.decode()
    assert "登记前须发布寻亲公告" in page


def test_the_child_page_links_to_the_case_for_staff_only(client, staff, leader, caseworker_a, child_a):
    case = make_case(staff, child_a, up_to=State.REVIEW)
    client.force_login(staff)
    page = client.get(reverse("children:detail", args=[child_a.pk])).content.decode()
    assert reverse("adoption:detail", args=[case.pk]) in page
    assert f"{reverse('adoption:create')}?child={child_a.pk}" in page
    new_case_form = client.get(reverse("adoption:create"), {"child": child_a.pk}).content.decode()
    assert f'value="{child_a.pk}"' in new_case_form
    client.force_login(leader)
    page = client.get(reverse("children:detail", args=[child_a.pk])).content.decode()
    assert reverse("adoption:detail", args=[case.pk]) in page
    assert reverse("adoption:create") not in page
    client.force_login(caseworker_a)
    page = client.get(reverse("children:detail", args=[child_a.pk])).content.decode()
    assert "/adoption/" not in page
