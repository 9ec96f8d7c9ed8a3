"""The visit pages through the test client: the phone form, photos within scope, review, work list, panels."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry
from visits.models import MandatoryReport, Visit, VisitPhoto
from visits.schedule import run_nightly
from visits.services import record_visit, review_visit

from .support import JPEG, PNG, form_data, visit_data

pytestmark = pytest.mark.usefixtures("frozen", "cared_for")


def post_visit(client, child, **overrides):
    return client.post(reverse("visits:create", args=[child.pk]), form_data(**overrides))


def test_caseworker_records_a_visit_with_photos(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    page = client.get(reverse("visits:create", args=[child_a.pk]))
    assert page.status_code == 200
    assert f'data-draft-key="visit-draft:{child_a.pk}:new"' in page.text
    assert "风险等级如何判定" in page.text and "失学辍学" in page.text  # the rules are on the page
    photos = [
        SimpleUploadedFile("门口.jpg", JPEG, content_type="image/jpeg"),
        SimpleUploadedFile("厨房.png", PNG, content_type="application/octet-stream"),  # the browser's word ignored
    ]
    response = post_visit(
        client, child_a, living_rating="poor", living_note="屋顶漏雨", problems="屋顶漏雨", photos=photos
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("visits:detail", args=[visit.pk]) + f"?saved={child_a.pk}:new"
    assert visit.risk_level == "medium" and visit.living_note == "屋顶漏雨"
    assert sorted(visit.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/png"]

    detail = client.get(response.url)
    assert f'data-clear-draft="visit-draft:{child_a.pk}:new"' in detail.text  # the browser drops its draft
    assert "屋顶漏雨" in detail.text and "一个方面评为“较差”（监护情况以外）" in detail.text
    photo = visit.photos.get(original_name="厨房.png")
    served = client.get(reverse("visits:photo", args=[visit.pk, photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == PNG


def test_a_photo_is_not_served_outside_scope_or_through_another_visit(
    client, caseworker_a, caseworker_b, child_a, child_b
):
    upload = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data(), photos=[upload])
    other = record_visit(actor=caseworker_b, child=child_b, data=visit_data())
    photo = visit.photos.get()
    client.force_login(caseworker_b)
    assert client.get(reverse("visits:photo", args=[visit.pk, photo.pk])).status_code == 404
    assert client.get(reverse("visits:photo", args=[other.pk, photo.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("伪装.jpg", b"MZ\x90\x00 not an image at all", "不是 JPG、PNG 或 WebP 图片"),
        ("说明.pdf", b"%PDF-1.7\n", "不是 JPG、PNG 或 WebP 图片"),
    ],
)
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_saved(client, caseworker_a, child_a, name, content, message):
    client.force_login(caseworker_a)
    response = post_visit(client, child_a, photos=[SimpleUploadedFile(name, content, content_type="image/jpeg")])
    assert response.status_code == 400
    assert message in response.text
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_a_photo_over_the_size_cap_is_refused(client, caseworker_a, child_a, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(caseworker_a)
    big = SimpleUploadedFile("大.jpg", JPEG + b"\x00" * (1024 * 1024), content_type="image/jpeg")
    response = post_visit(client, child_a, photos=[big])
    assert response.status_code == 400
    assert "不能超过 1 MB" in response.text
    assert not Visit.objects.exists()


def test_every_dimension_must_be_rated_and_errors_say_so(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    data = form_data()
    data.pop("mental_rating")
    response = client.post(reverse("visits:create", args=[child_a.pk]), data)
    assert response.status_code == 400
    assert "探访记录尚未保存" in response.text
    assert 'data-bound="true"' in response.text  # the browser keeps the posted values, not an older draft
    assert response.context["form"].errors["mental_rating"]
    response = post_visit(client, child_a, suspected_harm="on", harm_description="")
    assert "须写明发现的情况" in response.text
    assert not Visit.objects.exists()


def test_a_suspected_harm_reaches_the_bureau_at_once(client, caseworker_a, caseworker_b, staff, child_a):
    client.force_login(caseworker_a)
    response = post_visit(client, child_a, suspected_harm="on", harm_description="孩子说经常被锁在屋里。")
    assert response.status_code == 302
    report = MandatoryReport.objects.get()
    client.force_login(staff)
    dashboard = client.get(reverse("dashboard"))
    assert "1 份强制报告待处置" in dashboard.text
    reports = client.get(reverse("visits:reports"))
    assert "孩子说经常被锁在屋里。" in reports.text and child_a.name in reports.text
    response = client.post(reverse("visits:report_handle", args=[report.pk]), {"handling": "已报派出所出警。"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "handled"
    client.force_login(caseworker_b)
    assert child_a.name not in client.get(reverse("dashboard")).text


def test_supervisor_returns_a_visit_and_the_visitor_corrects_it(client, caseworker_a, supervisor_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data())
    client.force_login(supervisor_a)
    queue = client.get(reverse("visits:review_queue"))
    assert child_a.name in queue.text
    detail = client.get(reverse("visits:detail", args=[visit.pk]))
    assert "提交审核意见" in detail.text
    response = client.post(reverse("visits:review", args=[visit.pk]), {"decision": "return", "comment": ""})
    assert response.status_code == 400 and "退回时须写明原因" in response.text
    response = client.post(
        reverse("visits:review", args=[visit.pk]), {"decision": "return", "comment": "请补拍居住环境照片。"}
    )
    assert response.status_code == 302

    client.force_login(caseworker_a)
    assert "被退回待修改" in client.get(reverse("dashboard")).text
    worklist = client.get(reverse("visits:worklist"))
    assert "请补拍居住环境照片。" in worklist.text
    edit = client.get(reverse("visits:edit", args=[visit.pk]))
    assert edit.status_code == 200 and "退回原因" in edit.text
    response = client.post(
        reverse("visits:edit", args=[visit.pk]),
        form_data(photos=[SimpleUploadedFile("屋内.jpg", JPEG, content_type="image/jpeg")]),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == "submitted" and visit.photos.count() == 1
    assert client.get(reverse("visits:edit", args=[visit.pk])).status_code == 404  # no longer returned


def test_the_case_file_shows_the_visit_history(client, caseworker_a, supervisor_a, child_a):
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data(guardianship_rating="poor"))
    review_visit(actor=supervisor_a, visit=visit, accept=True)
    client.force_login(caseworker_a)
    page = client.get(reverse("children:detail", args=[child_a.pk]))
    assert 'id="visits"' in page.text
    assert reverse("visits:detail", args=[visit.pk]) in page.text
    assert "重点巡防对象" in page.text and "已通过" in page.text and "高风险" in page.text


def test_patrol_by_hand_from_the_case_file(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    url = reverse("visits:patrol", args=[child_a.pk])
    assert client.post(url, {"patrol": "on", "reason": ""}).status_code == 400
    assert client.post(url, {"patrol": "on", "reason": "父母离异后无人过问"}).status_code == 302
    entry = AuditEntry.objects.get(object_type="visitschedule")
    assert "父母离异后无人过问" in entry.summary and entry.child == child_a
    page = client.get(reverse("visits:worklist"), {"show": "patrol"})
    assert child_a.name in page.text


def test_the_work_list_is_scoped_and_its_queries_pinned(
    client, caseworker_a, caseworker_village, staff, child_a, child_a2, child_b, django_assert_num_queries
):
    for child in (child_a, child_a2, child_b):
        record_visit(
            actor=staff, child=child, data=visit_data(visited_on=datetime.date(2026, 4, 1), health_rating="serious")
        )
    run_nightly()
    client.force_login(caseworker_village)
    page = client.get(reverse("visits:worklist"), {"show": "overdue"})
    assert child_a.name in page.text
    assert child_a2.name not in page.text and child_b.name not in page.text
    assert "逾期 31 天" in page.text
    client.force_login(staff)
    page = client.get(reverse("visits:worklist"))
    assert all(child.name in page.text for child in (child_a, child_a2, child_b))
    assert page.context["workload"]["overdue"] == 3
    client.force_login(caseworker_a)
    # session, user with profile, scope 2, page 2, figures 4, returned, filter, session renewed 3
    with django_assert_num_queries(15):
        client.get(reverse("visits:worklist"))


def test_staff_change_the_intervals(client, staff, caseworker_a):
    client.force_login(staff)
    response = client.post(reverse("visits:intervals"), {"high": 20, "medium": 60, "low": 120, "first": 0})
    assert response.status_code == 400
    response = client.post(reverse("visits:intervals"), {"high": 20, "medium": 60, "low": 120, "first": 15})
    assert response.status_code == 302
    client.force_login(caseworker_a)
    assert client.get(reverse("visits:intervals")).status_code == 404


def test_dashboard_panel_shows_the_nightly_figures(client, supervisor_a, staff, child_a, child_a2):
    record_visit(
        actor=staff, child=child_a, data=visit_data(visited_on=datetime.date(2026, 4, 1), health_rating="serious")
    )
    run_nightly()
    client.force_login(supervisor_a)
    page = client.get(reverse("dashboard"))
    assert 'id="visits-panel"' in page.text
    panel = page.context["visits"]
    assert panel["workload"]["overdue"] == 1 and panel["workload"]["patrol"] == 1
    assert panel["to_review"] == 1


def test_the_error_summary_links_each_error_to_its_field(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    data = form_data(living_rating="serious", living_note=" ", suspected_harm="on", harm_description="")
    data.pop("guardianship_rating")
    response = client.post(reverse("visits:create", args=[child_a.pk]), data)
    assert response.status_code == 400
    text = response.text
    assert 'id="error-summary"' in text and "data-focus-on-load" in text
    assert (
        '<a href="#id_guardianship_rating_0" data-field="id_guardianship_rating_0">请选择监护情况的评估等级</a>' in text
    )
    assert (
        '<a href="#id_living_note" data-field="id_living_note">居住环境评为“严重问题”时，请在说明中写明发现的问题</a>'
        in text
    )
    assert 'href="#id_harm_description"' in text
    assert "该字段是必填项" not in text
    # The rating's message sits on its own group, above the four choices; the optional note stays unmarked.
    group = text.split('id="dimension-guardianship_rating"')[1].split("</fieldset>")[0]
    assert group.index("请选择监护情况的评估等级") < group.index('name="guardianship_rating"')
    assert 'class="note has-error"' not in group
    assert 'class="note has-error"' in text.split('id="dimension-living_rating"')[1].split("</fieldset>")[0]
    assert not Visit.objects.exists()


def test_photos_open_the_camera(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    text = client.get(reverse("visits:create", args=[child_a.pk])).text
    photo_input = text.split('name="photos"')[0].rsplit("<input", 1)[1] + text.split('name="photos"')[1].split(">")[0]
    assert 'accept="image/*"' in photo_input and 'capture="environment"' in photo_input
