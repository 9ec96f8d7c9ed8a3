"""The monthly report, the print page and the dashboard in a browser, on a desktop and on a phone.
Screenshots go to $TMPDIR/shots/reports/.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true DEBUG=true .venv/bin/python -m pytest -q tests/browser/test_reports_browser.py
"""

import tempfile
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.reports.conftest import frozen, programmes, staff2, world  # noqa: F401 - the reports' small county

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "shots" / "reports"


def _shot(page, name, *, at=None):
    """The full page, or (at=a selector) the screen scrolled to that part of it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if at is not None:
        page.locator(at).scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"{name}.png", full_page=at is None)


def test_staff_read_the_report_for_a_range_and_see_the_charts(page, live_server, world, staff):  # noqa: F811
    log_in(page, live_server, staff.username, PASSWORD, next_path="/reports/")
    expect(page.locator("#report")).to_contain_text("全市儿童福利工作月报（2026年5月）")
    page.get_by_label("至（可不填）").fill("2026-05")
    page.get_by_label("月份（起）").fill("2026-01")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#report")).to_contain_text("全市儿童福利工作月报（2026年1—5月）")
    expect(page.locator("#money")).to_contain_text("14,650.00")
    expect(page.locator("#townships")).to_contain_text("11,650.00")
    assert page.locator("#report svg.chart").count() == 2
    expect(page.get_by_role("link", name="打印 PDF")).to_be_visible()
    _shot(page, "desktop-1-report")

    page.goto(f"{live_server.url}/")
    expect(page.locator("#report-figures")).to_contain_text("2026年6月")
    _shot(page, "desktop-2-dashboard")

    page.goto(f"{live_server.url}/reports/print/")
    expect(page.locator("#roster")).to_contain_text("2026-05")
    _shot(page, "desktop-3-print")


def test_a_supervisor_reads_their_townships_report_on_a_phone(phone_page, live_server, world, supervisor_a):  # noqa: F811
    page = phone_page
    log_in(page, live_server, supervisor_a.username, PASSWORD, next_path="/reports/?month=2026-05")
    expect(page.locator("#report")).to_contain_text("清风店镇儿童福利工作月报（2026年5月）")
    expect(page.locator("#money")).to_contain_text("1,530.00")
    expect(page.locator("#report")).not_to_contain_text("庞村镇")
    assert overflow(page) <= 0  # wide tables scroll inside their box, the page does not
    _shot(page, "phone-1-report")
    _shot(page, "phone-1a-top", at="#report-form")
    _shot(page, "phone-1b-money", at="#money")
    _shot(page, "phone-1c-townships", at="#townships")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#report-figures")).to_contain_text("清风店镇")
    assert overflow(page) <= 0
    _shot(page, "phone-2-dashboard")
