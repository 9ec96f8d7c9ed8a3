"""The API clients page and the API docs in a real browser: the administrator makes a client, reads its
token once, revokes it; the Swagger and Redoc pages draw from this server alone (no CDN).

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_api_browser.py
Screenshots go to /tmp/shots/api/.
"""

from pathlib import Path
from urllib.parse import urlparse

import pytest

from api.models import ApiClient
from api.tokens import token_hash
from tests.factories import PASSWORD

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/api")  # noqa: S108 - screenshots for people to look at


def test_the_administrator_makes_a_client_reads_its_token_once_and_revokes_it(phone_page, live_server, administrator):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    log_in(page, live_server, administrator.username, PASSWORD, next_path="/api/clients/")
    page.get_by_label("客户端名称").fill("省儿童福利信息系统")
    page.get_by_label("用途说明").fill("每月增减员同步")
    page.get_by_role("button", name="新建并生成令牌").click()
    token = page.locator("#token").input_value()
    assert ApiClient.objects.get(name="省儿童福利信息系统").token_hash == token_hash(token)
    expect(page.locator("#new-token")).to_contain_text("令牌只显示这一次")
    assert overflow(page) <= 0
    page.screenshot(path=str(SHOTS / "phone-1-token-once.png"), full_page=True)

    page.goto(f"{live_server.url}/api/clients/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("#clients")).to_contain_text(token[:12])
    page.get_by_text("吊销令牌").click()
    page.get_by_role("button", name="确认吊销“省儿童福利信息系统”").click()
    expect(page.get_by_role("status")).to_contain_text("已吊销")
    expect(page.locator("#clients")).to_contain_text("已吊销")
    assert overflow(page) <= 0
    page.screenshot(path=str(SHOTS / "phone-2-revoked.png"), full_page=True)
    assert ApiClient.objects.get(name="省儿童福利信息系统").revoked_at is not None


DOCS = [("/api/docs/", ".swagger-ui .info"), ("/api/redoc/", "h1")]


@pytest.mark.parametrize(("path", "drawn"), DOCS)
def test_the_docs_draw_from_this_server_alone(page, live_server, staff, path, drawn):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = []
    here = urlparse(live_server.url).netloc
    # Redoc's bundle asks for its logo on the vendor's CDN: the page's Content-Security-Policy must stop it
    # in the browser, so every request for another host fails there and none finishes.
    blocked = {}
    page.on("request", lambda request: urlparse(request.url).netloc not in (here, "") and outside.append(request.url))
    page.on("requestfailed", lambda request: blocked.update({request.url: request.failure}))
    log_in(page, live_server, staff.username, PASSWORD, next_path=path)
    expect(page.locator(drawn).first).to_contain_text("定州市儿童福利管理系统只读接口", timeout=20_000)
    page.screenshot(path=str(SHOTS / f"desktop-{path.strip('/').replace('/', '-')}.png"))
    assert {url: blocked.get(url) for url in outside} == dict.fromkeys(outside, "csp")
    # That refusal is the policy at work, asserted above; any other would fail the test (conftest).
    page.csp_violations[:] = [text for text in page.csp_violations if not any(url in text for url in outside)]


def test_the_docs_describe_each_lines_paid_status(page, live_server, staff):
    """Swagger UI's schemas: the paid statuses a line can have, each value and what it means."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server, staff.username, PASSWORD, next_path="/api/docs/")
    model = page.locator(".models .model-container", has_text="PaidStatusEnum")
    expect(model).to_have_count(1, timeout=20_000)
    model.scroll_into_view_if_needed()
    model.locator(".model-box-control").first.click()
    for value in ("to_send", "sent", "paid", "returned", "reissued", "not_sent"):
        expect(model).to_contain_text(value)
    expect(model).to_contain_text("已重发")
    model.screenshot(path=str(SHOTS / "desktop-paid-status-enum.png"))
    line = page.locator("#model-Line")
    line.scroll_into_view_if_needed()
    line.locator(".model-box-control").first.click()
    expect(line).to_contain_text("reissue_of")
    expect(line).to_contain_text("bank_reason")
    expect(line).to_contain_text("reissued_in_batch_number")
    line.screenshot(path=str(SHOTS / "desktop-line-model.png"))
