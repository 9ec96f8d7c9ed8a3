"""Screenshots of the main pages at desktop and phone width, for people to look at (not a test).

Run from the project root, either way:

    DEBUG=true .venv/bin/python -m tests.browser.screenshots
    DJANGO_ALLOW_ASYNC_UNSAFE=true DEBUG=true .venv/bin/python -m pytest -q tests/browser/screenshots.py

pytest collects only test_*.py, so the suite never runs this file; it runs when named. It builds a
small registry through the real services in a throwaway test database (two townships, 43 children
with classifications, parents, carers, accounts, a photo, an edit history and a likely duplicate),
logs in as county staff through the login form and writes into screenshots/ (in .gitignore):

    {desktop,phone}-1-dashboard.png   -2-list.png   -3-case-file.png (full page)
    {desktop,phone}-4-create-errors.png   -5-edit.png         phone-1-menu-open.png

Desktop is 1280x900, phone 390x844 (mobile emulation); every shot but the open menu is of the full
page. Set DATABASE_URL=postgres://... to build it in PostgreSQL (pytest-django makes the test database).
"""

import datetime
import io
import sys
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, log_in, skip_without_chromium

if __name__ == "__main__":
    # Run as a script: hand this file to pytest, which sets Django up and runs the live server.
    sys.exit(pytest.main(["-q", "-s", "-p", "no:cacheprovider", __file__, *sys.argv[1:]]))

skip_without_chromium()
# Django is set up by now (pytest-django), so the models can be imported.
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from children import services  # noqa: E402
from children.models import Carer, Child, ChildDocument, ClassificationKind, ParentSituation, PaymentAccount  # noqa: E402
from tests.factories import PASSWORD, make_id_number  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "screenshots"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["小明", "欣怡", "子轩", "梓涵", "浩然", "雨桐", "一诺", "思远", "佳琪", "宇航"]
Kind = ClassificationKind
Situation = ParentSituation.Situation


def _photo() -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 300), "#dfe7ef")
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 50, 170, 150), fill="#9fb3c8")
    draw.rounded_rectangle((40, 165, 200, 300), radius=40, fill="#9fb3c8")
    data = io.BytesIO()
    image.save(data, "PNG")
    return SimpleUploadedFile("照片.png", data.getvalue(), content_type="image/png")


def _child(actor, *, name, township, village, birth_date, sex="M", **extra) -> Child:
    data = {
        "name": name,
        "sex": sex,
        "birth_date": birth_date,
        "id_number": make_id_number(birth_date, sex),
        "hukou_type": Child.HukouType.RURAL,
        "township": township,
        "village": village,
        "hukou_address": f"{township.name}{village.name}",
        **extra,
    }
    return services.create_child(actor=actor, data=data)


def _parents(actor, child, situation, since, *, work_place=""):
    for parent in ParentSituation.Parent.values:
        services.record_parent_situation(
            actor=actor,
            child=child,
            data={"parent": parent, "situation": situation, "start_date": since, "work_place": work_place},
        )


def build_registry(actor, townships_and_villages) -> Child:
    """43 children through the real services; returns the one with the fullest case file."""
    today = timezone.localdate()
    for i in range(40):
        township, village = townships_and_villages[i % len(townships_and_villages)]
        birth = datetime.date(today.year - 3 - i % 14, 1 + i % 12, 1 + i % 27)
        child = _child(
            actor,
            name=SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 3 + i // len(SURNAMES)) % len(GIVEN)],
            township=township,
            village=village,
            birth_date=birth,
            sex="M" if i % 2 else "F",
            current_address=f"{township.name}{village.name}{i % 7 + 1}组{i + 3}号",
        )
        since = max(birth, datetime.date(2022, 3, 1))
        if i % 4 == 0:
            _parents(actor, child, Situation.WORKING_AWAY, since, work_place="北京市大兴区")
            if child.age_on(since) < 16:
                services.add_classification(actor=actor, child=child, kind=Kind.LEFT_BEHIND, start_date=since)
        elif i % 9 == 1:
            _parents(actor, child, Situation.DEAD, since)
            services.add_classification(actor=actor, child=child, kind=Kind.ORPHAN_SCATTERED, start_date=since)
        elif i % 5 == 2:
            services.add_classification(actor=actor, child=child, kind=Kind.HARDSHIP_POVERTY, start_date=since)

    (township, village), *_ = townships_and_villages
    twin = _child(actor, name="周雨桐", township=township, village=village, birth_date=datetime.date(2014, 6, 1))
    same = ("name", "sex", "birth_date", "hukou_type", "township", "village")
    no_id = {"id_number": "", "no_id_reason": "户籍待核实"}
    services.create_child(actor=actor, data={**{f: getattr(twin, f) for f in same}, **no_id})  # a likely duplicate

    child = _child(
        actor,
        name="欧阳晓明",
        township=township,
        village=village,
        birth_date=datetime.date(2013, 9, 14),
        current_address="",
        school_name="清风店镇中心小学",
        grade="五年级",
        note="祖母年迈，需要每月走访一次。父母在外务工，每年春节回家。",
    )
    _parents(actor, child, Situation.ALIVE_ABLE, datetime.date(2013, 9, 14))
    services.add_classification(
        actor=actor, child=child, kind=Kind.HARDSHIP_POVERTY, start_date=datetime.date(2020, 5, 1), note="低保家庭"
    )
    entry = child.classifications.get()
    services.end_classification(
        actor=actor,
        classification=entry,
        end_date=datetime.date(2022, 12, 31),
        reason=entry.EndReason.SITUATION_CHANGED,
        note="家庭收入好转",
    )
    _parents(actor, child, Situation.WORKING_AWAY, datetime.date(2023, 3, 1), work_place="天津市滨海新区某电子厂")
    services.add_classification(
        actor=actor, child=child, kind=Kind.LEFT_BEHIND, start_date=datetime.date(2023, 3, 1), note="父母均外出务工"
    )
    services.save_carer(
        actor=actor,
        child=child,
        data={
            "name": "欧阳桂兰",
            "relationship": Carer.Relationship.PATERNAL_GRANDPARENT,
            "id_number": make_id_number(datetime.date(1955, 2, 3), "F"),
            "phone": "13812345678",
            "address": f"{township.name}{village.name}",
            "capacity": Carer.Capacity.FULL,
            "is_guardian": False,
            "is_primary": True,
        },
    )
    services.save_payment_account(
        actor=actor,
        child=child,
        data={
            "method": PaymentAccount.Method.ONE_CARD,
            "payee_name": "欧阳桂兰",
            "payee_relationship": Carer.Relationship.PATERNAL_GRANDPARENT,
            "payee_id_number": "",
            "bank_name": "河北定州农村商业银行清风店支行",
            "account_number": "6228480012345678901",
        },
    )
    services.add_document(actor=actor, child=child, kind=ChildDocument.Kind.PHOTO, upload=_photo())
    services.update_child(
        actor=actor,
        child=child,
        data={"current_address": f"{township.name}{village.name}三组12号", "boarding": True},
    )
    return child


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_take_screenshots(browser, live_server, staff, township_a, village_a, village_a2, township_b, village_b):
    child = build_registry(staff, [(township_a, village_a), (township_a, village_a2), (township_b, village_b)])
    OUT.mkdir(exist_ok=True)
    pages = [
        ("1-dashboard", "/", None),
        ("2-list", "/children/", None),
        ("3-case-file", f"/children/{child.pk}/", None),
        ("4-create-errors", "/children/new/", _submit_bad_child),
        ("5-edit", f"/children/{child.pk}/edit/", None),
    ]
    for size, viewport, options in [
        ("desktop", DESKTOP, {}),
        ("phone", PHONE, {"is_mobile": True, "has_touch": True}),
    ]:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        page = context.new_page()
        log_in(page, live_server, staff.username, PASSWORD)
        for name, path, action in pages:
            page.goto(f"{live_server.url}{path}")
            if action:
                action(page)
            _shoot(page, f"{size}-{name}")
            if size == "phone" and name == "1-dashboard":
                page.locator(".nav-button").tap()
                _shoot(page, "phone-1-menu-open", full_page=False)
        context.close()


def _shoot(page, name, *, full_page=True):
    path = OUT / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    print(path)


def _submit_bad_child(page):
    page.get_by_label("姓名").fill("李小花")
    page.get_by_label("身份证号", exact=True).fill("130682201605200021")
    page.get_by_label("出生日期").fill("2016-05-20")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("alert").wait_for()
