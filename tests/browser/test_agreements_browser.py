"""Guardianship agreements and a care campaign on a phone: fill in and sign an agreement and watch the
work list change; record a handout and see the totals. Screenshots go to $TMPDIR/shots/care/.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_agreements_browser.py
"""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from children.models import ClassificationKind, GuardianshipAgreement
from children.services import add_classification
from tests.agreements.support import GRANDMOTHER_ID, PNG, make_left_behind
from tests.campaigns.support import ITEMS
from tests.factories import PASSWORD
from visits.campaigns import services as campaign_services
from visits.campaigns.models import Handout

from .conftest import log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(tempfile.gettempdir()) / "shots" / "care"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_caseworker_fills_in_and_signs_an_agreement_on_a_phone(phone_page, live_server, caseworker_a, child_a, staff):
    page = phone_page
    make_left_behind(child_a, staff)
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/agreements/")
    row = page.locator("#agreement-children tbody tr", has_text="王小明")
    expect(row).to_have_attribute("data-state", "missing")
    expect(page.locator("#agreement-coverage")).to_contain_text("0 / 1")
    assert overflow(page) <= 0
    _shot(page, "phone-1-work-list-missing")

    row.get_by_role("link", name="填写").tap()
    expect(page.get_by_label("父亲姓名")).to_have_value("王建军")  # pre-filled from the case file
    page.get_by_label("受委托人姓名").fill("王桂兰")
    page.get_by_label("受委托人与儿童关系").select_option(label="祖父母")
    page.get_by_label("受委托人身份证号").fill(GRANDMOTHER_ID)
    page.get_by_label("受委托人电话").fill("13800002222")
    page.get_by_label("具有完全民事行为能力").check()
    page.get_by_label("具有照护能力").check()
    page.get_by_label("无性侵害、虐待、遗弃、拐卖、暴力伤害等违法犯罪行为").check()
    page.get_by_label("无吸毒、酗酒、赌博等恶习").check()
    page.get_by_label("未曾拒不履行或长期怠于履行监护、照护职责").check()
    page.get_by_label("未患有严重传染性疾病").check()
    # The last exclusion is forgotten: the form says so on its box and keeps everything typed.
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_role("alert")).to_contain_text("信息尚未保存")
    field = page.locator(".field.has-error", has=page.locator("#id_no_other_unsuitability"))
    expect(field.locator(".error")).to_contain_text("第二十二条第四项")
    expect(page.get_by_label("受委托人姓名")).to_have_value("王桂兰")
    assert overflow(page) <= 0
    _shot(page, "phone-2-form-error")
    page.get_by_label("无其他不适宜担任受委托人的情形").check()
    page.get_by_role("button", name="保存").tap()

    expect(page.locator("#agreement-status")).to_have_text("待签订")
    agreement = GuardianshipAgreement.objects.get()
    _shot(page, "phone-3-draft")
    page.get_by_label("签字后的确认书扫描件或照片").set_input_files(
        files=[{"name": "确认书.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_label("书面告知学校日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="登记为已签订").tap()
    expect(page.locator("#agreement-status")).to_have_text("已签订")
    _shot(page, "phone-4-signed")

    page.goto(f"{live_server.url}/children/agreements/")
    expect(page.locator("#agreement-children")).to_contain_text("没有待办")
    expect(page.locator("#agreement-coverage")).to_contain_text("1 / 1")
    page.goto(f"{live_server.url}/children/agreements/?state=current")
    expect(page.locator("#agreement-children tbody tr", has_text="王小明")).to_have_attribute("data-state", "current")
    _shot(page, "phone-5-work-list-current")
    agreement.refresh_from_db()
    assert agreement.status == GuardianshipAgreement.Status.SIGNED
    assert agreement.created_by == caseworker_a


def test_a_caseworker_records_a_handout_on_a_phone(phone_page, live_server, caseworker_a, child_a, child_b, staff):
    page = phone_page
    today = timezone.localdate()
    campaign = campaign_services.save_campaign(
        actor=staff,
        data={
            "name": "春节走访慰问",
            "start_date": today - datetime.timedelta(days=5),
            "end_date": today,
            "description": "",
        },
        items=ITEMS,
    )
    for child in (child_a, child_b):
        add_classification(
            actor=staff, child=child, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2024, 1, 1)
        )
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path=f"/campaigns/{campaign.pk}/children/")
    expect(page.locator("#campaign-children li")).to_have_count(1)  # child_b is in another township
    _shot(page, "phone-6-campaign-children")
    page.get_by_role("link", name="王小明").tap()
    page.get_by_label("大米（份）").fill("1")
    page.get_by_label("油（份）").fill("1")
    page.get_by_label("慰问金（元）").fill("300")
    assert overflow(page) <= 0
    _shot(page, "phone-7-handout-form")
    page.get_by_role("button", name="保存").tap()
    expect(page.get_by_role("status")).to_contain_text("已登记 王小明")
    expect(page.locator("#campaign-children")).to_contain_text("没有符合条件的儿童")  # the list shows who is left
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.locator("#summary-sentence")).to_contain_text("困境儿童 1 名")
    expect(page.locator("#summary-sentence")).to_contain_text("慰问金 300.00 元")
    _shot(page, "phone-8-campaign-totals")
    assert Handout.objects.get().recorded_by == caseworker_a
