"""The shared PDF frame: Chinese text survives, the bureau heads every page, pages are numbered."""

import pytest
from django.template import engines

from dingzhou_welfare.pdf import pdf_response, render_pdf
from tests.pdf_support import pdf_pages, pdf_text


@pytest.fixture
def long_table(tmp_path, settings):
    template = tmp_path / "long_table.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block running_title %}测试表{% endblock %}{% block content %}'
        "<h1>儿童福利工作月报</h1><table><thead><tr><th>序号</th><th>姓名</th></tr></thead><tbody>"
        "{% for n in rows %}<tr><td>{{ n }}</td><td>王小明{{ n }}</td></tr>{% endfor %}</tbody></table>{% endblock %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    engines._engines = {}  # settings changed: let Django build its template engines again
    yield "long_table.html"
    engines._engines = {}


def test_a_long_table_runs_over_pages_each_with_header_and_number(long_table):
    content = render_pdf(long_table, {"rows": range(1, 121)})
    assert content.startswith(b"%PDF")
    pages = pdf_pages(content)
    assert pages >= 3
    text = pdf_text(content)
    assert "儿童福利工作月报" in text
    assert text.count("定州市民政局") == pages
    assert text.count("姓名") == pages  # the table's head repeats on every page
    packed = text.replace(" ", "")
    assert f"第1页共{pages}页" in packed
    assert f"第{pages}页共{pages}页" in packed
    assert "王小明120" in text


def test_pdf_response_keeps_the_chinese_file_name():
    response = pdf_response(b"%PDF-1.7", "月报-2026年05月.pdf", attachment=True)
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''%E6%9C%88%E6%8A%A5-2026%E5%B9%B405%E6%9C%88.pdf" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
