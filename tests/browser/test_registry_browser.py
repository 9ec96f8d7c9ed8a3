"""The children registry in a real browser: log in, search, edit, see the audit; errors; phone width.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser
"""

import datetime
import re

import pytest

from children.models import Child
from dingzhou_welfare.models import AuditEntry
from tests.factories import PASSWORD, make_id_number

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_finds_a_child_edits_the_address_and_sees_the_audit_entry(
    page, live_server, caseworker_a, child_a, child_a2, child_b
):
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/")

    page.get_by_label("姓名或身份证号").fill("王小")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("#children tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王小明")
    expect(page.locator("#result-count")).to_contain_text("共 1 名儿童")

    page.get_by_role("link", name="王小明").click()
    expect(page.locator("h1")).to_contain_text("王小明")
    page.get_by_role("link", name="修改信息").click()
    expect(page.locator("h1")).to_contain_text("修改儿童信息")

    page.get_by_label("现住址").fill("清风店镇东村三组12号")
    page.get_by_label("学校", exact=True).fill("清风店镇中心小学")
    page.get_by_label("寄宿").check()
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(f"{live_server.url}/children/{child_a.pk}/")
    expect(page.get_by_role("status")).to_contain_text("已保存修改。")
    profile = page.locator("#profile")
    expect(profile).to_contain_text("清风店镇东村三组12号")
    expect(profile).to_contain_text("清风店镇中心小学")
    entry = page.locator("#audit tbody tr", has_text="修改儿童信息")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("caseworker_a")
    expect(entry.locator("li", has_text="现住址")).to_have_text(re.compile(r"现住址：\s*—\s*→\s*清风店镇东村三组12号"))
    expect(entry.locator("li", has_text="学校")).to_have_text(re.compile(r"学校：\s*—\s*→\s*清风店镇中心小学"))
    expect(entry.locator("li", has_text="寄宿")).to_have_text(re.compile(r"寄宿：\s*否\s*→\s*是"))

    child_a.refresh_from_db()
    assert child_a.current_address == "清风店镇东村三组12号"


def test_a_wrong_id_check_digit_is_shown_next_to_the_field_and_nothing_is_saved(
    page, live_server, caseworker_a, township_a, village_a
):
    valid = make_id_number(datetime.date(2016, 5, 20), "F")
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/")
    page.get_by_role("link", name="新建档案").click()

    page.get_by_label("姓名").fill("李小花")
    page.get_by_label("性别").select_option(label="女")
    page.get_by_label("身份证号", exact=True).fill(wrong)
    page.get_by_label("出生日期").fill("2016-05-20")
    page.get_by_label("户籍性质").select_option(label="农村")
    page.get_by_label("乡镇（街道）").select_option(label=township_a.name)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("alert")).to_contain_text("信息尚未保存")
    field = page.locator(".field.has-error", has=page.locator("#id_id_number"))
    expect(field.locator(".error")).to_have_text(f"身份证号校验位错误：最后一位应为 {valid[17]}，请核对号码是否抄错。")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.get_by_label("身份证号", exact=True)).to_have_value(wrong)
    assert page.url == f"{live_server.url}/children/new/"
    assert not Child.objects.exists()
    assert not AuditEntry.objects.filter(child__isnull=False).exists()


def test_phone_width_list_and_case_file_fit_and_the_menu_opens(phone_page, live_server, caseworker_a, child_a):
    page = phone_page
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/")
    assert overflow(page) <= 0

    nav = page.locator("nav.nav")
    expect(nav).to_be_hidden()
    page.locator(".nav-button").tap()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_be_visible()
    page.locator(".nav-button").tap()
    expect(nav).to_be_hidden()

    expect(page.locator("#children thead")).to_be_hidden()
    page.get_by_role("link", name=child_a.name).tap()
    expect(page.locator("h1")).to_contain_text(child_a.name)
    assert overflow(page) <= 0
    page.get_by_role("link", name="修改信息").tap()
    expect(page.get_by_label("现住址")).to_be_visible()
    assert overflow(page) <= 0
