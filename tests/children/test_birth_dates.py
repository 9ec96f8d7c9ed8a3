"""A child's birth date lies between 18 years before today and today; rows stored before the rule still
render (issue 18, item 4)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children import services
from children.models import Child, add_years
from children.validators import validate_birth_date
from dingzhou_welfare.models import AuditEntry
from subsidies.models import Programme

from ..factories import ChildFactory, child_form_data

TODAY = datetime.date(2026, 6, 1)
BAD = ["2099-06-01", "9999-12-31", "0001-01-01", "2026-06-02", "2008-05-31"]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def client_a(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def no_id(township, village, birth_date: str) -> dict:
    return child_form_data(township, village, id_number="", no_id_reason="弃婴尚未落户", birth_date=birth_date)


@pytest.mark.parametrize("birth_date", BAD)
def test_the_form_refuses_a_birth_date_outside_childhood(client_a, township_a, village_a, birth_date):
    before = AuditEntry.objects.count()
    response = client_a.post(reverse("children:create"), no_id(township_a, village_a, birth_date))
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]
    assert not Child.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("birth_date", ["2008-06-01", "2026-06-01"])
def test_the_ends_of_the_range_are_accepted(client_a, township_a, village_a, birth_date):
    response = client_a.post(reverse("children:create"), no_id(township_a, village_a, birth_date))
    assert response.status_code == 302
    assert Child.objects.get().birth_date == datetime.date.fromisoformat(birth_date)


def test_the_model_refuses_it_through_the_service(caseworker_a, township_a, village_a):
    data = {
        "name": "王小二",
        "sex": "M",
        "birth_date": datetime.date(9999, 12, 31),
        "no_id_reason": "弃婴尚未落户",
        "hukou_type": Child.HukouType.RURAL,
        "township": township_a,
        "village": village_a,
    }
    with pytest.raises(ValidationError) as refused:
        services.create_child(actor=caseworker_a, data=data)
    assert "birth_date" in refused.value.message_dict


def test_the_validator_names_the_range():
    with pytest.raises(ValidationError, match="出生日期不能晚于今天（2026-06-01）"):
        validate_birth_date(datetime.date(2099, 6, 1), today=TODAY)
    with pytest.raises(ValidationError, match="出生日期不能早于 2008-06-01"):
        validate_birth_date(datetime.date(1, 1, 1), today=TODAY)


def test_add_years_does_not_overflow():
    assert add_years(datetime.date(9999, 12, 31), 18) == datetime.date.max
    assert add_years(datetime.date(1, 1, 1), -18) == datetime.date.min


@pytest.mark.parametrize("birth_date", [datetime.date(2099, 6, 1), datetime.date(9999, 12, 31), datetime.date(1, 1, 1)])
def test_a_stored_bad_birth_date_still_renders_its_pages(client_a, township_a, village_a, birth_date):
    child = ChildFactory(township=township_a, village=village_a, id_number="", no_id_reason="弃婴")
    Child.objects.filter(pk=child.pk).update(birth_date=birth_date)  # as entered before the rule
    assert Programme.objects.filter(active=True, age_limit__gt=0).exists()
    assert client_a.get(reverse("children:detail", args=[child.pk])).status_code == 200
    assert client_a.get(reverse("subsidies:apply", args=[child.pk])).status_code == 200
    programme = Programme.objects.filter(active=True).first()
    response = client_a.get(reverse("subsidies:apply", args=[child.pk]), {"programme": programme.pk})
    assert response.status_code == 200
    response = client_a.post(
        reverse("children:classification_add", args=[child.pk]),
        {"kind": "orphan_scattered", "start_date": "2026-05-01"},
    )
    assert response.status_code in (302, 400)


def test_a_child_who_has_turned_18_can_still_be_edited(client_a, township_a, village_a):
    """The rule is for a birth date entered or changed: a record kept past the 18th birthday (an
    in-school extension, a closed file) still saves when its birth date is left as it is."""
    child = ChildFactory(
        township=township_a, village=village_a, id_number="", no_id_reason="弃婴尚未落户",
        birth_date=datetime.date(2007, 1, 1),
    )  # fmt: skip
    data = no_id(township_a, village_a, "2007-01-01") | {"name": "王新名"}
    response = client_a.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    child.refresh_from_db()
    assert child.name == "王新名"
    data["birth_date"] = "2007-01-02"  # a changed date must lie within childhood again
    response = client_a.post(reverse("children:edit", args=[child.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"]
