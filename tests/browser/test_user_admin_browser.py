"""The administrator's pages in a browser (issue 17 items 15-16): the user form's township and village
picker with and without script, the user list's search and unlock, and a home without children.

Screenshots at 390, 1024 and 1366 px: $TMPDIR/shots/issue17/{user-form,user-list,admin-home}-*.png
Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_user_admin_browser.py
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, TownshipFactory, VillageFactory

from .conftest import log_in, overflow, skip_without_chromium
from .shots import open_at, shoot

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(township_a, village_a, village_a2, township_b, village_b):
    """Ten townships of twelve villages besides the two of the fixtures: a long list, as in Dingzhou."""
    for t in range(10):
        township = TownshipFactory(code=f"1306822{t:02d}", name=f"第{t + 1}镇")
        for v in range(12):
            VillageFactory(township=township, name=f"{township.name}{v + 1}村")
    return {"a": township_a, "b": township_b}


def test_villages_are_picked_by_township_with_a_search(page, live_server, county, administrator, village_a2):
    log_in(page, live_server, administrator.username, PASSWORD, next_path="/users/new/")
    picker = page.locator(".village-picker")
    expect(picker.locator(".village-group:visible")).to_have_count(0)  # no township ticked yet
    expect(picker).to_contain_text("请先在上面勾选负责乡镇")
    page.get_by_label("用户名").fill("zhou_cun")
    page.get_by_label("姓名").fill("周村主任")
    page.get_by_label("新密码").fill("Village-director-2026")
    page.get_by_label("角色").select_option("caseworker")
    page.get_by_role("group", name="负责乡镇").get_by_label("清风店镇").check()
    expect(picker.locator(".village-group:visible")).to_have_count(1)
    page.get_by_label("查找村（社区）").fill("西")
    expect(picker.locator("li:visible")).to_have_count(1)
    picker.get_by_label("西村").check()
    expect(picker.locator(".picked")).to_contain_text("已选 1 个村（社区）")
    expect(picker.locator(".picked")).to_contain_text("清风店镇 / 西村")
    page.get_by_label("查找村（社区）").press("Enter")  # does not submit the form
    expect(page).to_have_url(f"{live_server.url}/users/new/")
    page.get_by_role("button", name="移除 清风店镇 / 西村").click()
    expect(picker.get_by_label("西村")).not_to_be_checked()
    picker.get_by_label("西村").check()
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(f"{live_server.url}/users/")
    from dingzhou_welfare.models import RoleRequest

    assert [v.name for v in RoleRequest.objects.get(user__username="zhou_cun").villages.all()] == ["西村"]


def test_the_village_checkboxes_work_without_script(browser, live_server, county, administrator, caseworker_village):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in(page, live_server, administrator.username, PASSWORD, next_path=f"/users/{caseworker_village.pk}/")
    picker = page.locator(".village-picker")
    expect(picker.locator(".village-group")).to_have_count(12)  # every township's villages, as checkboxes
    expect(picker.locator(".picked")).to_contain_text("清风店镇 / 东村")
    expect(picker.get_by_label("东村")).to_be_checked()
    context.close()


def test_the_user_list_searches_and_unlocks(page, live_server, county, administrator, caseworker_a, staff):
    other = Client()
    for attempt in range(5):
        other.post(reverse("login"), {"username": "caseworker_a", "password": f"wrong-{attempt}"})
    log_in(page, live_server, administrator.username, PASSWORD, next_path="/users/")
    expect(page.locator("#users")).to_contain_text("从未登录")
    page.get_by_label("查找用户").fill("caseworker")
    page.get_by_role("button", name="查找").click()
    rows = page.locator("#users tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("登录已锁定")
    rows.first.get_by_role("button", name="解锁 caseworker_a").click()
    expect(page.locator(".message")).to_contain_text("已解除 caseworker_a 的登录锁定")
    expect(page.locator("#users")).not_to_contain_text("登录已锁定")
    expect(page.get_by_label("查找用户")).to_have_value("caseworker")


def test_the_administrator_home_and_menu_show_no_child(page, live_server, county, administrator, child_a):
    log_in(page, live_server, administrator.username, PASSWORD)
    expect(page.locator("nav.nav")).not_to_contain_text("儿童信息")
    expect(page.locator("main")).not_to_contain_text("在册儿童")
    expect(page.locator("#admin-figures")).to_contain_text("启用的用户")


@pytest.mark.parametrize("width", [390, 1024, 1366])
def test_screenshots_of_the_administrator_pages(browser, live_server, county, administrator, caseworker_village, width):
    context, page = open_at(browser, width)
    log_in(page, live_server, administrator.username, PASSWORD)
    shoot(page, "admin-home", width)
    assert overflow(page) <= 0
    page.goto(f"{live_server.url}/users/")
    assert overflow(page) <= 0
    shoot(page, "user-list", width)
    page.goto(f"{live_server.url}/users/{caseworker_village.pk}/")
    assert overflow(page) <= 0
    shoot(page, "user-form", width)
    context.close()
