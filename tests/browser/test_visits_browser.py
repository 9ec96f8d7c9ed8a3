"""A caseworker on a phone records a home visit; the page is reloaded half-way and the draft comes back.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_visits_browser.py
Screenshots go to /tmp/shots/visits/.
"""

import pathlib

import pytest

from tests.factories import PASSWORD, CarerFactory
from tests.visits.support import visit_data
from visits.models import Visit
from visits.services import record_visit

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = pathlib.Path("/tmp/shots/visits")  # noqa: S108 - screenshots for people to look at


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def rate(page, dimension, label):
    page.locator(f"#dimension-{dimension}_rating").get_by_label(label, exact=True).check()


def test_a_visit_on_a_phone_survives_a_reload_and_is_saved(phone_page, live_server, caseworker_a, child_a):
    page = phone_page
    CarerFactory(child=child_a)
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path=f"/children/{child_a.pk}/")
    page.locator("#visits").get_by_role("link", name="登记探访").click()
    expect(page.locator("h1")).to_contain_text("登记探访")
    assert overflow(page) <= 0
    shot(page, "1-form-empty")

    page.get_by_label("祖父母/外祖父母").check()
    page.get_by_label("儿童本人").check()
    rate(page, "health", "良好")
    rate(page, "mental", "一般")
    page.get_by_label("精神状态说明").fill("想念在外打工的父母，话少")
    rate(page, "education", "良好")
    page.get_by_label("发现的问题").fill("厨房灶台离床太近，冬季取暖有一氧化碳风险")
    expect(page.locator("#draft-status")).to_contain_text("草稿已保存在本机")
    shot(page, "2-form-half-filled")

    page.reload()  # the connection dropped, the phone locked, the page came back
    expect(page.locator("#draft-status")).to_contain_text("已恢复本机保存的草稿")
    expect(page.get_by_label("精神状态说明")).to_have_value("想念在外打工的父母，话少")
    expect(page.get_by_label("发现的问题")).to_have_value("厨房灶台离床太近，冬季取暖有一氧化碳风险")
    expect(page.locator("#dimension-mental_rating").get_by_label("一般", exact=True)).to_be_checked()
    expect(page.get_by_label("祖父母/外祖父母")).to_be_checked()
    shot(page, "3-form-restored")

    rate(page, "hygiene", "良好")
    rate(page, "living", "较差")
    page.get_by_label("居住环境说明").fill("灶台离床太近")
    rate(page, "guardianship", "良好")
    page.get_by_label("采取的措施").fill("已告知祖父分开灶台和床铺，一周后回访")
    page.get_by_label("乡镇未成年人保护工作站").check()
    page.get_by_role("button", name="保存探访记录").click()

    expect(page.get_by_role("status").first).to_contain_text("探访记录已保存")
    expect(page.locator("#risk")).to_contain_text("中风险")
    expect(page.locator("#risk")).to_contain_text("一个方面评为“较差”")
    assert overflow(page) <= 0
    shot(page, "4-visit-saved")
    drafts = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('visit-draft:'))")
    assert drafts == []

    visit = Visit.objects.get()
    assert (visit.mental_rating, visit.living_rating, visit.risk_level) == ("fair", "poor", "medium")
    assert visit.mental_note == "想念在外打工的父母，话少"
    assert visit.present == ["child", "grandparent"]
    assert visit.referrals == ["workstation"]

    page.goto(f"{live_server.url}/children/{child_a.pk}/")
    expect(page.locator("#visits tbody tr")).to_have_count(1)
    shot(page, "5-case-file")


def test_the_supervisor_reviews_on_a_phone(phone_page, live_server, caseworker_a, supervisor_a, child_a):
    page = phone_page
    CarerFactory(child=child_a)
    visit = record_visit(actor=caseworker_a, child=child_a, data=visit_data(hygiene_rating="poor"))
    log_in(page, live_server, supervisor_a.username, PASSWORD, next_path="/visits/review/")
    shot(page, "6-review-queue")
    page.get_by_role("link", name=f"审核 {child_a.name} 的探访").first.click()
    page.get_by_label("退回修改").check()
    page.get_by_label("审核意见").fill("卫生环境较差的说明没填，请补充。")
    page.get_by_role("button", name="提交审核意见").click()
    expect(page.get_by_role("status").first).to_contain_text(f"已退回 {child_a.name} 的探访记录")
    visit.refresh_from_db()
    assert visit.status == "returned"
    page.goto(f"{live_server.url}/visits/")
    assert overflow(page) <= 0
    shot(page, "7-worklist")
    page.goto(f"{live_server.url}/")
    shot(page, "8-dashboard")
