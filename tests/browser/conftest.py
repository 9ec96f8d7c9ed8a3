"""Playwright against Debian's chromium, for the tests in this folder.

Playwright's sync API runs an event loop in the test thread, so Django's
"async unsafe" guard must be told that the ORM calls made here are fine.
"""

import os
import shutil
import threading

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def skip_without_chromium():
    """Call at the top of a browser test module: skips it if Playwright or chromium is missing."""
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser(django_db_setup, live_server):
    """One chromium per test module, closed before the live server stops and the test database is dropped.

    Playwright's sync API runs its own context in this thread, and Django keeps one database connection
    per context: the connections opened inside it are closed here, before it ends, so no session is
    left on the test database. Chromium's keep-alive sockets to the live server are each served by a
    thread with a connection of its own; they are waited for once the browser is gone.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()
    for thread in threading.enumerate():
        if getattr(getattr(thread, "_target", None), "__name__", "") == "process_request_thread":
            thread.join(timeout=10)


def _page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    # Chromium reports each Content-Security-Policy refusal on the console ("Refused to ... because it
    # violates the following Content Security Policy directive"): every page of every test is watched.
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    return context, page


def _close(context, page):
    violations = page.csp_violations
    context.close()
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture
def page(browser):
    """A desktop-sized page (1280x900); the test fails on any Content-Security-Policy violation."""
    context, page = _page(browser, DESKTOP)
    yield page
    _close(context, page)


@pytest.fixture
def axe_page(browser):
    """A desktop-sized page whose context bypasses the app's Content-Security-Policy, for axe-core only.

    axe is injected with page.add_script_tag, an inline script that script-src 'self' rightly refuses;
    the app's pages stay as served. CSP itself is checked by every other browser test's page.
    """
    context, page = _page(browser, DESKTOP, bypass_csp=True)
    yield page
    _close(context, page)


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390x844) that honours the viewport meta tag and taps; fails on CSP violations."""
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    _close(context, page)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups come from a data migration, which a transactional test's flush wipes out."""
    from dingzhou_welfare.roles import sync_role_groups

    sync_role_groups()


def log_in(page, live_server, username, password, *, next_path="/"):
    """Log in through the real login form (django-axes watches it) and land on next_path."""
    page.goto(f"{live_server.url}{next_path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 or less when nothing overflows).

    document.documentElement.scrollWidth <= window.innerWidth alone is not enough on a phone:
    a mobile browser zooms out to fit wide content, and window.innerWidth grows with it.
    So both are compared with the viewport width the page was opened at.
    """
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return max(scroll_width, inner_width) - page.viewport_size["width"]
