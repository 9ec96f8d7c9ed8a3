"""Every kind of bad row is reported at its row and column in Chinese, and nothing is written."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from children.models import Child
from dingzhou_welfare.idnumbers import check_char
from dingzhou_welfare.models import AuditEntry
from imports.models import ImportJob
from subsidies.models import Enrolment
from tests.factories import make_id_number

from .conftest import confirm, csv_bytes, errors_of, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


def bad_checksum() -> str:
    good = make_id_number(datetime.date(2015, 3, 14), "F")
    wrong = "0" if good[-1] != "0" else "1"
    return good[:17] + wrong


def impossible_id_date() -> str:
    first17 = "13068220150230" + "902"
    return first17 + check_char(first17)


CASES = [
    ("bad checksum", {"身份证号": bad_checksum()}, "身份证号", "校验位错误"),
    ("ID date impossible", {"身份证号": impossible_id_date()}, "身份证号", "不是有效日期"),
    ("impossible date", {"出生日期": "2015-02-30"}, "出生日期", "不是有效日期"),
    ("not a date", {"出生日期": "去年春天"}, "出生日期", "不是日期"),
    ("birth date disagrees", {"出生日期": "2015-03-15"}, "出生日期", "与身份证号不一致"),
    ("birth date in the future", {"身份证号": "", "出生日期": "2099-06-01"}, "出生日期", "不能晚于今天"),
    ("birth date of an adult", {"身份证号": "", "出生日期": "0001-01-01"}, "出生日期", "不能早于 2008-06-15"),
    ("sex disagrees", {"性别": "男"}, "性别", "与身份证号不一致"),
    ("unknown township", {"乡镇（街道）": "火星镇"}, "乡镇（街道）", "没有名称或代码为“火星镇”"),
    ("unknown programme", {"保障项目": "月球补贴"}, "保障项目", "没有名为“月球补贴”的保障项目"),
    ("unknown classification", {"儿童类别": "小天才"}, "儿童类别", "没有“小天才”这一儿童类别"),
    ("month not YYYY-MM", {"保障起始月份": "2024年1月"}, "保障起始月份", "应写成 YYYY-MM"),
    ("month 13", {"保障起始月份": "2024-13"}, "保障起始月份", "应写成 YYYY-MM"),
    ("future month", {"保障起始月份": "2026-07"}, "保障起始月份", "不能晚于本月"),
    ("name empty", {"姓名": ""}, "姓名", "必填"),
    ("hukou empty", {"户籍性质": ""}, "户籍性质", "必填"),
    ("hukou wrong", {"户籍性质": "城市"}, "户籍性质", "应填“农村”或“城镇”"),
    ("name too long", {"姓名": "王" * 31}, "姓名", "姓名最多 30 个字，现在是 31 个字"),
    ("name a formula", {"姓名": '=HYPERLINK("http://evil.example","x")'}, "姓名", "不能以“=”开头"),
    ("name starts with +", {"姓名": "+王小花"}, "姓名", "不能以“+”开头"),
    ("name starts with -", {"姓名": "-王小花"}, "姓名", "不能以“-”开头"),
    ("name starts with @", {"姓名": "@王小花"}, "姓名", "不能以“@”开头"),
    ("name starts with a tab", {"姓名": "\t王小花"}, "姓名", "不能以“制表符”开头"),
    ("name with a control character", {"姓名": "王小\u200b花"}, "姓名", "不能有控制字符"),
    ("name with a line break", {"姓名": "王小\n花"}, "姓名", "不能有控制字符"),
    ("name with angle brackets", {"姓名": "王<b>小花"}, "姓名", "不能有尖括号"),
    ("name without letters", {"姓名": "123·456"}, "姓名", "应有汉字或拉丁字母"),
    ("programme without month", {"保障起始月份": ""}, "保障起始月份", "须同时填写保障起始月份"),
    ("programme without classification", {"儿童类别": ""}, "儿童类别", "须先认定为社会散居孤儿"),
    ("account not digits", {"银行账号": "6217-0000"}, "银行账号", "8到32位数字"),
    ("carer without relationship", {"与儿童关系": ""}, "与儿童关系", "须同时填写与儿童关系"),
    (
        "left-behind urban",
        {"儿童类别": "留守儿童", "保障项目": "", "保障起始月份": "", "户籍性质": "城镇"},
        "儿童类别",
        "农村户籍",
    ),
    (
        "disabled without grade",
        {"儿童类别": "残疾儿童", "保障项目": "", "保障起始月份": "", "残疾类别": "肢体残疾"},
        "儿童类别",
        "残疾等级",
    ),
]


@pytest.mark.parametrize(("label", "cells", "column", "reason"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_reported_at_its_row_and_column(
    client, staff, township_a, label, cells, column, reason, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    good = roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M")
    bad = roster_row(**cells)
    _response, job = upload(client, "有错误.xlsx", xlsx_bytes([good, bad]), capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert (job.rows_new, job.rows_invalid) == (1, 1)
    found = errors_of(job)
    assert any(line == 3 and col == column and reason in message for line, col, message in found), found
    response = confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.INVALID
    assert not Child.objects.filter(name__in=["刘小川", "王小花"]).exists()
    page = client.get(reverse("imports:job", args=[job.pk]) + "?show=invalid").content.decode()
    assert reason.split("“")[0] in page
    assert "确认导入" not in page


def test_an_id_repeated_in_the_file_names_the_first_row(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    row = roster_row()
    rows = [row, roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M"), dict(row, 姓名="王小华")]
    _response, job = upload(client, "重复.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert errors_of(job) == [(4, "身份证号", "与第 2 行的身份证号重复，同一儿童只能出现一次。")]


def test_over_18_for_a_programme_that_ends_at_18(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    old = roster_row(birth=datetime.date(2008, 3, 1), 保障起始月份="2020-01")
    _response, job = upload(client, "超龄.xlsx", xlsx_bytes([old]), capture=django_capture_on_commit_callbacks)
    messages = [m for _line, c, m in errors_of(job) if c == "保障项目"]
    assert any("已满18周岁（2026-03-01）" in m and "只保障18周岁以下儿童" in m for m in messages), messages


def test_every_problem_of_a_file_is_listed(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = [roster_row(**cells) for _label, cells, _column, _reason in CASES[:8]]
    for i, row in enumerate(rows):  # distinct IDs where the case does not set one
        if "身份证号" not in CASES[i][1]:
            row["身份证号"] = make_id_number(datetime.date(2015, 3, 14), "F")
    _response, job = upload(client, "多处错误.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert job.rows_invalid == 8
    assert {line for line, _c, _m in errors_of(job)} == set(range(2, 10))


def test_numbers_stored_as_numbers_by_excel_are_explained(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    row = roster_row()

    def as_number(sheet):
        sheet.cell(row=2, column=3).value = float(row["身份证号"][:17] + "0")

    content = xlsx_bytes([row], raw=as_number)
    _response, job = upload(client, "数字.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert any("被 Excel 存成了数字" in m for _l, c, m in errors_of(job) if c == "身份证号")


def test_formulas_are_read_as_text_and_neutralised_in_the_errors_workbook(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    row = roster_row(备注='=HYPERLINK("http://evil.example","点我")', 姓名="=1+1")

    def formula(sheet):
        sheet.cell(row=2, column=5).value = '=CONCATENATE("汉","族")'

    _response, job = upload(
        client, "公式.xlsx", xlsx_bytes([row], raw=formula), capture=django_capture_on_commit_callbacks
    )
    assert job.status == ImportJob.Status.INVALID  # the formula's text is longer than 民族 allows
    found = errors_of(job)
    assert not any(c == "备注" for _l, c, _m in found)  # a formula in a note is text, never run
    assert any(c == "姓名" and "不能以“=”开头" in m for _l, c, m in found)  # but it is not a name
    workbook = client.get(reverse("imports:errors", args=[job.pk]))
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    header = [c.value for c in sheet[1]]
    values = {header[i]: c.value for i, c in enumerate(sheet[2])}
    assert values["姓名"] == "'=1+1"
    assert values["备注"].startswith("'=HYPERLINK")
    assert values["民族"].startswith("'=CONCATENATE")
    assert sheet.cell(row=2, column=header.index("民族") + 1).fill.fgColor.rgb.endswith("FFC7CE")
    assert "民族" in values["错误说明"] and "内容过长" in values["错误说明"]
    assert not Child.objects.exists()


def test_the_errors_workbook_marks_the_bad_cells(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = [
        roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M"),
        roster_row(**{"乡镇（街道）": "火星镇", "保障起始月份": "2024/1"}),
    ]
    _response, job = upload(client, "标记.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    response = client.get(reverse("imports:errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明"
    red = {header[c.column - 1] for c in sheet[3] if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith("FFC7CE")}
    assert red == {"乡镇（街道）", "保障起始月份"}
    assert sheet.cell(row=2, column=len(header)).value is None
    assert "第3行" in sheet.cell(row=3, column=len(header)).value
    assert AuditEntry.objects.filter(action="export", object_type="importjob").count() == 1


# ---------------------------------------------------------------------------------------------
# Files that are not a roster at all


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


NOT_SPREADSHEETS = [
    ("renamed binary", "花名册.xlsx", b"MZ\x90\x00" + bytes(range(256)) * 20, "无法识别该文件"),
    ("a zip that is not a workbook", "花名册.xlsx", _zip({"readme.txt": b"hello"}), "不是 Excel 工作簿"),
    (
        "zip bomb",
        "花名册.xlsx",
        _zip({"xl/workbook.xml": b"<a/>", "xl/worksheets/sheet1.xml": b"\x00" * (60 << 20)}),
        "压缩炸弹",
    ),
    ("corrupt zip", "花名册.xlsx", b"PK\x03\x04" + b"\x00" * 100, "文件已损坏"),
    ("binary csv", "花名册.csv", b"\x00\x01\x02binary", "二进制"),
    ("wrong headers", "花名册.csv", "甲,乙,丙\n1,2,3\n".encode(), "表头不对"),
    ("missing headers", "花名册.csv", "姓名,身份证号\n王小花,1\n".encode(), "表头缺少必需的列：乡镇（街道）、户籍性质"),
    ("headers only", "花名册.csv", csv_bytes([]), "只有表头"),
]


@pytest.mark.parametrize(("label", "name", "content", "reason"), NOT_SPREADSHEETS, ids=[c[0] for c in NOT_SPREADSHEETS])
def test_files_that_are_not_a_roster_get_a_clear_message(
    client, staff, label, name, content, reason, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response, job = upload(client, name, content, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status in (ImportJob.Status.REFUSED, ImportJob.Status.INVALID)
    assert reason in job.error
    page = client.get(reverse("imports:job", args=[job.pk]))
    assert reason in page.content.decode()
    assert "确认导入" not in page.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("空.xlsx", b"", "提交的是空文件"),
        ("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel"),
        ("文档.docx", b"PK\x03\x04", "只接受 .xlsx 或 .csv"),
    ],
)
def test_the_form_refuses_empty_and_wrong_kinds_of_file(
    client, staff, name, content, reason, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response, job = upload(client, name, content, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert job is None
    assert reason in response.content.decode()


def test_row_and_size_limits(client, staff, township_a, settings, django_capture_on_commit_callbacks):
    client.force_login(staff)
    settings.IMPORT_MAX_ROWS = 2
    rows = [roster_row(姓名=f"王小{i}", 身份证号=make_id_number(datetime.date(2015, 3, 14), "F")) for i in range(3)]
    _response, job = upload(client, "太多.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.REFUSED
    assert "超过 2 行的上限" in job.error
    assert not job.rows.exists()
    settings.IMPORT_MAX_MB = 0
    response, job = upload(client, "太大.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400 and job is None
    assert "文件太大" in response.content.decode()


def test_a_registry_change_after_the_preview_is_caught_at_commit(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    """The commit checks again: a child closed since the preview blocks it, and nothing is written."""
    from children.services import close_child

    client.force_login(staff)
    first = roster_row(保障项目="", 保障起始月份="", 儿童类别="")
    _response, job = upload(client, "一.xlsx", xlsx_bytes([first]), capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    child = Child.objects.get()
    first["监护人电话"] = "13912345678"
    second = roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M")
    _response, job = upload(client, "二.xlsx", xlsx_bytes([first, second]), capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY
    close_child(actor=staff, child=child, reason="moved_away", closed_on=datetime.date(2026, 6, 1))
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert "重新检查发现错误" in job.error
    assert any("销档" in m for _l, _c, m in errors_of(job))
    assert not Child.objects.filter(name="刘小川").exists()
    assert not Enrolment.objects.exists()
