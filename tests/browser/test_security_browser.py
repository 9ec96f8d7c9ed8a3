"""Content-Security-Policy and two-factor sign-in in a real browser (issue 19, items 8 and 9)."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

from .conftest import overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_blocks_inline_script_and_the_listener_sees_it(page, live_server, db):
    """The console listener of conftest catches what the policy refuses: here, a script slipped into the page."""
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; "
        "document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in text for text in page.csp_violations)
    page.csp_violations.clear()  # seen as it should be: not a failure of this test


def test_staff_enrol_on_a_phone_and_the_language_switch_works(phone_page, live_server, staff, settings):
    settings.TWO_FACTOR_REQUIRED = True
    page = phone_page
    page.goto(f"{live_server.url}/")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/2fa/setup/"))
    expect(page.get_by_role("img", name="绑定验证器的二维码")).to_be_visible()
    assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0  # the QR code drew
    assert overflow(page) <= 0
    device = TOTPDevice.objects.get(user=staff)
    page.get_by_label("验证码").fill(f"{TOTP(device.bin_key).token():06d}")
    page.get_by_role("button", name="启用").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="我已保存恢复码，继续").click()
    page.wait_for_url(f"{live_server.url}/")
    # The footer's language list submits itself from static/js/language.js (no inline handler).
    page.get_by_label("Language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
