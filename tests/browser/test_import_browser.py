"""The import page in a real browser: upload a broken roster and read its errors, then a good one, confirm.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_import_browser.py
Screenshots go to /tmp/shots/imports/.
"""

import datetime
from pathlib import Path

import pytest

from children.models import Child
from imports.models import ImportJob
from subsidies.models import Enrolment
from tests.factories import PASSWORD
from tests.imports.conftest import roster_row, xlsx_bytes

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/imports")  # noqa: S108 - screenshots for people to look at


def rows():
    return [
        roster_row(),
        roster_row(
            姓名="李小军", sex="M", birth=datetime.date(2012, 8, 1), 儿童类别="留守儿童", 保障项目="", 保障起始月份=""
        ),
        roster_row(
            姓名="赵小丽",
            birth=datetime.date(2016, 1, 20),
            **{"村（社区）": "西村"},
            儿童类别="事实无人抚养",
            保障项目="事实无人抚养儿童基本生活补贴",
            保障起始月份="2025-03",
        ),
    ]


def test_staff_uploads_reads_the_errors_then_imports_a_good_roster(page, live_server, staff, township_a, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    good = rows()
    broken = [dict(r) for r in good]
    number = good[1]["身份证号"]
    broken[1]["身份证号"] = number[:17] + ("0" if number[-1] != "0" else "1")  # a wrong check digit
    broken[2]["保障起始月份"] = "2025年3月"
    (tmp_path / "花名册（有错）.xlsx").write_bytes(xlsx_bytes(broken))
    (tmp_path / "花名册.xlsx").write_bytes(xlsx_bytes(good))

    log_in(page, live_server, staff.username, PASSWORD, next_path="/imports/")
    expect(page.get_by_role("link", name="数据导入")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#template-children").click()
    assert download.value.suggested_filename == "儿童花名册导入模板.xlsx"

    page.get_by_label("文件").set_input_files(str(tmp_path / "花名册（有错）.xlsx"))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    expect(page.locator("#invalid")).to_contain_text("有 2 行有错误，整个文件都不能导入")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    invalid = page.locator("#rows tr.row-invalid")
    expect(invalid).to_have_count(2)
    expect(invalid.nth(0)).to_contain_text("身份证号")
    expect(invalid.nth(0)).to_contain_text("校验位错误")
    expect(invalid.nth(1)).to_contain_text("保障起始月份")
    expect(invalid.nth(1)).to_contain_text("应写成 YYYY-MM")
    page.screenshot(path=str(SHOTS / "desktop-1-errors.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#errors-download").click()
    assert download.value.suggested_filename == "花名册（有错）-检查结果.xlsx"
    assert not Child.objects.exists()

    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("文件").set_input_files(str(tmp_path / "花名册.xlsx"))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    expect(page.locator("#job-status")).to_have_text("检查通过，待确认导入")
    expect(page.locator("#counts .stat").first).to_contain_text("3")
    expect(page.locator("#rows tr.row-new")).to_have_count(3)
    expect(page.locator("#rows")).to_contain_text("赵小丽")
    expect(page.locator("#rows")).to_contain_text("事实无人抚养儿童基本生活补贴（2025-03起）")
    page.screenshot(path=str(SHOTS / "desktop-2-preview.png"), full_page=True)
    expect(page.locator("#new-villages")).to_contain_text("将新建村（社区）：")
    page.locator("#confirm-villages").check()  # a file naming new villages needs its own tick
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#done")).to_contain_text("共 3 行")
    expect(page.locator("#confirmed-by")).to_contain_text("staff")
    page.screenshot(path=str(SHOTS / "desktop-3-done.png"), full_page=True)
    assert Child.objects.count() == 3
    assert Enrolment.objects.count() == 2
    assert ImportJob.objects.filter(status="done").count() == 1


def test_the_preview_reads_on_a_phone(
    phone_page, live_server, staff, township_a, tmp_path, django_capture_on_commit_callbacks
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "花名册.xlsx").write_bytes(xlsx_bytes(rows()))
    page = phone_page
    log_in(page, live_server, staff.username, PASSWORD, next_path="/imports/")
    page.screenshot(path=str(SHOTS / "phone-1-upload.png"), full_page=True)
    assert overflow(page) <= 0
    page.get_by_label("文件").set_input_files(str(tmp_path / "花名册.xlsx"))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url(f"{live_server.url}/imports/*/")
    expect(page.get_by_role("button", name="确认导入")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone-2-preview.png"), full_page=True)
    assert overflow(page) <= 0
