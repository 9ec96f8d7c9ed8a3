"""The report's terms (reports.glossary): 困境儿童分类保障 is the seven programmes' lines added up, institutional
care apart, the children behind it stated when they differ, and the glossary printed on the last page."""

import datetime

import pytest
from django.utils import translation

from children.models import ClassificationKind
from reports.documents import build_monthly_report, monthly_report_context, render_monthly_report_pdf
from reports.figures import Period, Scope
from reports.glossary import CLASSIFIED_PROTECTION_CODES, GLOSSARY, INSTITUTIONAL_CODES
from tests.factories import ChildFactory
from tests.pdf_support import pdf_text
from tests.subsidies.conftest import enrol, make_orphan

M = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    """The sentences are read in Chinese, whatever language a test before left active."""
    with translation.override("zh-hans"):
        yield


MAY = Period.of(M(2026, 5, 1))


@pytest.fixture
def institutional(world, township_a, village_a, staff, staff2, supervisor_a, programmes):
    """An orphan in the welfare institution, paid 机构养育孤儿基本生活费 from March."""
    child = make_orphan(
        ChildFactory(township=township_a, village=village_a, name="机构甲"),
        staff,
        since=M(2026, 1, 5),
        kind=ClassificationKind.ORPHAN_INSTITUTIONAL,
    )
    return enrol(
        child,
        programmes["orphan_institutional"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 2, 1),
        confirmed_on=M(2026, 2, 10),
    )


@pytest.fixture
def two_programmes(world, staff, staff2, supervisor_a, programmes):
    """甲一, a scattered orphan, also in 农村低保 from April: one child on two of the seven lines."""
    return enrol(
        world["a1"],
        programmes["rural_dibao"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 3, 1),
        confirmed_on=M(2026, 3, 10),
    )


def test_the_headline_is_the_sum_of_the_seven_lines_and_the_institution_is_apart(institutional):
    report = build_monthly_report(MAY, Scope(label="全市"))
    protection, institution, other = report.programme_groups
    assert {r.code for r in protection.rows} <= set(CLASSIFIED_PROTECTION_CODES)
    assert [r.code for r in institution.rows] == list(INSTITUTIONAL_CODES)
    assert other.rows == []
    lines = {r.code: r.flow.end for r in protection.rows}
    assert lines["orphan_scattered"] == 2 and lines["rural_dibao"] == 1  # 甲一, 乙一; 甲二
    assert report.protected_children == sum(lines.values()) == 3
    assert report.protected_distinct_children == 3
    assert report.institutional_children == 1
    text = "\n".join(report.summary())
    assert "截至2026年5月31日，全市纳入困境儿童分类保障的儿童共3人" in text
    assert "其中：散居孤儿基本生活费2人、农村最低生活保障1人；" in text
    assert "另有机构集中供养儿童1人。" in text
    assert "实际儿童" not in text  # nobody holds two of the seven: the distinct children are the same number


def test_children_on_two_lines_are_stated_as_distinct_children(two_programmes):
    report = build_monthly_report(MAY, Scope(label="全市"))
    assert report.protected_children == 4  # 甲一 on two lines
    assert report.protected_distinct_children == 3
    assert sum(r.flow.once for r in report.classified_protection.rows) == 3
    text = "\n".join(report.summary())
    assert "纳入困境儿童分类保障的儿童共4人" in text
    assert "（部分儿童同时享受两个以上项目，按项目分别计入；实际儿童3人）" in text


def test_the_money_of_the_seven_and_the_basic_living_money_have_their_own_names(institutional):
    report = build_monthly_report(Period(M(2026, 1, 1), M(2026, 5, 1)), Scope(label="全市"))
    text = "\n".join(report.summary())
    # 各类保障资金: the seven programmes' money; 基本生活费（补贴）: the orphans' 14,650.00 - 5 x 530.00 of 低保.
    assert "2026年1—5月已发放各类保障资金14,650.00元（1.47万元）" in text
    assert "发放孤儿和事实无人抚养儿童基本生活费（补贴）1.20万元（含机构集中供养儿童）" in text
    assert report.classified_protection.total.period.total == report.programmes_total.period.total


def test_every_term_has_one_name():
    names = [str(t.name) for t in GLOSSARY]
    assert len(names) == len(set(names))
    assert all(str(t.population) for t in GLOSSARY)


def test_the_glossary_is_on_the_last_page_of_the_pdf_and_on_the_page(institutional, client, staff):
    report = build_monthly_report(MAY, Scope(label="全市"))
    last_page = pdf_text(render_monthly_report_pdf(report)).rstrip("\f").split("\f")[-1].replace(" ", "")
    assert "名词解释" in last_page
    for term in GLOSSARY:
        assert str(term.name) in last_page
    assert "期末享受散居孤儿基本生活费的孤儿。" in last_page
    assert monthly_report_context(report)["glossary"] == GLOSSARY
    client.force_login(staff)
    page = client.get("/reports/", {"month": "2026-05"}).content.decode()
    assert page.index('id="glossary"') > page.index('id="notes"')
    assert "机构集中供养儿童" in page and "困境儿童分类保障" in page


def test_the_dashboard_tiles_use_the_reports_terms_and_figures(institutional, two_programmes, client, staff):
    client.force_login(staff)
    response = client.get("/")
    page = response.content.decode()
    report = response.context["figures"]["report"]
    assert (report.protected_children, report.protected_distinct_children, report.institutional_children) == (4, 3, 1)
    tiles = {
        tile: page[page.index(f'id="tile-{tile}"') :].split("</a>", 1)[0]
        for tile in ("protection", "institutional", "classified")
    }
    assert ">4</span><span>困境儿童分类保障</span><small>实际儿童 3 人</small>" in tiles["protection"]
    assert ">1</span><span>机构集中供养儿童</span>" in tiles["institutional"]
    assert "认定类别的儿童（计一次）" in tiles["classified"]
    assert "纳入困境儿童分类保障的儿童共4人" in page  # the sentence under the tiles: the same figure, the same name
    assert "分类保障儿童<" not in page
