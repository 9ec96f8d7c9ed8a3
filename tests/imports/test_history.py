"""认定日期: an imported roster keeps its history, so the first month's report counts it in 期初, not 新增."""

import datetime

import pytest

from children.models import Child, Classification, ClassificationKind
from imports.roster import COLUMNS, OPTIONAL_COLUMNS
from reports.figures import Period, compute_report
from subsidies.models import Enrolment

from .conftest import confirm, errors_of, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")

WITH_HISTORY = COLUMNS + OPTIONAL_COLUMNS
JUNE = Period.of(datetime.date(2026, 6, 1))


def left_behind(**cells) -> dict:
    return roster_row(
        姓名="刘小川",
        birth=datetime.date(2014, 6, 1),
        sex="M",
        儿童类别="留守儿童",
        保障项目="",
        保障起始月份="",
        **cells,
    )


def kind_flow(report, kind):
    return next(row.flow for row in report.kinds if row.kind == kind)


def test_the_first_report_counts_imported_children_at_the_start(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    rows = [roster_row(认定日期="2023-11-20"), left_behind(认定日期="2022-09-01")]
    _response, job = upload(
        client, "历史.xlsx", xlsx_bytes(rows, WITH_HISTORY), capture=django_capture_on_commit_callbacks
    )
    assert errors_of(job) == []
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    starts = dict(Classification.objects.values_list("kind", "start_date"))
    assert starts == {
        ClassificationKind.ORPHAN_SCATTERED: datetime.date(2023, 11, 20),
        ClassificationKind.LEFT_BEHIND: datetime.date(2022, 9, 1),
    }
    assert Enrolment.objects.get().start_month == datetime.date(2024, 1, 1)  # 保障起始月份 stays the programme's

    report = compute_report(JUNE)
    for kind in (ClassificationKind.ORPHAN_SCATTERED, ClassificationKind.LEFT_BEHIND):
        flow = kind_flow(report, kind)
        assert (flow.begin, flow.added, flow.end) == (1, 0, 1)
    assert (report.programmes_total.flow.begin, report.programmes_total.flow.added) == (1, 0)


def test_a_file_without_the_column_imports_as_before(client, staff, township_a, django_capture_on_commit_callbacks):
    """Without 认定日期 a classification begins with the programme, or on the day of the import."""
    client.force_login(staff)
    rows = [roster_row(), left_behind()]
    _response, job = upload(client, "旧格式.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    starts = dict(Classification.objects.values_list("kind", "start_date"))
    assert starts == {
        ClassificationKind.ORPHAN_SCATTERED: datetime.date(2024, 1, 1),
        ClassificationKind.LEFT_BEHIND: datetime.date(2026, 6, 15),
    }
    assert kind_flow(compute_report(JUNE), ClassificationKind.LEFT_BEHIND).added == 1


CASES = [
    ("not a date", {"认定日期": "前年"}, "认定日期", "不是日期"),
    ("in the future", {"认定日期": "2026-07-01"}, "认定日期", "不能晚于今天"),
    ("before birth", {"认定日期": "2015-03-13"}, "认定日期", "早于儿童出生日期"),
    (
        "without a classification",
        {"认定日期": "2020-01-01", "儿童类别": "", "保障项目": "", "保障起始月份": ""},
        "儿童类别",
        "没有填写儿童类别",
    ),
    ("after the programme began", {"认定日期": "2024-02-01"}, "保障起始月份", "早于认定日期（2024-02-01）"),
]


@pytest.mark.parametrize(("label", "cells", "column", "reason"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_date_is_reported_at_its_row_and_column(
    client, staff, township_a, label, cells, column, reason, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _response, job = upload(
        client,
        "认定日期.xlsx",
        xlsx_bytes([roster_row(**cells)], WITH_HISTORY),
        capture=django_capture_on_commit_callbacks,
    )
    found = errors_of(job)
    assert any(line == 2 and c == column and reason in m for line, c, m in found), found
    assert not Child.objects.exists()
