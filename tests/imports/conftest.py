"""Helpers for the import tests: build workbooks and CSVs in memory, upload them through the page."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from imports.models import ImportJob
from imports.roster import COLUMNS
from tests.factories import ensure_reference_data, make_id_number

NOW = datetime.datetime(2026, 6, 15, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Dingzhou


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def programmes(db):
    ensure_reference_data()


def roster_row(**cells) -> dict:
    """A valid row for a girl in 清风店镇 (township_a), scattered orphan with her allowance since 2024-01."""
    birth = cells.pop("birth", datetime.date(2015, 3, 14))
    sex = cells.pop("sex", "F")
    row = {
        "姓名": "王小花",
        "性别": "男" if sex == "M" else "女",
        "身份证号": make_id_number(birth, sex),
        "出生日期": birth.isoformat(),
        "民族": "汉族",
        "乡镇（街道）": "清风店镇",
        "村（社区）": "东村",
        "户籍性质": "农村",
        "儿童类别": "散居孤儿",
        "保障项目": "散居孤儿基本生活费",
        "保障起始月份": "2024-01",
        "监护人姓名": "王大山",
        "监护人身份证号": make_id_number(datetime.date(1960, 5, 1), "M"),
        "与儿童关系": "祖父母",
        "监护人电话": "13800001234",
        "开户银行": "定州市农村信用合作联社",
        "银行账号": "6217000012345678",
        "残疾类别": "",
        "残疾等级": "",
        "残疾证号": "",
        "备注": "",
    }
    row.update(cells)
    return row


def xlsx_bytes(rows: list[dict], columns=COLUMNS, *, sheet="儿童花名册", raw=None) -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(list(columns))
    for row in rows:
        worksheet.append([row.get(column, "") or None for column in columns])
    if raw:
        raw(worksheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], columns=COLUMNS, *, encoding="utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return text.getvalue().encode(encoding)


def upload(client, name: str, content: bytes, kind: str = "children", *, capture=None):
    """Upload through the page (the check runs eagerly on commit); returns (response, job or None)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = set(ImportJob.objects.values_list("pk", flat=True))
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    with capture(execute=True):
        response = client.post(reverse("imports:index"), data)
    job = ImportJob.objects.exclude(pk__in=before).first()
    return response, job


def confirm(client, job, *, capture, villages: bool = True):
    """Confirm as the clerk does, ticking the new villages (when the file names any) unless `villages` is False."""
    with capture(execute=True):
        response = client.post(reverse("imports:confirm", args=[job.pk]), {"confirm_villages": "1"} if villages else {})
    job.refresh_from_db()
    return response


def errors_of(job) -> list[tuple[int, str, str]]:
    return [(row.line, column, message) for row in job.rows.filter(status="invalid") for column, message in row.errors]
