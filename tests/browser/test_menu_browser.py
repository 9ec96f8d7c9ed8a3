"""The top menu of every role at 390, 1024 and 1366 px: never wider than the screen, and on one row
(with 两步验证, the user's name and 退出) from 1024 px, where every role's menu fits.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_menu_browser.py
Screenshots go to /tmp/shots/menu/.
"""

import pathlib

import pytest

from tests.factories import PASSWORD

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = pathlib.Path("/tmp/shots/menu")  # noqa: S108 - screenshots for people to look at
ROLES = {
    "caseworker": "caseworker_a",
    "supervisor": "supervisor_a",
    "staff": "staff",
    "leader": "leader",
    "administrator": "administrator",
}


def _rows(page) -> int:
    """How many rows the menu's items (links, the user's name, the sign-out button) take."""
    return page.eval_on_selector_all(
        "nav.nav > *",
        """items => {
            // An item starts a new row when it sits wholly below every item before it
            // (items of different heights centred on one row have different tops).
            let rows = 0, bottom = -Infinity;
            for (const box of items.map(i => i.getBoundingClientRect()).sort((a, b) => a.top - b.top)) {
                if (box.top >= bottom) rows += 1;
                bottom = Math.max(bottom, box.bottom);
            }
            return rows;
        }""",
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_fits_the_screen_at_every_width(role, request, browser, live_server):
    user = request.getfixturevalue(ROLES[role])
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1024, 1366):
        phone = width < 700
        options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN", **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        log_in(page, live_server, user.username, PASSWORD)
        if phone:
            page.locator(".nav-button").tap()  # the menu opens as a column under the button
        else:
            assert _rows(page) == 1, f"{role}'s menu takes {_rows(page)} rows at {width} px"
        assert page.locator("nav.nav a[href]").count() > 2
        assert overflow(page) <= 0, f"{role}'s home page at {width} px is wider than the screen"
        page.screenshot(path=str(SHOTS / f"{role}-{width}.png"))
        context.close()
