"""Issue 17 items 6-11 in a real browser: the children list (phone and desktop), the review queue and
its decision, the duplicate warning, and the confirmation pages of irreversible steps.

Run with: DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest -q tests/browser/test_lists_browser.py
Screenshots at 390, 1024 and 1366 px go to /tmp/shots/lists/.
"""

import datetime
import io
import pathlib
import re
from urllib.parse import quote

import pytest

from children import services as child_services
from children.models import Child, ClassificationKind
from dingzhou_welfare.models import AuditEntry
from tests.factories import PASSWORD, CarerFactory, ChildFactory, make_id_number
from tests.visits.support import visit_data
from visits.models import Visit
from visits.services import record_visit

from .conftest import CHROMIUM, log_in, overflow, skip_without_chromium

skip_without_chromium()
expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = pathlib.Path("/tmp/shots/lists")  # noqa: S108 - screenshots for people to look at
WIDTHS = [390, 1024, 1366]
assert CHROMIUM


def _context(browser, width):
    options = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if width < 700 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 700 else 800},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        **options,
    )
    context.set_default_timeout(10_000)
    return context


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def at_every_width(browser, live_server, user, path, name, check=None):
    """Open `path` as `user` at 390, 1024 and 1366 px: nothing wider than the screen, a screenshot each."""
    for width in WIDTHS:
        context = _context(browser, width)
        page = context.new_page()
        log_in(page, live_server, user.username, PASSWORD, next_path=path)
        assert overflow(page) <= 0, f"{name} at {width} px is wider than the screen"
        if check is not None:
            check(page, width)
        shoot(page, name)
        context.close()


@pytest.fixture
def many_children(township_a, village_a, village_a2):
    """30 children in township A (two pages of 25), a few with a category."""
    children = []
    for i in range(30):
        child = ChildFactory(
            name=f"王{'一二三四五六七八九十'[i % 10]}{i}",
            township=township_a,
            village=village_a if i % 2 else village_a2,
            birth_date=datetime.date(2012 + i % 8, 1 + i % 12, 1 + i % 27),
            sex="F" if i % 2 else "M",
        )
        children.append(child)
    return children


# 6. The children list on a phone -------------------------------------------------------------------


def test_the_children_list_on_a_phone_folds_the_filters_and_shows_cards(
    browser, live_server, caseworker_a, many_children
):
    context = _context(browser, 390)
    page = context.new_page()
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/")
    toggle = page.get_by_role("button", name="筛选")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("乡镇（街道）")).to_be_hidden()
    expect(page.get_by_label("姓名或身份证号")).to_be_visible()  # the search box stays out
    shoot(page, "6-children-phone-folded")

    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    township = page.get_by_label("乡镇（街道）")
    expect(township).to_be_visible()
    for label in ("乡镇（街道）", "村（社区）", "儿童类别", "状态"):
        expect(page.get_by_label(label).locator("option").first).to_have_text("全部")
    assert "---------" not in page.content()
    shoot(page, "6-children-phone-open")

    page.get_by_label("状态").select_option(label="在册")
    page.get_by_role("button", name="查询").tap()
    expect(page.get_by_role("button", name=re.compile("筛选"))).to_contain_text("1")  # one filter set
    # A compact card: the name, sex, age and ID in two or three short lines, not seven labelled ones.
    card = page.locator("#children tbody tr").first
    height = card.bounding_box()["height"]
    assert height < 130, f"a child's card is {height} px tall"
    assert overflow(page) <= 0
    context.close()


# 9. The children list on a desktop -----------------------------------------------------------------


def test_the_children_list_pages_by_number_and_marks_its_menu_section(browser, live_server, staff, many_children):
    context = _context(browser, 1024)
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path="/children/")

    menu = page.locator(".nav")
    expect(menu.get_by_role("link", name="儿童信息")).to_have_attribute("aria-current", "page")
    expect(menu.locator("[aria-current]")).to_have_count(1)
    tops = {round(box["y"]) for box in (a.bounding_box() for a in menu.locator("a").all())}
    assert len(tops) == 1, f"the menu wraps onto {len(tops)} rows at 1024 px"

    pager = page.get_by_role("navigation", name="分页")
    expect(pager.get_by_role("link", name="第 1 页，当前页")).to_have_attribute("aria-current", "page")
    pager.get_by_role("link", name="第 2 页", exact=True).click()
    expect(page.locator("#children tbody tr")).to_have_count(5)
    page.get_by_label("跳至").fill("1")
    page.get_by_role("button", name="跳转").click()
    expect(page.locator("#children tbody tr")).to_have_count(25)

    page.goto(f"{live_server.url}/children/{many_children[0].pk}/")  # a page inside the section
    expect(menu.get_by_role("link", name="儿童信息")).to_have_attribute("aria-current", "true")
    context.close()


def test_the_filtered_list_exports_to_excel_masked_and_audited(browser, live_server, caseworker_a, many_children):
    from openpyxl import load_workbook

    context = _context(browser, 1366)
    page = context.new_page()
    log_in(page, live_server, caseworker_a.username, PASSWORD, next_path="/children/?q=" + quote("王一"))
    expected = Child.objects.filter(name__startswith="王一").count()
    expect(page.locator("#result-count")).to_contain_text(f"共 {expected} 名儿童")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出 Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(pathlib.Path(download.path()).read_bytes()), read_only=True).active
    rows = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(rows) == expected
    assert {row[1] for row in rows} == set(Child.objects.filter(name__startswith="王一").values_list("name", flat=True))
    assert all("*" in row[5] for row in rows)  # ID numbers masked
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == caseworker_a
    assert entry.changes["rows"] == expected and entry.changes["query"] == {"q": "王一"}
    context.close()


def test_screenshots_of_the_children_list(browser, live_server, staff, many_children):
    def check(page, width):
        if width < 700:
            expect(page.get_by_role("button", name="筛选")).to_be_visible()
        else:
            expect(page.get_by_label("乡镇（街道）")).to_be_visible()
            expect(page.get_by_role("button", name="筛选")).to_be_hidden()

    at_every_width(browser, live_server, staff, "/children/", "9-children-list", check)


# 7 and 8. The review queue and the decision --------------------------------------------------------


@pytest.fixture
def waiting_visits(caseworker_a, child_a, child_a2, township_a, village_a):
    """Three submitted visits: a low-risk one oldest, a high-risk one newest, a medium one between."""
    third = ChildFactory(name="孙小花", township=township_a, village=village_a, sex="F")
    for child in (child_a, child_a2, third):
        CarerFactory(child=child)
    low = record_visit(actor=caseworker_a, child=child_a, data=visit_data(visited_on=datetime.date(2026, 5, 10)))
    medium = record_visit(
        actor=caseworker_a,
        child=child_a2,
        data=visit_data(visited_on=datetime.date(2026, 5, 15), hygiene_rating="poor", hygiene_note="厨房脏乱"),
    )
    high = record_visit(
        actor=caseworker_a,
        child=third,
        data=visit_data(
            visited_on=datetime.date(2026, 5, 20), guardianship_rating="serious", guardianship_note="无人照料"
        ),
    )
    assert [low.risk_level, medium.risk_level, high.risk_level] == ["low", "medium", "high"]
    return high, medium, low


def test_the_review_queue_is_sorted_by_risk_counted_and_moves_to_the_next_visit(
    browser, live_server, supervisor_a, waiting_visits
):
    high, medium, low = waiting_visits
    context = _context(browser, 1366)
    page = context.new_page()
    log_in(page, live_server, supervisor_a.username, PASSWORD, next_path="/visits/review/")
    expect(page.locator("#queue-count")).to_contain_text("共 3 条待审核")
    rows = page.locator("#review-queue tbody tr")
    expect(rows.nth(0)).to_contain_text(high.child.name)
    expect(rows.nth(1)).to_contain_text(medium.child.name)
    expect(rows.nth(2)).to_contain_text(low.child.name)
    expect(rows.nth(0).get_by_role("link", name=high.child.name, exact=True)).to_have_attribute(
        "href", f"/children/{high.child_id}/"
    )

    rows.nth(0).get_by_role("link", name=re.compile("^审核")).click()
    decision = page.get_by_role("group", name="审核结论")
    expect(decision).to_be_visible()
    decision.get_by_label("通过").check()
    page.get_by_role("button", name="提交审核意见").click()

    page.wait_for_url(f"{live_server.url}/visits/{medium.pk}/#review")  # the next one waiting opens, at its decision
    expect(page.get_by_role("status").first).to_contain_text(f"已通过 {high.child.name} 的探访记录")
    expect(page.get_by_role("status").first).to_contain_text(f"下一条：{medium.child.name}")
    high.refresh_from_db()
    assert high.status == Visit.Status.ACCEPTED

    page.get_by_role("group", name="审核结论").get_by_label("退回修改").check()
    page.get_by_label("审核意见").fill("请补充卫生环境的说明。")
    page.get_by_role("button", name="提交审核意见").click()
    page.wait_for_url(f"{live_server.url}/visits/{low.pk}/#review")
    expect(page.get_by_role("status").first).to_contain_text(f"已退回 {medium.child.name} 的探访记录")
    context.close()


def test_the_decision_is_one_radio_group_on_one_line_at_every_width(browser, live_server, supervisor_a, waiting_visits):
    high = waiting_visits[0]

    def check(page, width):
        group = page.locator("fieldset#field-decision")
        expect(group.locator("legend")).to_have_text(re.compile("审核结论"))
        expect(group.get_by_role("radio")).to_have_count(2)
        boxes = [label.bounding_box() for label in group.locator("label").all()]
        assert len({round(box["y"]) for box in boxes}) == 1, f"the choices wrap at {width} px"
        assert all(box["height"] < 60 for box in boxes)

    at_every_width(browser, live_server, supervisor_a, f"/visits/{high.pk}/", "7-review-decision", check)
    at_every_width(browser, live_server, supervisor_a, "/visits/review/", "8-review-queue")


# 10. The duplicate warning --------------------------------------------------------------------------


@pytest.fixture
def twins(staff, township_a, village_a):
    data = {
        "name": "周雨桐",
        "sex": "F",
        "birth_date": datetime.date(2014, 6, 1),
        "hukou_type": Child.HukouType.RURAL,
        "township": township_a,
        "village": village_a,
        "hukou_address": "清风店镇东村",
    }
    first = child_services.create_child(
        actor=staff, data={**data, "id_number": make_id_number(data["birth_date"], "F")}
    )
    second = child_services.create_child(actor=staff, data={**data, "id_number": "", "no_id_reason": "户籍待核实"})
    first.refresh_from_db()
    assert first.likely_duplicate and second.likely_duplicate
    return first, second


def test_the_duplicate_warning_links_the_other_record_and_not_a_duplicate_silences_it(
    browser, live_server, staff, twins
):
    first, second = twins
    at_every_width(browser, live_server, staff, f"/children/{first.pk}/", "10-duplicate-warning")

    context = _context(browser, 1366)
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path=f"/children/{first.pk}/")
    warning = page.locator("#duplicates")
    other = warning.get_by_role("link", name=f"周雨桐（档案 {second.pk}）")
    expect(other).to_have_attribute("href", f"/children/{second.pk}/")
    warning.get_by_role("button", name="不是重复").click()  # no reason: the browser asks for one
    assert Child.objects.get(pk=first.pk).likely_duplicate
    warning.get_by_label("核实情况").fill("已核对户口簿，为两名儿童")
    warning.get_by_role("button", name="不是重复").click()
    expect(page.get_by_role("status").first).to_contain_text("不是重复档案")
    expect(page.locator("#duplicates")).to_have_count(0)
    page.goto(f"{live_server.url}/children/{second.pk}/")
    expect(page.locator("#duplicates")).to_have_count(0)
    assert not Child.objects.filter(pk__in=[first.pk, second.pk], likely_duplicate=True).exists()
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, summary__startswith="核实不是重复")
    assert {e.child_id for e in entries} == {first.pk, second.pk}
    assert all(e.actor == staff and e.changes["reason"] == "已核对户口簿，为两名儿童" for e in entries)
    context.close()


# 11. Confirmation pages ------------------------------------------------------------------------------


def test_closing_a_file_asks_on_a_page_that_says_what_will_happen(browser, live_server, staff, child_a):
    child_services.add_classification(
        actor=staff, child=child_a, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=datetime.date(2024, 1, 1)
    )
    context = _context(browser, 1366)
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path=f"/children/{child_a.pk}/")
    page.locator("#close summary").click()
    page.get_by_label("销档原因").select_option(label="迁出")
    page.get_by_role("button", name="下一步：核对销档").click()

    expect(page.locator("h1")).to_have_text(f"确认销档：{child_a.name}")
    consequences = page.locator("#consequences")
    expect(consequences).to_contain_text("终止儿童类别：困境儿童（家庭贫困）")
    expect(consequences).to_contain_text("此操作不能撤销")
    child_a.refresh_from_db()
    assert child_a.status == Child.Status.ACTIVE  # nothing happened yet
    page.get_by_role("button", name="确认销档").click()
    page.wait_for_url(f"{live_server.url}/children/{child_a.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("已销档")
    child_a.refresh_from_db()
    assert child_a.status == Child.Status.CLOSED
    context.close()


def test_adoption_registration_asks_for_confirmation_at_every_width(browser, live_server, staff, child_a):
    from adoption.models import State
    from tests.adoption.conftest import make_case

    case = make_case(staff, child_a)

    def check(page, width):
        expect(page.locator("#consequences")).to_contain_text(f"{child_a.name} 的档案销档（原因：被收养）")
        expect(page.get_by_role("button", name="确认准予登记")).to_be_visible()

    at_every_width(browser, live_server, staff, f"/adoption/{case.pk}/register/", "11-confirm-register", check)

    context = _context(browser, 1024)
    page = context.new_page()
    log_in(page, live_server, staff.username, PASSWORD, next_path=f"/adoption/{case.pk}/")
    page.get_by_role("button", name="准予登记…").click()
    expect(page.locator("h1")).to_have_text(f"确认准予登记：{child_a.name}")
    case.refresh_from_db()
    assert case.state == State.DECISION
    page.get_by_role("button", name="确认准予登记").click()
    page.wait_for_url(f"{live_server.url}/adoption/{case.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("已办理收养登记")
    case.refresh_from_db()
    assert case.state == State.REGISTERED
    context.close()
