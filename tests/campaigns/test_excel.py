"""The totals workbook: the bureau report's shape, numbers as numbers, no names."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from children.models import Classification, ClassificationKind
from dingzhou_welfare.models import AuditEntry
from tests.factories import ChildFactory

from .support import give

pytestmark = pytest.mark.django_db


def test_the_workbook_holds_the_category_and_item_tables(client, campaign, staff, township_a):
    children = []
    for kind, n in ((ClassificationKind.ORPHAN_SCATTERED, 2), (ClassificationKind.LEFT_BEHIND, 1)):
        for _ in range(n):
            child = ChildFactory(township=township_a, name=f"童{len(children)}")
            Classification.objects.create(child=child, kind=kind, start_date=datetime.date(2025, 1, 1))
            children.append(child)
    for child in children:
        give(staff, campaign, child, 大米=1, 慰问金="1500")
    client.force_login(staff)
    response = client.get(reverse("campaigns:xlsx", args=[campaign.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "2026年春节“寒冬送温暖”走访慰问 走访慰问情况汇总表"
    assert "2026-01-20 至 2026-02-28" in rows[1][0]
    assert "全市" in rows[1][0]
    header = rows[3]
    assert header[:7] == ("儿童类别", "人数", "大米（份）", "面（份）", "油（份）", "棉被（条）", "慰问金（元）")
    body = {row[0]: row[1:7] for row in rows[4:12] if row[0]}
    assert body["社会散居孤儿"] == (2, 2, 0, 0, 0, 3000)
    assert body["农村留守儿童"] == (1, 1, 0, 0, 0, 1500)
    assert body["合计"] == (3, 3, 0, 0, 0, 4500)
    assert isinstance(body["合计"][5], float | int) and Decimal(str(body["合计"][5])) == Decimal(4500)
    items = {row[0]: row[1:4] for row in rows if row[0] in ("大米", "慰问金")}
    assert items == {"大米": ("份", 3, 3), "慰问金": ("元", 4500, 3)}
    assert any(row[0] and row[0].startswith("走访慰问社会散居孤儿 2 名、农村留守儿童 1 名") for row in rows)
    text = " ".join(str(cell) for row in rows for cell in row if cell)
    assert "童0" not in text  # no names
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD, object_type="campaign")
    assert entry.actor == staff
    assert entry.child is None
