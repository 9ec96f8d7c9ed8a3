"""Children without an ID number (foundlings in the institution) import with a reason; likely duplicates are flagged."""

import datetime

import pytest

from children.models import Child
from imports.roster import COLUMNS, OPTIONAL_COLUMNS
from tests.factories import ChildFactory

from .conftest import confirm, errors_of, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")

WITH_REASON = COLUMNS + OPTIONAL_COLUMNS


def foundling(**cells) -> dict:
    row = roster_row(birth=datetime.date(2023, 2, 1), sex="M", 儿童类别="", 保障项目="", 保障起始月份="")
    return {**row, "姓名": "党小福", "身份证号": "", "无身份证号原因": "弃婴，尚未落户", **cells}


def notes_of(job) -> dict[int, list[str]]:
    return {row.line: [new for column, _old, new in row.changes if column == "可能重复"] for row in job.rows.all()}


def test_a_child_without_an_id_number_imports_with_its_reason(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    content = xlsx_bytes([foundling()], WITH_REASON)
    _response, job = upload(client, "福利院.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert errors_of(job) == []
    assert ["无身份证号原因", "", "弃婴，尚未落户"] in job.rows.get().changes
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    child = Child.objects.get()
    assert (child.id_number, child.no_id_reason, child.birth_date, child.sex) == (
        "",
        "弃婴，尚未落户",
        datetime.date(2023, 2, 1),
        "M",
    )
    # The same file again: the same child, found by name, birth date and township; nothing changes.
    _response, again = upload(client, "福利院.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert (again.rows_new, again.rows_unchanged) == (0, 1)


CASES = [
    ("no reason column", {"无身份证号原因": ""}, COLUMNS, "身份证号", "无身份证号原因"),
    ("blank reason", {"无身份证号原因": "  "}, WITH_REASON, "无身份证号原因", "没有身份证号时须填写原因"),
    ("reason too long", {"无身份证号原因": "弃" * 201}, WITH_REASON, "无身份证号原因", "最多 200 个字"),
    ("no birth date", {"出生日期": ""}, WITH_REASON, "出生日期", "没有身份证号时须填写出生日期"),
    ("no sex", {"性别": ""}, WITH_REASON, "性别", "没有身份证号时须填写性别"),
]


@pytest.mark.parametrize(("label", "cells", "columns", "column", "reason"), CASES, ids=[c[0] for c in CASES])
def test_what_a_row_without_an_id_number_needs(
    client, staff, township_a, label, cells, columns, column, reason, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    content = xlsx_bytes([foundling(**cells)], columns)
    _response, job = upload(client, "无身份证号.xlsx", content, capture=django_capture_on_commit_callbacks)
    found = errors_of(job)
    assert any(line == 2 and c == column and reason in m for line, c, m in found), found


def test_likely_duplicates_are_flagged_in_the_preview(client, staff, township_a, django_capture_on_commit_callbacks):
    """Same name, birth date and township, one of the two without an ID number: in the file or in the registry."""
    client.force_login(staff)
    registered = ChildFactory(
        name="党小福", birth_date=datetime.date(2023, 2, 1), sex="M", township=township_a, village=None
    )
    twin = roster_row(姓名="王小花", 身份证号="", 无身份证号原因="尚未落户")
    rows = [foundling(), roster_row(), twin, roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M")]
    _response, job = upload(
        client, "可能重复.xlsx", xlsx_bytes(rows, WITH_REASON), capture=django_capture_on_commit_callbacks
    )
    assert errors_of(job) == []
    notes = notes_of(job)
    masked = registered.id_number[:4] + "*" * 10 + registered.id_number[-4:]
    assert notes[2] == [f"与已有儿童档案（{masked}）姓名、出生日期和乡镇相同"]
    assert notes[3] == []  # two ID numbers never make a likely duplicate
    assert notes[4] == ["与第 3 行姓名、出生日期和乡镇相同"]
    assert notes[5] == []
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert set(Child.objects.filter(likely_duplicate=True).values_list("name", flat=True)) == {"党小福", "王小花"}
