"""An adoption case from application to registration, through the pages in a real browser.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_adoption_browser.py
Screenshots go to /tmp/shots/adoption/.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from adoption.models import AdoptionCase, State
from children.models import Child
from dingzhou_welfare.models import Role
from tests.factories import PASSWORD, ChildFactory, make_id_number, make_user
from tests.upload_support import PNG

from .conftest import PHONE, log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/adoption")  # noqa: S108 - where the team looks at screenshots


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def form(page, action):
    return page.locator(f"form[action='{action}']")


def fill_applicant(page, *, name, id_number, marital="已婚"):
    page.locator("#id_name").fill(name)
    page.locator("#id_id_number").fill(id_number)
    page.locator("#id_address").fill("定州市北城区兴华路1号")
    page.locator("#id_marital_status").select_option(label=marital)
    page.locator("#id_children_count").fill("0")
    page.locator("#id_health").select_option(label="健康")
    page.locator("#id_annual_income").fill("96000")
    page.locator("#id_housing").select_option(label="自有住房")
    page.locator("#id_record").select_option(label="无违法犯罪记录")
    page.locator("#id_able_to_raise").select_option(label="具备")
    page.get_by_role("button", name="保存").click()


def upload(page, case_pk, *, party, kind, applicant=None):
    page.locator("#upload summary").click()
    upload_form = form(page, f"/adoption/{case_pk}/documents/")
    upload_form.locator("#id_party").select_option(label=party)
    if applicant:
        upload_form.locator("#id_applicant").select_option(label=applicant)
    upload_form.locator("#id_kind").select_option(label=kind)
    upload_form.locator("#id_file").set_input_files({"name": f"{kind}.png", "mimeType": "image/png", "buffer": PNG})
    upload_form.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status")).to_contain_text("已上传材料。")


def test_staff_take_a_case_from_application_to_registration(page, browser, live_server, staff, township_a, village_a):
    make_user("wang_li", Role.STAFF)  # the second member of the assessment team
    child = ChildFactory(township=township_a, village=village_a, name="王小安", birth_date=datetime.date(2016, 5, 3))
    today = timezone.localdate()
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731

    log_in(page, live_server, staff.username, PASSWORD, next_path="/adoption/")
    expect(page.locator("h1")).to_have_text("收养登记")
    page.get_by_role("link", name="新建收养申请").click()
    page.locator("#id_child_ref").fill(child.id_number)
    page.locator("#id_origin").select_option(label="儿童福利机构抚养的儿童")
    page.locator("#id_parents_unknown").check()
    page.locator("#id_applied_on").fill(day(70))
    page.locator("#id_placer_kind").select_option(label="儿童福利机构")
    page.locator("#id_placer_name").fill("定州市儿童福利院")
    page.locator("#id_placer_consent_on").fill(day(70))
    page.locator("#id_child_consent_on").fill(day(70))
    page.get_by_role("button", name="保存").click()

    case = AdoptionCase.objects.get(child=child)
    expect(page.get_by_role("status")).to_contain_text("已登记收养申请")
    expect(page.locator("#missing")).to_contain_text("登记至少一名收养人")
    expect(page.locator(".steps li.current")).to_have_text("申请")

    page.get_by_role("link", name="登记收养人").click()
    fill_applicant(page, name="张建国", id_number=make_id_number(datetime.date(1985, 4, 2), "M"))
    expect(page.get_by_role("status")).to_contain_text("已保存收养人信息。")
    expect(page.locator("#eligibility")).to_contain_text("张建国 已婚，须与配偶共同收养")
    page.get_by_role("link", name="登记收养人二（配偶）").click()
    fill_applicant(page, name="李秀梅", id_number=make_id_number(datetime.date(1987, 9, 9), "F"))
    expect(page.locator("#eligibility .tag.check.fail")).to_have_count(0)

    for applicant in ("张建国", "李秀梅"):
        for kind in ("户口簿、身份证", "婚姻状况证明", "子女情况声明", "县级以上医疗机构体检证明"):
            upload(page, case.pk, party="收养人", applicant=applicant, kind=kind)
    upload(page, case.pk, party="送养人", kind="送养人身份证明或机构登记证书")
    upload(page, case.pk, party="送养人", kind="送养意见书")
    expect(page.locator("#missing")).to_contain_text("被收养人：儿童入院登记或捡拾报案证明")
    upload(page, case.pk, party="被收养人", kind="儿童入院登记或捡拾报案证明")
    expect(page.locator("#missing")).to_have_text("材料和条件齐备，可以办理下一步。")
    shoot(page, "browser-1-application")

    page.get_by_role("button", name="受理，进入初审").click()
    expect(page.locator(".steps li.current")).to_have_text("初审")
    assessment = form(page, f"/adoption/{case.pk}/assessment/")
    assessment.locator("#id_notified_on").fill(day(60))
    assessment.get_by_label("staff").check()
    assessment.get_by_role("button", name="初审通过，开始收养评估").click()
    expect(page.locator(".field.has-error .error")).to_have_text("评估小组至少由两名工作人员组成。")
    assessment = form(page, f"/adoption/{case.pk}/assessment/")
    assessment.locator("#id_notified_on").fill(day(60))
    assessment.get_by_label("staff").check()
    assessment.get_by_label("wang_li").check()
    assessment.get_by_role("button", name="初审通过，开始收养评估").click()
    expect(page.locator(".steps li.current")).to_have_text("收养评估")

    page.get_by_role("link", name="填写评估内容").click()
    for field in page.locator("textarea").all():
        field.fill("经面谈、查阅材料和家访，情况良好。")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存评估内容。")
    integration = form(page, f"/adoption/{case.pk}/integration/")
    integration.locator("#id_start").fill(day(50))
    integration.get_by_role("button", name="开始融合期").click()
    expect(page.locator(".steps li.current")).to_have_text("融合期")

    report = form(page, f"/adoption/{case.pk}/report/")
    report.locator("#id_integration_end").fill(day(25))  # 25 days: too short
    report.locator("#id_integration_finding").fill("孩子与收养人相处融洽，已能安稳入睡、主动交流。")
    report.locator("#id_conclusion").select_option(label="适合收养")
    report.locator("#id_conclusion_note").fill("收养人具备抚养能力，融合良好，建议准予登记。")
    report.locator("#id_report_date").fill(day(10))
    report.get_by_role("button", name="结束融合期，出具评估报告").click()
    expect(page.locator(".field.has-error .error")).to_contain_text("融合期不少于30日")
    report = form(page, f"/adoption/{case.pk}/report/")
    report.locator("#id_integration_end").fill(day(15))
    report.get_by_role("button", name="结束融合期，出具评估报告").click()
    expect(page.locator(".steps li.current")).to_have_text("登记审查")
    expect(page.get_by_role("link", name="评估报告（PDF）")).to_be_visible()
    pdf = page.request.get(f"{live_server.url}/adoption/{case.pk}/assessment.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    shoot(page, "browser-2-decision")

    page.get_by_role("button", name="准予登记…").click()
    expect(page.locator("#consequences")).to_contain_text("的档案销档（原因：被收养）")  # what it does, first
    page.get_by_role("button", name="确认准予登记").click()
    expect(page.get_by_role("status")).to_contain_text("已办理收养登记")
    expect(page.locator("#outcome")).to_contain_text(re.compile(r"收养登记证号 \d{6}-\d{4}-00001"))
    expect(page.locator("#case-state")).to_have_text("已登记")
    shoot(page, "browser-3-registered")

    case.refresh_from_db()
    child.refresh_from_db()
    assert case.state == State.REGISTERED
    assert list(case.steps.values_list("to_state", flat=True)) == [
        "application",
        "review",
        "assessment",
        "integration",
        "decision",
        "registered",
    ]
    assert (child.status, child.closed_reason) == (Child.Status.CLOSED, Child.ClosedReason.ADOPTED)

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    phone_page = phone.new_page()
    log_in(phone_page, live_server, staff.username, PASSWORD, next_path=f"/adoption/{case.pk}/")
    assert overflow(phone_page) <= 0
    shoot(phone_page, "phone-case")
    phone_page.goto(f"{live_server.url}/adoption/")
    assert overflow(phone_page) <= 0
    shoot(phone_page, "phone-list")
    phone.close()
