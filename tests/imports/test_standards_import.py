"""The standards import (保障项目, 月标准（元）, 起始月份) through django-import-export's dry run and set_standard."""

import datetime
from decimal import Decimal

import pytest

from dingzhou_welfare.models import AuditEntry
from imports.models import ImportJob
from subsidies.models import Standard

from .conftest import confirm, csv_bytes, errors_of, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")
COLUMNS = ["保障项目", "月标准（元）", "起始月份"]


def standards(*rows):
    return xlsx_bytes([dict(zip(COLUMNS, row, strict=True)) for row in rows], COLUMNS, sheet="保障标准")


def test_new_changed_and_unchanged_standards(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    content = standards(
        ("城镇低保", "800", "2026-01"),  # new
        ("散居孤儿基本生活费", "1100.00", "2020-01"),  # changes the Hebei 2020 standard of 1000
        ("机构养育孤儿基本生活费", "1450", "2020-01"),  # unchanged
    )
    _response, job = upload(client, "标准.xlsx", content, "standards", capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.READY
    assert (job.rows_new, job.rows_changed, job.rows_unchanged) == (1, 1, 1)
    changed = job.rows.get(status="changed")
    assert changed.changes == [["月标准（元）", "1000.00", "1100.00"]]
    assert changed.key == "散居孤儿基本生活费" and changed.label == "2020-01"
    assert not Standard.objects.filter(programme__code="urban_dibao").exists()  # the dry run rolled back
    audit_before = AuditEntry.objects.count()
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert Standard.objects.get(programme__code="urban_dibao").amount == Decimal("800.00")
    assert Standard.objects.get(
        programme__code="orphan_scattered", effective_month=datetime.date(2020, 1, 1)
    ).amount == Decimal("1100.00")
    summaries = list(AuditEntry.objects.order_by("pk")[audit_before:].values_list("summary", flat=True))
    assert any("城镇最低生活保障 2026-01起月标准" in s for s in summaries)  # set_standard's own entry
    assert any("确认导入保障标准" in s for s in summaries)
    _response, again = upload(client, "标准.xlsx", content, "standards", capture=django_capture_on_commit_callbacks)
    assert again.rows_unchanged == 3


def test_bad_standard_rows_are_reported_at_their_column(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    content = standards(
        ("月球补贴", "800", "2026-01"),
        ("城镇低保", "八百", "2026-01"),
        ("城镇低保", "800", "2026/01"),
        ("农村低保", "-5", "2026-01"),
        ("农村低保", "500", "2026-02"),
        ("农村低保", "600", "2026-02"),
    )
    _response, job = upload(client, "标准.xlsx", content, "standards", capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    found = {(line, column): message for line, column, message in errors_of(job)}
    assert "没有名为“月球补贴”的保障项目" in found[(2, "保障项目")]
    assert "不是金额" in found[(3, "月标准（元）")]
    assert "YYYY-MM" in found[(4, "起始月份")]
    assert "不能为负数" in found[(5, "月标准（元）")]
    assert "与第 5 条数据的保障项目和起始月份重复" in found[(7, "起始月份")]
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.INVALID
    assert not Standard.objects.filter(programme__code__in=["urban_dibao", "rural_dibao"]).exists()


def test_standards_as_gbk_csv(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    content = csv_bytes([dict(zip(COLUMNS, ("农村低保", "650", "2025-07"), strict=True))], COLUMNS, encoding="gbk")
    _response, job = upload(client, "标准.csv", content, "standards", capture=django_capture_on_commit_callbacks)
    assert job.rows_new == 1
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert Standard.objects.get(programme__code="rural_dibao").amount == Decimal("650.00")
