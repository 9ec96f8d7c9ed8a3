"""The caseworker on a phone (issue 17, items 1-5): home is their own work, the visit form's errors, drafts kept
on the server and finished on another phone, the case file.

Screenshots at 390, 1024 and 1366 px go to /tmp/shots/caseworker/ for people to look at.
"""

import datetime
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from children.agreements import services as agreements
from children.models import Child
from tests.agreements.support import PNG, agreement_data, make_left_behind
from tests.factories import PASSWORD, CarerFactory, ChildFactory
from tests.reports.conftest import frozen, programmes, staff2, world  # noqa: F401 - the reports' small county
from tests.visits.support import visit_data
from visits.models import VisitDraft, VisitSchedule
from visits.schedule import refresh_child, run_nightly
from visits.services import record_visit, review_visit

from .conftest import PHONE, log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = pathlib.Path("/tmp/shots/caseworker")  # noqa: S108 - screenshots for people to look at
WIDTHS = {"390": PHONE, "1024": {"width": 1024, "height": 768}, "1366": {"width": 1366, "height": 900}}


def shots(page, name):
    """The page at the three widths, full length."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        assert overflow(page) <= 0, f"{name} is wider than {label} px"
    page.set_viewport_size(PHONE)


@pytest.fixture
def work(caseworker_a, supervisor_a, staff, child_a, child_a2, township_a, village_a):
    """A caseworker's day: a left-behind child whose agreement runs out and whose review is due, a visit
    returned by the supervisor, a draft begun, children to visit."""
    today = timezone.localdate()
    CarerFactory(child=child_a)
    make_left_behind(child_a, staff, since=today - datetime.timedelta(days=350))
    start = today - datetime.timedelta(days=330)
    draft = agreements.save_agreement(
        actor=staff,
        child=child_a,
        data=agreement_data(
            period_start=start,
            period_end=today + datetime.timedelta(days=20),
            school_notified_on=start + datetime.timedelta(days=1),
        ),
    )
    agreements.sign_agreement(
        actor=staff,
        agreement=draft,
        signed_on=start,
        scan=SimpleUploadedFile("确认书.png", PNG, content_type="image/png"),
    )
    returned = record_visit(
        actor=caseworker_a, child=child_a2, data=visit_data(visited_on=today - datetime.timedelta(days=3))
    )
    review_visit(actor=supervisor_a, visit=returned, accept=False, comment="精神状态的说明太简单，请补充。")
    for n in range(3):
        ChildFactory(township=township_a, village=village_a, name=f"李{'一二三'[n]}")
    run_nightly(today=today)
    VisitSchedule.objects.update(registered_on=today - datetime.timedelta(days=60))  # registered two months ago
    with transaction.atomic():  # refresh_child locks the schedule row, as inside a service
        for child in Child.objects.all():
            refresh_child(child, today=today)
    VisitDraft.objects.create(user=caseworker_a, child=child_a, values={"problems": "屋顶漏雨"})
    return {"returned": returned}


def test_home_is_the_caseworkers_own_work(phone_page, live_server, caseworker_a, child_a, work):
    page = phone_page
    log_in(page, live_server, caseworker_a.username, PASSWORD)
    for section in ("#my-due", "#my-drafts", "#my-returned", "#my-agreements", "#my-reviews"):
        expect(page.locator(section)).to_be_visible()
    expect(page.locator("#my-drafts .count")).to_have_text("1")
    expect(page.locator("#my-returned .count")).to_have_text("1")
    expect(page.locator("#my-returned")).to_contain_text("精神状态的说明太简单")
    expect(page.locator("#my-agreements .count")).to_have_text("1")
    expect(page.locator("#my-agreements")).to_contain_text(child_a.name)
    expect(page.locator("#my-reviews")).to_contain_text(child_a.name)
    assert int(page.locator("#my-due .count").inner_text()) >= 1
    expect(page.locator("#report-figures")).to_have_count(0)  # the county report's prose is not theirs
    expect(page.locator("a[href='/visits/reports/']")).to_have_count(0)
    shots(page, "1-home")

    page.locator("#my-returned").get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("修改探访记录")
    page.go_back()
    page.locator("#my-drafts").get_by_role("link", name="继续填写").click()
    expect(page.locator("h1")).to_contain_text("登记探访")
    expect(page.get_by_label("发现的问题")).to_have_value("屋顶漏雨")
    expect(page.locator("#draft-status")).to_contain_text("已恢复保存在服务器上的草稿")


def test_the_visit_forms_errors_are_summed_up_at_the_top(phone_page, live_server, caseworker_a, child_a):
    page = phone_page
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path=f"/visits/child/{child_a.pk}/new/")
    camera = page.locator("input[name=photos]")
    expect(camera).to_have_attribute("accept", "image/*")
    expect(camera).to_have_attribute("capture", "environment")
    for dimension in ("health", "mental", "education", "hygiene"):
        page.locator(f"#dimension-{dimension}_rating").get_by_label("良好", exact=True).check()
    page.locator("#dimension-living_rating").get_by_label("严重问题", exact=True).check()
    expect(page.get_by_label("居住环境说明")).to_have_attribute("placeholder", "说明（必填）：写明发现的问题")
    page.get_by_label("疑似遭受侵害（强制报告）").check()
    page.get_by_role("button", name="保存探访记录").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("请选择监护情况的评估等级")
    expect(summary).to_contain_text("居住环境评为“严重问题”时，请在说明中写明发现的问题")
    expect(summary).to_contain_text("须写明发现的情况")
    expect(summary).not_to_contain_text("该字段是必填项")
    group = page.locator("#dimension-guardianship_rating")
    expect(group).to_have_class("dimension group-error")
    expect(group.locator(".error")).to_have_text("请选择监护情况的评估等级")
    shots(page, "2-visit-form-errors")

    summary.get_by_role("link", name="请选择监护情况的评估等级").click()
    expect(page.locator("#id_guardianship_rating_0")).to_be_focused()
    expect(group.locator("legend")).to_be_in_viewport()
    summary.get_by_role("link", name="居住环境评为“严重问题”时，请在说明中写明发现的问题").click()
    expect(page.get_by_label("居住环境说明")).to_be_focused()


def test_a_visit_begun_on_one_phone_is_finished_on_another(browser, live_server, caseworker_a, child_a):
    from .conftest import _page

    form = f"/visits/child/{child_a.pk}/new/"
    first_context, first = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(first, live_server, caseworker_a.username, PASSWORD, next_path=form)
    first.locator("#dimension-health_rating").get_by_label("一般", exact=True).check()
    first.get_by_label("发现的问题").fill("冬天取暖用煤炉")
    expect(first.locator("#draft-status")).to_contain_text("草稿已保存在本机和服务器")
    draft = VisitDraft.objects.get(user=caseworker_a, child=child_a)
    assert draft.values["problems"] == "冬天取暖用煤炉"
    first_context.close()

    second_context, second = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(second, live_server, caseworker_a.username, PASSWORD, next_path=form)
    status = second.locator("#draft-status")
    expect(status).to_contain_text("已恢复保存在服务器上的草稿")
    expect(status).to_be_in_viewport()  # where the user lands
    expect(second.get_by_label("发现的问题")).to_have_value("冬天取暖用煤炉")
    expect(second.locator("#dimension-health_rating").get_by_label("一般", exact=True)).to_be_checked()

    # No network in the village: the draft is kept in the phone, and goes up when the network is back.
    second_context.set_offline(True)
    second.get_by_label("采取的措施").fill("已送去两袋蜂窝煤")
    expect(status).to_contain_text("草稿已保存在本机")
    expect(status).not_to_contain_text("服务器")
    second_context.set_offline(False)
    second.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("草稿已保存在本机和服务器")
    draft.refresh_from_db()
    assert draft.values["actions"] == "已送去两袋蜂窝煤"

    # The server refuses for a while: the phone's newer draft is offered first on reopening, the server's kept.
    second.route("**/draft/", lambda route: route.abort())
    second.get_by_label("采取的措施").fill("已送去两袋蜂窝煤，并检查了烟道")
    second.wait_for_timeout(2000)
    second.unroute("**/draft/")
    second.reload()
    expect(status).to_contain_text("它比服务器上的草稿新")
    expect(second.get_by_label("采取的措施")).to_have_value("已送去两袋蜂窝煤，并检查了烟道")
    use_server = second.locator("#draft-use-server")
    expect(use_server).to_be_visible()
    use_server.click()
    expect(second.get_by_label("采取的措施")).to_have_value("已送去两袋蜂窝煤")

    for dimension in ("health", "mental", "education", "hygiene", "living", "guardianship"):
        second.locator(f"label[for=id_{dimension}_rating_0]").tap()  # the finger taps the button, 良好
        expect(second.locator(f"#id_{dimension}_rating_0")).to_be_checked()
    second.get_by_role("button", name="保存探访记录").click()
    expect(second.get_by_role("status").first).to_contain_text("探访记录已保存")
    assert not VisitDraft.objects.exists()
    second_context.close()


def test_the_case_file_on_a_phone(phone_page, live_server, caseworker_a, child_a, work):
    page = phone_page
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path=f"/children/{child_a.pk}/")
    record = page.locator("#record-visit")
    expect(record).to_be_in_viewport()  # on the first screen
    box = record.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    for button in page.locator(".case-actions .button, .case-actions button").all():
        height = button.bounding_box()["height"]
        assert height < 70, f"{button.inner_text()!r} wraps ({height} px)"
        assert button.bounding_box()["width"] > 60
    expect(page.locator("#classifications summary .count")).to_have_text("1")
    expect(page.locator("#agreements summary .count")).to_have_text("1")
    visits = page.locator("#visits")
    expect(visits.locator("table")).to_be_visible()
    visits.locator("summary").click()
    expect(visits.locator("table")).to_be_hidden()
    visits.locator("summary").click()
    page.locator("#visits summary").scroll_into_view_if_needed()
    shots(page, "3-case-file")
    record.click()
    expect(page.locator("h1")).to_contain_text("登记探访")


def test_the_home_pages_tables_fit_a_phone(phone_page, live_server, world, staff):  # noqa: F811
    page = phone_page
    log_in(page, live_server, staff.username, PASSWORD)
    expect(page.locator("#kinds")).to_be_visible()
    for table in ("#kinds table", "#programmes table"):
        wide, room = page.locator(table).evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
        assert wide <= room, f"{table}: {wide} px in {room} px, the last column is cut off"
    for chart in page.locator("#report-figures svg").all():
        assert chart.bounding_box()["width"] <= PHONE["width"]
    assert overflow(page) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "4-staff-home-390.png"), full_page=True)
