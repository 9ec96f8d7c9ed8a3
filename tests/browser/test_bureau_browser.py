"""The report for January to May 2022 of a county built from the bureau's article opens with the bureau's
paragraph, at 1366 px and on a phone; the PDF is written beside the screenshots
(look at its first page with: pdftoppm -png -r 60 -f 1 -l 1 report.pdf page).
Screenshots go to $TMPDIR/shots/bureau/.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true DEBUG=true .venv/bin/python -m pytest -q tests/browser/test_bureau_browser.py
"""

import datetime
import tempfile
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.reports.article import build_article_county

from .conftest import PHONE, log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "shots" / "bureau"
RANGE = "/reports/?month=2022-01&to=2022-05"
JANUARY, MAY = datetime.date(2022, 1, 1), datetime.date(2022, 5, 1)


def test_the_report_opens_with_the_bureaus_paragraph(browser, live_server, staff):
    from reports.documents import build_monthly_report, render_monthly_report_pdf
    from reports.figures import Period, Scope

    build_article_county(staff)
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path=RANGE)
    bureau = page.locator("#bureau")
    expect(bureau).to_contain_text("纳入困境儿童分类保障的儿童2,689人")
    expect(bureau).to_contain_text("基本生活费（补贴）202.79万元，发放各类保障资金456.00万元")
    expect(bureau).to_contain_text("13个乡镇（街道）为未成年人保护工作站试点")
    assert bureau.bounding_box()["y"] < page.locator("#summary").bounding_box()["y"]
    page.screenshot(path=SHOTS / "desktop-1366-report.png")
    assert overflow(page) <= 0
    context.close()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path=RANGE)
    page.locator("#bureau").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "phone-report.png")
    assert overflow(page) <= 0
    context.close()

    pdf = render_monthly_report_pdf(build_monthly_report(Period(JANUARY, MAY), Scope(label="全市")))
    (SHOTS / "report.pdf").write_bytes(pdf)
