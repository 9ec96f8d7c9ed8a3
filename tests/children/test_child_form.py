"""Creating and editing a child: clerk-readable errors next to the field, nothing saved, nothing audited."""

import datetime
import re

import pytest
from django.urls import reverse

from children import services
from children.models import Child
from dingzhou_welfare.idnumbers import check_char
from dingzhou_welfare.models import AuditEntry

from ..factories import child_form_data, make_id_number


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


def field_block(html: str, field: str) -> str:
    """The rendered <div class="field"> of one form field (label, input, help and errors)."""
    for block in re.split(r'(?=<div class="field)', html):
        if f'for="id_{field}"' in block:
            return block
    raise AssertionError(f"no field {field} on the page")


def id_ending_in_x(birth: datetime.date, sex: str = "M") -> str:
    for seq in range(1 if sex == "M" else 0, 1000, 2):
        first17 = f"130682{birth:%Y%m%d}{seq:03d}"
        if check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no sequence gives X")


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


ERRORS = [
    ({"id_number": "130682201501010011"}, "id_number", "身份证号校验位错误：最后一位应为 0，请核对号码是否抄错。"),
    ({"id_number": "130682201502300015"}, "id_number", "身份证号中的出生日期 20150230 不是有效日期。"),
    ({"id_number": "13068220150101001"}, "id_number", "身份证号应为18位，现在是17位。"),
    ({"birth_date": "2015-01-02"}, "birth_date", "出生日期与身份证号不一致：身份证号中为 2015-01-01。"),
    ({"sex": "F"}, "sex", "性别与身份证号不一致：身份证号第17位表示男。"),
    ({"id_number": "", "no_id_reason": ""}, "no_id_reason", "没有身份证号时须填写原因（如弃婴尚未落户）。"),
    ({"id_number": "", "no_id_reason": "   "}, "no_id_reason", "没有身份证号时须填写原因（如弃婴尚未落户）。"),
    ({"name": ""}, "name", "该字段是必填项。"),
    ({"name": "   "}, "name", "该字段是必填项。"),
    ({"name": '=HYPERLINK("http://x","x")'}, "name", "姓名不能以“=”开头（= + - @ 和制表符开头会被表格软件当作公式）。"),
    ({"name": "@李明"}, "name", "姓名不能以“@”开头（= + - @ 和制表符开头会被表格软件当作公式）。"),
    ({"name": "\t李明"}, "name", "姓名不能以“制表符”开头（= + - @ 和制表符开头会被表格软件当作公式）。"),
    ({"name": "李\u200b明"}, "name", "姓名中不能有控制字符（如换行、制表符）。"),
    ({"name": "<script>李明"}, "name", "姓名中不能有尖括号（小于号、大于号）。"),
    ({"name": "李" * 31}, "name", "姓名最多 30 个字，现在是 31 个字。"),
    ({"name": "12345"}, "name", "姓名中应有汉字或拉丁字母。"),
    ({"disability_grade": "5"}, "disability_grade", "确保该值小于或等于4。"),
    ({"disability_grade": "2"}, "disability_type", "填写残疾等级时须选择残疾类别。"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), ERRORS)
def test_create_errors(client_a, township_a, village_a, overrides, field, message):
    audit_before = AuditEntry.objects.count()
    response = client_a.post(reverse("children:create"), child_form_data(township_a, village_a, **overrides))
    assert response.status_code == 200
    assert "请改正下面标出的错误，信息尚未保存。" in response.text
    assert message in field_block(response.text, field)
    assert not Child.objects.exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(("overrides", "field", "message"), ERRORS)
def test_edit_errors(client_a, child_a, overrides, field, message):
    data = child_form_data(child_a.township, child_a.village, name=child_a.name)
    data.update(overrides)
    if "birth_date" not in overrides and "id_number" not in overrides:
        data.update(id_number="130682201501010010")
    before = Child.objects.values().get(pk=child_a.pk)
    audit_before = AuditEntry.objects.count()
    response = client_a.post(reverse("children:edit", args=[child_a.pk]), data)
    assert response.status_code == 200
    assert message in field_block(response.text, field)
    assert Child.objects.values().get(pk=child_a.pk) == before
    assert AuditEntry.objects.count() == audit_before


def test_village_of_another_township(client, staff, township_a, village_b):
    client.force_login(staff)
    response = client.post(reverse("children:create"), child_form_data(township_a, village_b))
    assert response.status_code == 200
    assert "所选村（社区）不属于所选乡镇。" in field_block(response.text, "village")
    assert not Child.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_type="child").exists()


def test_township_and_village_outside_the_caseworkers_scope(client_a, township_b, village_b):
    response = client_a.post(reverse("children:create"), child_form_data(township_b, village_b))
    assert response.status_code == 200
    assert "选择一个有效的选项" in field_block(response.text, "township")
    assert "选择一个有效的选项" in field_block(response.text, "village")
    assert not Child.objects.exists()


def test_village_caseworker_must_pick_one_of_their_villages(client, caseworker_village, township_a, village_a):
    """Otherwise the new child would be outside their own scope, and the next page a 404."""
    client.force_login(caseworker_village)
    response = client.post(reverse("children:create"), child_form_data(township_a))
    assert response.status_code == 200
    assert "该字段是必填项。" in field_block(response.text, "village")
    assert not Child.objects.exists()
    response = client.post(reverse("children:create"), child_form_data(township_a, village_a))
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200


def test_lower_case_x_is_accepted_and_stored_upper_case(client_a, township_a, village_a):
    number = id_ending_in_x(datetime.date(2015, 1, 1))
    response = client_a.post(
        reverse("children:create"), child_form_data(township_a, village_a, id_number=f" {number.lower()} ")
    )
    assert response.status_code == 302
    assert Child.objects.get().id_number == number


def test_no_id_with_a_reason(client_a, township_a, village_a):
    response = client_a.post(
        reverse("children:create"), child_form_data(township_a, village_a, id_number="", no_id_reason="弃婴，尚未落户")
    )
    assert response.status_code == 302
    child = Child.objects.get()
    assert (child.id_number, child.no_id_reason) == ("", "弃婴，尚未落户")


def test_duplicate_id_number_is_a_clear_error(client_a, child_a, child_b, township_a, village_a):
    """Also for an ID registered in another township: the clerk learns it exists, not whose it is."""
    for existing in (child_a, child_b):
        data = child_form_data(
            township_a, village_a, name="另一个", id_number=existing.id_number, birth_date="2015-03-14"
        )
        response = client_a.post(reverse("children:create"), data)
        assert response.status_code == 200
        block = field_block(response.text, "id_number")
        assert "该身份证号已登记" in block
        assert existing.name not in response.text
    assert Child.objects.count() == 2


def test_duplicate_id_number_when_editing(client_a, child_a, child_a2):
    data = child_form_data(
        child_a.township,
        child_a.village,
        name=child_a.name,
        id_number=child_a2.id_number,
        sex="F",
        birth_date="2015-03-14",
    )
    response = client_a.post(reverse("children:edit", args=[child_a.pk]), data)
    assert response.status_code == 200
    assert "该身份证号已登记" in field_block(response.text, "id_number")


def new_child(township, village, *, id_number="", name="王小明", birth=datetime.date(2015, 3, 14)):
    return services.create_child(
        actor=None,
        data={
            "name": name,
            "sex": "M",
            "id_number": id_number,
            "no_id_reason": "" if id_number else "尚未落户",
            "birth_date": birth,
            "hukou_type": Child.HukouType.RURAL,
            "township": township,
            "village": village,
        },
    )


def test_likely_duplicate_same_name_birth_and_township_one_without_id(child_a, village_a2, village_b):
    assert not child_a.likely_duplicate
    elsewhere = new_child(village_b.township, village_b)  # same name and birthday in township B
    other_day = new_child(village_a2.township, village_a2, birth=datetime.date(2015, 3, 15))
    assert not elsewhere.likely_duplicate
    assert not other_day.likely_duplicate
    twin = new_child(village_a2.township, village_a2)
    assert twin.likely_duplicate
    child_a.refresh_from_db()
    assert child_a.likely_duplicate
    other_day.refresh_from_db()
    assert not other_day.likely_duplicate


def test_two_children_with_different_ids_are_not_likely_duplicates(child_a, village_a2):
    twin = new_child(village_a2.township, village_a2, id_number=make_id_number(datetime.date(2015, 3, 14)))
    assert not twin.likely_duplicate
    child_a.refresh_from_db()
    assert not child_a.likely_duplicate


def test_likely_duplicate_is_shown_on_the_page(client_a, child_a, village_a2):
    twin = new_child(village_a2.township, village_a2)
    page = client_a.get(reverse("children:detail", args=[twin.pk])).text
    assert "该儿童与同乡镇同名同生日的另一档案疑似重复，请核实。" in page


def test_correcting_a_name_clears_the_likely_duplicate_flag(staff, township_a, village_a):
    from children.services import update_child
    from tests.factories import ChildFactory

    with_id = ChildFactory(township=township_a, village=village_a, name="李小花")
    without_id = ChildFactory(
        township=township_a, village=village_a, name="李小花", id_number="", no_id_reason="弃婴，尚未落户"
    )
    from children.services import _refresh_duplicate_flags

    _refresh_duplicate_flags("李小花", with_id.birth_date, township_a.pk)
    with_id.refresh_from_db()
    assert with_id.likely_duplicate

    update_child(actor=staff, child=without_id, data={"name": "李小华"})
    with_id.refresh_from_db()
    without_id.refresh_from_db()
    assert not with_id.likely_duplicate
    assert not without_id.likely_duplicate


def test_a_minority_name_keeps_its_middle_dot(client_a, township_a, village_a):
    response = client_a.post(
        reverse("children:create"), child_form_data(township_a, village_a, name=" 阿依古丽·买买提 ")
    )
    assert response.status_code == 302
    assert Child.objects.get().name == "阿依古丽·买买提"
