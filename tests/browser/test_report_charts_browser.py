"""The leader's report: 打印 PDF opens a GET address in a new tab (the app stays), and the charts read at
390 and 1366 px (text 12 px or more on screen, each bar's number written at its end).

Screenshots: $TMPDIR/shots/issue17/report-*.png and dashboard-*.png.
Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_report_charts_browser.py
"""

import pytest

from tests.factories import PASSWORD
from tests.reports.conftest import frozen, programmes, staff2, world  # noqa: F401 - the reports' small county

from .conftest import log_in, overflow, skip_without_chromium
from .shots import open_at, shoot

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each chart text's size on screen: its font size in the SVG's units times the SVG's scale.
TEXT_SIZES = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const m = t.getScreenCTM();
  return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b)};
})"""


@pytest.mark.parametrize("width", [390, 1024, 1366])
def test_the_charts_read_at_every_width(browser, live_server, world, leader, width):  # noqa: F811
    context, page = open_at(browser, width)
    log_in(page, live_server, leader.username, PASSWORD, next_path="/reports/?month=2026-01&to=2026-05")
    charts = page.locator("#report svg.chart")
    expect(charts).to_have_count(2)
    sizes = page.evaluate(TEXT_SIZES)
    assert sizes and min(s["px"] for s in sizes) >= 12, sorted(sizes, key=lambda s: s["px"])[:3]
    money = charts.nth(1)
    for month, value in (("26年1月", "0.25万元"), ("5月", "0.45万元")):
        expect(money.locator("text", has_text=month)).to_have_count(1)
        expect(money.locator("text", has_text=value).first).to_be_visible()
    assert charts.nth(0).locator("rect").count() >= 2  # a bar per category with children, each with its number
    assert overflow(page) <= 0
    shoot(page, "report", width)
    page.goto(f"{live_server.url}/")
    assert min(s["px"] for s in page.evaluate(TEXT_SIZES)) >= 12
    assert overflow(page) <= 0
    shoot(page, "dashboard", width)
    context.close()


def test_print_pdf_opens_a_reloadable_address_in_a_new_tab(page, live_server, world, leader, monkeypatch):  # noqa: F811
    log_in(page, live_server, leader.username, PASSWORD, next_path="/reports/?month=2026-05")
    app = page.url
    link = page.get_by_role("link", name="打印 PDF")
    expect(link).to_have_attribute("target", "_blank")
    address = f"{live_server.url}{link.get_attribute('href')}"
    assert address.endswith("/reports/monthly.pdf?month=2026-05&to=2026-05")
    for _reload in range(2):  # the address reloads (and may be bookmarked): a GET that answers the PDF again
        response = page.request.get(address, timeout=90_000)  # WeasyPrint takes a while on a busy machine
        assert response.ok and response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline;")
    link.click()  # headless chromium downloads the PDF in a tab of its own; the app stays where it was
    page.wait_for_timeout(500)
    assert page.url == app
    expect(page.locator("#report")).to_be_visible()

    from reports import views
    from reports.models import ReportJob

    monkeypatch.setattr(views, "INLINE_REPORT_LINES", 3)  # a large report: the address leads to its job page
    first = page.request.get(address, max_redirects=0, timeout=90_000)
    again = page.request.get(address, max_redirects=0, timeout=90_000)
    assert first.status == again.status == 302
    assert first.headers["location"] == again.headers["location"] == f"/reports/jobs/{ReportJob.objects.get().pk}/"
