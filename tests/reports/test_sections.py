"""The other apps' figures in the report and the case file: home visits and mandatory reports."""

import datetime

from django.urls import reverse

from reports.documents import build_monthly_report
from reports.figures import Period, Scope
from tests.pdf_support import pdf_text
from tests.visits.support import visit_data
from visits.models import Rating
from visits.services import record_visit

M = datetime.date


def section(report, key):
    return next(s for s in report.sections if s.key == key)


def test_visits_done_problems_and_mandatory_reports_are_counted(world, staff):
    record_visit(actor=staff, child=world["a1"], data=visit_data(visited_on=M(2026, 5, 20)))
    record_visit(
        actor=staff,
        child=world["b1"],
        data=visit_data(
            visited_on=M(2026, 5, 22),
            kind="follow_up",
            guardianship_rating=Rating.SERIOUS,
            guardianship_note="照料人长期外出，儿童独自在家",
            problems="无人照料",
            suspected_harm=True,
            harm_description="邻居反映儿童身上有伤痕",
        ),
    )
    record_visit(actor=staff, child=world["a2"], data=visit_data(visited_on=M(2026, 4, 2)))  # another month
    report = build_monthly_report(Period.of(M(2026, 5, 1)), Scope(label="全市"))
    visits = section(report, "visits")
    text = "".join(visits.paragraphs)
    assert "2026年5月共开展巡视探访2次，探访儿童2人" in text
    assert "较差或严重问题的1次" in text
    assert "疑似侵害强制报告1件（已处置0件）" in text
    counts = {header: (values, total) for header, values, total in visits.township_columns}
    values, total = counts["探访次数"]
    assert total == 2
    assert values == {world["a1"].township_id: 1, world["b1"].township_id: 1}
    assert [row[:2] for row in visits.tables[0].rows if row[1] != "0"] == [["日常探访", "1"], ["跟进回访", "1"]]


def test_the_case_file_lists_the_childs_visits(client, world, staff):
    record_visit(
        actor=staff,
        child=world["a1"],
        data=visit_data(visited_on=M(2026, 5, 20), health_rating=Rating.POOR, problems="营养不良"),
    )
    client.force_login(staff)
    text = pdf_text(client.get(reverse("reports:case_file", args=[world["a1"].pk])).content).replace(" ", "")
    assert "巡视探访" in text
    assert "2026-05-20" in text and "营养不良" in text and "健康状况" in text
    assert "下次应探访" in text


def test_agreements_and_adoption_sections_say_what_there_is(world):
    report = build_monthly_report(Period.of(M(2026, 5, 1)), Scope(label="全市"))
    assert "农村留守儿童0人" in "".join(section(report, "agreements").paragraphs)
    assert "2026年5月办理收养登记0件" in "".join(section(report, "adoption").paragraphs)


def test_care_campaign_handouts_in_the_period_are_totalled(world, staff):
    from tests.campaigns.support import give, make_campaign

    campaign = make_campaign(staff)
    give(staff, campaign, world["a1"], day=M(2026, 2, 1), 大米=1, 油=2, 慰问金="200")
    give(staff, campaign, world["b1"], day=M(2026, 2, 3), 大米=1, 慰问金="300")
    february = build_monthly_report(Period.of(M(2026, 2, 1)), Scope(label="全市"))
    text = "".join(section(february, "campaigns").paragraphs)
    assert "2026年2月走访慰问儿童2人" in text
    assert "发放大米2份、油2份、慰问金500.00元。" in text
    values, total = section(february, "campaigns").township_columns[0][1:]
    assert total == 2 and values == {world["a1"].township_id: 1, world["b1"].township_id: 1}
    march = build_monthly_report(Period.of(M(2026, 3, 1)), Scope(label="全市"))
    assert "2026年3月没有走访慰问发放记录。" in "".join(section(march, "campaigns").paragraphs)
