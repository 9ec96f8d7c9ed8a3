"""A standard above its programme's ceiling or outside the month range is refused with a message, in the
form, the service (the model's validation) and the standards import (issue 18, item 11)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from subsidies.models import Programme, Standard
from subsidies.services import set_standard
from tests.imports.conftest import confirm, errors_of, upload, xlsx_bytes

COLUMNS = ["保障项目", "月标准（元）", "起始月份"]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 2, tzinfo=datetime.UTC), tick=False)


def test_every_programme_has_the_default_ceiling(programmes):
    assert {p.max_monthly_amount for p in programmes.values()} == {Decimal("10000.00")}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"effective_month": "2026-01", "amount": "99999999.99"},
            "月标准 99,999,999.99 元超过本项目的上限 10,000.00 元",
        ),
        ({"effective_month": "9999-12", "amount": "800"}, "月份应在 2000-01 至 2027-12 之间。"),
        ({"effective_month": "1999-12", "amount": "800"}, "月份应在 2000-01 至 2027-12 之间。"),
    ],
)
def test_the_form_refuses_a_standard_out_of_range(client, staff, programmes, data, message):
    client.force_login(staff)
    url = reverse("subsidies:standard_set", args=[programmes["rural_dibao"].pk])
    response = client.post(url, {**data, "note": "冀民〔2026〕1号"})
    assert response.status_code == 400
    assert message in response.text
    assert not Standard.objects.filter(programme=programmes["rural_dibao"]).exists()


def test_the_ceiling_is_the_programmes_own(client, staff, programmes):
    Programme.objects.filter(code="rural_dibao").update(max_monthly_amount=Decimal("700.00"))
    client.force_login(staff)
    url = reverse("subsidies:standard_set", args=[programmes["rural_dibao"].pk])
    response = client.post(url, {"effective_month": "2026-01", "amount": "700.01", "note": "x"})
    assert "超过本项目的上限 700.00 元" in response.text
    assert client.post(url, {"effective_month": "2026-01", "amount": "700.00", "note": "x"}).status_code == 302


@pytest.mark.parametrize(
    ("month", "amount", "field"),
    [
        (datetime.date(2026, 1, 1), Decimal("99999999.99"), "amount"),
        (datetime.date(9999, 12, 1), Decimal("800"), "effective_month"),
        (datetime.date(2028, 1, 1), Decimal("800"), "effective_month"),
    ],
)
def test_the_service_refuses_it_too(staff, programmes, month, amount, field):
    with pytest.raises(ValidationError) as refused:
        set_standard(actor=staff, programme=programmes["rural_dibao"], effective_month=month, amount=amount)
    assert field in refused.value.message_dict


def test_the_import_refuses_it(client, staff, programmes, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = [("农村低保", "99999999.99", "2026-01"), ("城镇低保", "800", "9999-12")]
    content = xlsx_bytes([dict(zip(COLUMNS, row, strict=True)) for row in rows], COLUMNS, sheet="保障标准")
    _response, job = upload(client, "标准.xlsx", content, "standards", capture=django_capture_on_commit_callbacks)
    found = {(line, column): message for line, column, message in errors_of(job)}
    assert "超过本项目的上限 10,000.00 元" in found[(2, "月标准（元）")]
    assert "2027-12" in found[(3, "起始月份")]
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert not Standard.objects.filter(programme__code__in=["urban_dibao", "rural_dibao"]).exists()
