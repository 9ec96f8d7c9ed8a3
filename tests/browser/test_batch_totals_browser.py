"""The batch page's two summary tables, read from the totals kept with the batch, in a real browser:
the figures equal the batch's lines; at phone width the tables fit.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_batch_totals_browser.py
Screenshots go to /tmp/shots/batch_totals/.
"""

import datetime
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.subsidies import conftest as subsidies_conftest
from tests.subsidies import returns_support as support

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/batch_totals")  # noqa: S108 - screenshots for people to look at
staff2, draft = support.staff2, support.draft
programmes = subsidies_conftest.programmes


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=True)
    return time_machine


def test_the_summary_tables_show_the_kept_totals(page, phone_page, live_server, draft, staff):
    SHOTS.mkdir(parents=True, exist_ok=True)
    total = f"{draft.total_amount:,.2f}"
    log_in(page, live_server, staff.username, PASSWORD, next_path="/subsidies/batches/2026-04/")
    for table in ("#by-programme", "#by-township"):
        expect(page.locator(f"{table} .grand-total")).to_have_text(total)
    expect(page.locator("#by-programme tbody tr")).to_have_count(1)  # one programme
    expect(page.locator("#by-township tbody tr")).to_have_count(2)  # two townships
    expect(page.locator("#by-township tbody")).to_contain_text("清风店镇")
    page.locator("#by-programme").screenshot(path=str(SHOTS / "1-by-programme.png"))
    page.locator("#by-township").screenshot(path=str(SHOTS / "2-by-township.png"))

    log_in(phone_page, live_server, staff.username, PASSWORD, next_path="/subsidies/batches/2026-04/")
    expect(phone_page.locator("#by-township .grand-total")).to_have_text(total)
    assert overflow(phone_page) <= 0
    phone_page.locator("#by-township").screenshot(path=str(SHOTS / "3-phone-by-township.png"))
