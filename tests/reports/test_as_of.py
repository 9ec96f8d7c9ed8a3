"""As-of dates: a period's figures are as of its last day, or today when that is earlier, and the page and
the PDF say which; a past period's visit plan is the one kept for its last day, not today's."""

import datetime

import pytest
from django.utils import timezone, translation

from reports.documents import build_monthly_report, render_monthly_report_pdf
from reports.figures import Period, Scope
from tests.pdf_support import pdf_text
from visits.models import VisitWorkload

M = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    """The sentences are read in Chinese, whatever language a test before left active."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def december_5th(world, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 5, 10, tzinfo=datetime.UTC), tick=False)


def test_a_month_not_yet_over_is_as_of_today(december_5th):
    report = build_monthly_report(Period.of(M(2026, 12, 1)), Scope(label="全市"))
    assert report.as_of == M(2026, 12, 5) and report.unfinished
    text = "\n".join(report.summary())
    assert "截至2026年12月5日" in text and "截至2026年12月31日" not in text
    assert "2026年12月尚无已审批的发放批次，本期发放金额未计入" in text
    assert "已发放各类保障资金0.00元" not in text
    pdf = pdf_text(render_monthly_report_pdf(report)).replace(" ", "")
    assert "截至2026年12月5日（统计期至2026年12月31日，尚未结束）" in pdf
    assert "截至2026年12月31日" not in pdf


def test_the_page_and_the_dashboard_say_as_of_today(december_5th, client, staff):
    client.force_login(staff)
    for url, data in (("/reports/", {"month": "2026-12"}), ("/", {})):
        page = client.get(url, data).content.decode()
        assert "截至2026年12月5日（统计期至2026年12月31日，尚未结束）" in page, url
        assert "截至2026年12月31日" not in page, url
        assert "已发放各类保障资金0.00元" not in page, url


def test_a_past_period_is_as_of_its_last_day(world, client, staff):
    report = build_monthly_report(Period.of(M(2026, 5, 1)), Scope(label="全市"))
    assert timezone.localdate() == M(2026, 6, 20)
    assert report.as_of == M(2026, 5, 31) and not report.unfinished
    assert "截至2026年5月31日，" in report.summary()[0]
    client.force_login(staff)
    page = client.get("/reports/", {"month": "2026-05"}).content.decode()
    assert "截至2026年5月31日" in page and "尚未结束" not in page


def visits(report):
    return next(s for s in report.sections if s.key == "visits")


def test_a_past_periods_visit_plan_is_the_one_kept_for_its_last_day(world, township_a, township_b):
    for township, (children, soon, late, patrol, patrol_late) in (
        (township_a, (5, 1, 3, 2, 1)),
        (township_b, (2, 0, 1, 1, 0)),
    ):
        VisitWorkload.objects.create(
            day=M(2026, 5, 31),
            township=township,
            children=children,
            due_soon=soon,
            overdue=late,
            never_visited=0,
            patrol=patrol,
            patrol_overdue=patrol_late,
            computed_at=timezone.now(),
        )
    may = visits(build_monthly_report(Period.of(M(2026, 5, 1)), Scope(label="全市")))
    assert (
        "截至2026年5月31日的探访计划：纳入探访计划7人，已过应探访日期未访4人，30日内应访1人；"
        "重点巡防对象3人，其中逾期未访1人。"
    ) in may.paragraphs
    columns = {header: (values, total) for header, values, total in may.township_columns}
    assert columns["重点巡防对象（期末）"] == ({township_a.pk: 2, township_b.pk: 1}, 3)
    assert columns["逾期未访（期末）"][1] == 4
    # Today's plan (no schedule in this small county) is not what May's report prints.
    june = visits(build_monthly_report(Period.of(M(2026, 6, 1)), Scope(label="全市")))
    assert any(p.startswith("截至2026年6月20日的探访计划：纳入探访计划0人") for p in june.paragraphs)
    # April: nothing was kept for its last day, and the report says so rather than print today's figures.
    april = visits(build_monthly_report(Period.of(M(2026, 4, 1)), Scope(label="全市")))
    assert "未保存2026年4月30日的探访计划统计，逾期未访和重点巡防对象人数从略。" in april.paragraphs
    assert [h for h, _v, _t in april.township_columns] == ["探访次数"]
