"""Batches with totals, an approved batch's lines with their paid status (masked unless granted), counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Classification, ClassificationKind
from dingzhou_welfare.idnumbers import mask_account, mask_id_number
from subsidies.models import Batch, Line

from .conftest import api_for

pytestmark = pytest.mark.django_db


def lines_url(month="2026-04", **query):
    url = reverse("api:batch_lines", args=[month])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_batches_with_their_totals_and_each_townships(batch, masked_client, township_a, township_b):
    _client, token = masked_client
    body = api_for(token).get(reverse("api:batches")).json()
    assert body["next"] is None
    [served] = body["results"]
    assert served["number"] == batch.number
    assert served["month"] == "2026-04"
    assert served["status"] == "approved"
    assert served["status_display"] == "已审批"
    assert served["line_count"] == Line.objects.filter(batch=batch).count() == batch.line_count
    assert Decimal(served["total_amount"]) == batch.total_amount
    by_code = {t["township_code"]: t for t in served["townships"]}
    assert set(by_code) == {township_a.code, township_b.code}
    assert sum(t["line_count"] for t in served["townships"]) == batch.line_count
    assert sum(Decimal(t["total_amount"]) for t in served["townships"]) == batch.total_amount


def test_the_lines_of_an_approved_batch_with_paid_status(batch, masked_client, child_a):
    _client, token = masked_client
    body = api_for(token).get(lines_url()).json()
    served = body["results"]
    assert len(served) == batch.line_count
    mine = [line for line in served if line["child_id"] == child_a.pk]
    assert {line["period"] for line in mine} == {"2026-02", "2026-03", "2026-04"}
    assert all(line["paid_status"] == "to_send" and line["paid_status_display"] == "待送银行" for line in served)
    assert all(line["kind"] in ("normal", "arrears") and line["reissue_of"] is None for line in served)
    assert all(line["batch_number"] == batch.number for line in served)
    assert sum(Decimal(line["amount"]) for line in served) == batch.total_amount


def test_a_draft_batchs_lines_are_not_served(batch, masked_client):
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.DRAFT)
    _client, token = masked_client
    response = api_for(token).get(lines_url())
    assert response.status_code == 404
    assert "尚未审批" in response.json()["detail"]


@pytest.mark.parametrize("month", ["2026-13", "2026-4x", "1999-01"])
def test_a_wrong_month_is_a_clear_404(masked_client, month):
    _client, token = masked_client
    response = api_for(token).get(lines_url(month))
    assert response.status_code == 404


def test_personal_data_is_masked_unless_granted(batch, masked_client, personal_client, child_a):
    line = Line.objects.filter(batch=batch, child=child_a).exclude(account_number="").first()
    _c, masked_token = masked_client
    _c, personal_token = personal_client
    masked = next(x for x in api_for(masked_token).get(lines_url()).json()["results"] if x["id"] == line.pk)
    whole = next(x for x in api_for(personal_token).get(lines_url()).json()["results"] if x["id"] == line.pk)
    assert whole["child_id_number"] == child_a.id_number
    assert whole["account_number"] == line.account_number
    assert masked["child_id_number"] != child_a.id_number
    assert masked["child_id_number"] == mask_id_number(child_a.id_number)
    assert masked["account_number"] != line.account_number
    assert masked["account_number"] == mask_account(line.account_number)
    assert masked["child_name"] == whole["child_name"] == child_a.name


def test_lines_page_by_cursor_at_a_constant_number_of_queries(batch, masked_client):
    _client, token = masked_client
    caller = api_for(token)
    caller.get(reverse("api:batches"))  # the first call of the minute writes last_used
    seen, counts, url = [], [], lines_url(page_size=2)
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = caller.get(url).json()
        counts.append(len(queries))
        seen += [line["id"] for line in body["results"]]
        url = body["next"]
    assert len(counts) >= 4
    assert seen == sorted(Line.objects.filter(batch=batch).values_list("id", flat=True))
    assert len(set(counts)) == 1, counts


def test_a_forged_cursor_is_refused_clearly(batch, masked_client):
    _client, token = masked_client
    response = api_for(token).get(lines_url(cursor="bm90LWEtY3Vyc29y"))
    assert response.status_code == 400
    assert "游标无效" in response.json()["cursor"][0]
    assert api_for(token).get(lines_url(page_size=0)).status_code == 400


def test_counts_per_category_and_township(frozen, masked_client, child_a, child_a2, child_b):
    """Counted from the categories held on the day (rows made directly: the rules are children's to test)."""
    day, kind = datetime.date(2026, 1, 1), ClassificationKind
    Classification.objects.create(child=child_a, kind=kind.LEFT_BEHIND, start_date=day)
    Classification.objects.create(child=child_a2, kind=kind.LEFT_BEHIND, start_date=day)
    Classification.objects.create(child=child_a2, kind=kind.DISABLED, start_date=day)
    Classification.objects.create(child=child_b, kind=kind.LEFT_BEHIND, start_date=datetime.date(2026, 3, 1))
    Classification.objects.create(
        child=child_b, kind=kind.DISABLED, start_date=day, end_date=datetime.date(2026, 4, 1), end_reason="other"
    )
    _client, token = masked_client
    body = api_for(token).get(reverse("api:counts")).json()
    assert body["date"] == "2026-05-20"
    got = {(r["township_code"], r["category"]): r["children"] for r in body["results"]}
    assert got == {
        (child_a.township.code, "left_behind"): 2,
        (child_a.township.code, "disabled"): 1,
        (child_b.township.code, "left_behind"): 1,
    }
    assert body["total_children"] == 3
    earlier = api_for(token).get(reverse("api:counts") + "?date=2026-02-01").json()
    assert {(r["township_code"], r["category"]) for r in earlier["results"]} == {
        (child_a.township.code, "left_behind"),
        (child_a.township.code, "disabled"),
        (child_b.township.code, "disabled"),
    }
    bad = api_for(token).get(reverse("api:counts") + "?date=2026-02-30")
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["date"][0]
