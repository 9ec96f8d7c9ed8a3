"""The report opens with the paragraph the bureau publishes (DOMAIN.md 0), filled from the data: built from the
article's own figures, it reads with exactly those numbers, each one a population of reports.glossary."""

import datetime

import pytest
from django.utils import translation

from reports.documents import build_monthly_report, render_monthly_report_pdf
from reports.figures import Period, Scope
from reports.glossary import GLOSSARY
from tests.pdf_support import pdf_text

from .article import build_article_county

M = datetime.date
JANUARY_TO_MAY = Period(M(2022, 1, 1), M(2022, 5, 1))

ARTICLE = (
    "截至2022年5月31日，全市共有社会散居孤儿46人、事实无人抚养儿童306人、机构集中供养儿童46人、农村留守儿童52人，"
    "其中已签订委托监护责任确认书52人（全部签订）。"
    "纳入困境儿童分类保障的儿童2,689人，其中散居孤儿基本生活费46人、社会散居事实无人抚养儿童基本生活补贴306人、"
    "特困人员救助供养13人、城镇最低生活保障15人、农村最低生活保障1,380人、重度残疾人护理补贴672人、困难残疾人生活补贴257人。"
    "2022年1—5月发放孤儿和事实无人抚养儿童基本生活费（补贴）202.79万元，发放各类保障资金456.00万元；"
    "孤儿和事实无人抚养儿童动态新增33人、动态减员20人。"
    "开展走访慰问，慰问社会散居孤儿33人、事实无人抚养儿童231人、农村留守儿童36人、残疾儿童78人、困境儿童461人，"
    "发放大米583份、面182份、油597份、奶5箱、挂历19件、春联34副、棉被44条、糖果26件、慰问金4,500.00元。"
    "办理收养登记2件。"
    "13个乡镇（街道）为未成年人保护工作站试点，举办儿童督导员培训1期、25人次。"
)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def county(db, staff):
    return build_article_county(staff)


def test_the_report_opens_with_the_paragraph_in_the_articles_numbers(county, client, staff):
    report = build_monthly_report(JANUARY_TO_MAY, Scope(label="全市"))
    assert report.bureau_paragraph() == ARTICLE
    # The headline is the sum of the seven lines, the institution apart, the same figures as the tables.
    assert report.protected_children == sum(r.flow.end for r in report.classified_protection.rows) == 2689
    assert report.institutional_children == 46
    # The per-township columns of the sections are named by the glossary's terms, as the paragraph is.
    named = [s for s in report.sections if s.key in ("agreements", "adoption")]
    columns = {str(header) for s in named for header, _values, _total in s.township_columns}
    assert columns == {"农村留守儿童", "已签订委托监护责任确认书", "收养登记"} <= {str(t.name) for t in GLOSSARY}

    client.force_login(staff)
    page = client.get("/reports/", {"month": "2022-01", "to": "2022-05"}).content.decode()
    assert page.index('id="bureau"') < page.index('id="summary"')
    assert ARTICLE in page
    assert "<h2>困境儿童分类保障和机构集中供养儿童（按保障项目）</h2>" in page
    first_page = pdf_text(render_monthly_report_pdf(report)).split("\f")[0].replace("\n", "").replace(" ", "")
    assert "工作概况" in first_page
    assert "纳入困境儿童分类保障的儿童2,689人" in first_page
    assert "基本生活费（补贴）202.79万元，发放各类保障资金456.00万元" in first_page


def test_a_township_a_month_and_missing_agreements_change_the_numbers_they_should(county):
    """(One county for these cases: building it is the slow part.)"""
    from children.models import GuardianshipAgreement

    pilot, plain = county["townships"][0], county["townships"][14]
    text = build_monthly_report(JANUARY_TO_MAY, Scope((pilot.pk,), label=pilot.name)).bureau_paragraph()
    assert "1个乡镇（街道）为未成年人保护工作站试点，举办儿童督导员培训0期、0人次。" in text
    text = build_monthly_report(JANUARY_TO_MAY, Scope((plain.pk,), label=plain.name)).bureau_paragraph()
    assert "0个乡镇（街道）为未成年人保护工作站试点" in text

    GuardianshipAgreement.objects.filter(child__in=county["left_behind"][:2]).delete()
    text = build_monthly_report(Period.of(M(2022, 2, 1)), Scope(label="全市")).bureau_paragraph()
    assert "农村留守儿童52人，其中已签订委托监护责任确认书50人。" in text
    assert "0个乡镇（街道）为未成年人保护工作站试点" in text  # the pilots began on 15 March
    assert "2022年2月发放孤儿和事实无人抚养儿童基本生活费（补贴）40.56万元" in text  # (46,000 + 292,880 + 66,700)
    assert "动态新增0人、动态减员0人" in text
