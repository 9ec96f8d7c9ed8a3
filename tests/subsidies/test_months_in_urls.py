"""Months from query strings and URLs are parsed by one helper and kept within range (issue 18, item 5)."""

import datetime

import pytest
from django.urls import reverse

from subsidies.months import MonthOutOfRange, parse_month

TODAY = datetime.date(2026, 6, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "1999-12", "2028-01"])
def test_a_month_out_of_range_is_refused_by_the_helper(text):
    with pytest.raises(MonthOutOfRange):
        parse_month(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "month"), [("2000-01", datetime.date(2000, 1, 1)), ("2027-12", datetime.date(2027, 12, 1))]
)
def test_the_range_ends_are_accepted(text, month):
    assert parse_month(text, today=TODAY) == month


@pytest.mark.parametrize("text", ["9999-12", "0001-01", "2026-13", "２０２６-05"])
def test_the_changes_page_answers_400_with_this_month_and_a_message(client, staff, text):
    client.force_login(staff)
    response = client.get(reverse("subsidies:changes"), {"month": text})
    assert response.status_code == 400
    assert response.context["month"] == datetime.date(2026, 6, 1)  # this month, shown under the error
    assert response.context["form"].errors["month"]


def test_the_changes_page_names_the_range(client, staff):
    client.force_login(staff)
    response = client.get(reverse("subsidies:changes"), {"month": "9999-12"})
    assert "月份应在 2000-01 至 2027-12 之间。" in response.text


def test_the_changes_page_of_a_month_in_range(client, staff):
    client.force_login(staff)
    assert client.get(reverse("subsidies:changes"), {"month": "2000-01"}).status_code == 200
    assert client.get(reverse("subsidies:changes")).status_code == 200


@pytest.mark.parametrize("params", [{"month": "9999-12"}, {"month": "0001-01"}, {"month": "2026-01", "to": "9999-12"}])
def test_the_report_page_refuses_a_month_out_of_range(client, staff, params):
    client.force_login(staff)
    response = client.get(reverse("reports:index"), params)
    assert response.status_code == 400
    assert "月份应在 2000-01 至 2027-12 之间。" in response.text


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_batch_url_with_a_month_out_of_range_is_not_found(client, staff, month):
    client.force_login(staff)
    assert client.get(f"/subsidies/batches/{month}/").status_code == 404
