"""The campaign form's 32 item inputs each have a label (issue 17 item 12), at 390, 1024 and 1366 px.

Screenshots: $TMPDIR/shots/issue17/campaign-form-*.png
Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_campaign_form_browser.py
"""

import pytest

from tests.factories import PASSWORD

from .conftest import log_in, overflow, skip_without_chromium
from .shots import open_at, shoot

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every input, select and textarea a person fills, with the text of its labels.
LABELS = """form => Array.from(form.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .map(el => ({name: el.name, labels: Array.from(el.labels).map(l => l.textContent.trim())}))"""


@pytest.mark.parametrize("width", [390, 1024, 1366])
def test_every_item_input_of_the_campaign_form_has_a_label(browser, live_server, staff, width):
    context, page = open_at(browser, width)
    log_in(page, live_server, staff.username, PASSWORD, next_path="/campaigns/new/")
    inputs = page.locator("main form").evaluate(LABELS)
    items = [i for i in inputs if i["name"].startswith("items-")]
    assert len(items) == 32
    assert all(i["labels"] for i in inputs), [i["name"] for i in inputs if not i["labels"]]
    assert page.get_by_label("第 3 行 单位").count() == 1
    page.get_by_label("第 1 行 物品").fill("大米")
    assert overflow(page) <= 0
    shoot(page, "campaign-form", width)
    context.close()
