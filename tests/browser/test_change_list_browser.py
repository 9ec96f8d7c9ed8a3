"""The month's change list (增员/减员) in a browser: reached from the subsidies tabs, read, downloaded,
on a desktop and on a phone. Screenshots go to $TMPDIR/shots/changes/.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_change_list_browser.py
"""

import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from children.models import Carer, Classification
from children.services import end_classification
from tests.factories import PASSWORD, CarerFactory, ChildFactory, ensure_reference_data
from tests.subsidies.conftest import make_orphan

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "shots" / "changes"


@pytest.fixture
def month_of_changes(township_a, village_a, township_b, village_b, staff):
    ensure_reference_data()
    today = timezone.localdate()
    first = today.replace(day=1)
    children = []
    for n, (township, village) in enumerate(
        [(township_a, village_a), (township_b, village_b), (township_a, village_a)]
    ):
        child = ChildFactory(township=township, village=village, name=f"王小{'一二三'[n]}")
        CarerFactory(
            child=child, name=f"王大爷{n}", is_guardian=True, relationship=Carer.Relationship.PATERNAL_GRANDPARENT
        )
        make_orphan(child, staff, since=first)
        children.append(child)
    end_classification(
        actor=staff,
        classification=children[1].classifications.get(),
        end_date=today,
        reason=Classification.EndReason.MOVED_AWAY,
        note="随亲属迁往外省",
    )
    return first, children


def test_staff_read_and_download_the_months_list(page, live_server, month_of_changes, staff):
    first, children = month_of_changes
    log_in(page, live_server, staff.username, PASSWORD, next_path="/subsidies/enrolments/")
    page.get_by_role("link", name="全国系统增减员名单").click()
    expect(page.locator("h1")).to_contain_text(f"{first:%Y-%m} 增减员名单")
    expect(page.locator("#change-counts")).to_contain_text("增员 3")
    expect(page.locator("#change-counts")).to_contain_text("减员 1")
    table = page.locator("#change-list")
    expect(table).to_contain_text("随亲属迁往外省")
    expect(table).to_contain_text("王大爷0")
    expect(table).not_to_contain_text(children[0].id_number)  # masked on the page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desktop-1-list.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 Excel").click()
    download = info.value
    assert download.suggested_filename == f"{first:%Y%m}_增减员_national.xlsx"
    path = SHOTS / download.suggested_filename
    download.save_as(path)
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "变动类型", "变动日期") and len(rows) == 5


def test_a_caseworker_reads_their_township_on_a_phone(phone_page, live_server, month_of_changes, caseworker_a):
    _first, children = month_of_changes
    page = phone_page
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/subsidies/changes/national/")
    table = page.locator("#change-list")
    expect(table).to_contain_text(children[0].name)
    expect(table).not_to_contain_text(children[1].name)  # township B
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "phone-1-list.png", full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"
    )
    assert overflow(page) <= 0, wide
