"""Work to do and coverage, with frozen time: missing, expired, soon expiring and current agreements."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.agreements import services as agreements
from children.agreements.services import State
from children.models import Child
from tests.factories import ChildFactory

from .support import PNG, agreement_data, make_left_behind

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def _signed(child, actor, start, end, signed_on=None):
    draft = agreements.save_agreement(actor=actor, child=child, data=agreement_data(period_start=start, period_end=end))
    scan = SimpleUploadedFile("确认书.png", PNG, content_type="image/png")
    return agreements.sign_agreement(actor=actor, agreement=draft, signed_on=signed_on or min(start, TODAY), scan=scan)


@pytest.fixture
def village_children(frozen, township_a, village_a, staff):
    """Five left-behind children of village A, one per state, and one child who is not left-behind."""
    made = {}
    for key in ("missing", "draft", "expired", "expiring", "current", "renewed", "ended"):
        made[key] = make_left_behind(ChildFactory(township=township_a, village=village_a, name=f"童{key}"), staff)
    made["other"] = ChildFactory(township=township_a, village=village_a, name="童other")
    agreements.save_agreement(actor=staff, child=made["draft"], data=agreement_data())
    _signed(made["expired"], staff, datetime.date(2025, 3, 1), datetime.date(2026, 5, 31))
    _signed(made["expiring"], staff, datetime.date(2025, 7, 1), datetime.date(2026, 7, 1))  # 30 days from today
    _signed(made["current"], staff, datetime.date(2026, 3, 1), datetime.date(2026, 7, 2))  # 31 days
    _signed(made["renewed"], staff, datetime.date(2025, 7, 1), datetime.date(2026, 6, 10))
    _signed(made["renewed"], staff, datetime.date(2026, 6, 11), datetime.date(2027, 6, 10), signed_on=TODAY)
    ended = _signed(made["ended"], staff, datetime.date(2026, 3, 1), datetime.date(2027, 2, 28))
    agreements.end_agreement(
        actor=staff, agreement=ended, ended_on=datetime.date(2026, 5, 20), reason="parents_returned"
    )
    return made


EXPECTED = {
    "missing": State.MISSING,
    "draft": State.MISSING,
    "expired": State.EXPIRED,
    "expiring": State.EXPIRING,
    "current": State.CURRENT,
    "renewed": State.CURRENT,
    "ended": State.EXPIRED,
}


def test_each_child_has_the_state_its_agreements_give_it(village_children):
    rows = agreements.with_agreement_state(agreements.left_behind_children(Child.objects.all(), TODAY), TODAY)
    states = {child.name[1:]: child.agreement_state for child in rows}
    assert states == EXPECTED  # "other" is not left-behind, so not listed


def test_coverage_counts_signed_current_agreements_over_left_behind_children(village_children):
    result = agreements.coverage(Child.objects.all(), TODAY)
    assert result.left_behind == 7
    assert result.covered == 3  # current, renewed, expiring (still in force today)
    assert result.counts == {"missing": 2, "expired": 2, "expiring": 1, "current": 2}
    assert result.todo == 5
    assert result.percent == 43


def test_a_day_later_the_expiring_one_is_the_same_and_after_its_end_it_is_expired(village_children, time_machine):
    time_machine.move_to(datetime.datetime(2026, 7, 2, 10, tzinfo=datetime.UTC), tick=False)
    day = datetime.date(2026, 7, 2)
    rows = agreements.with_agreement_state(agreements.left_behind_children(Child.objects.all(), day), day)
    states = {child.name[1:]: child.agreement_state for child in rows}
    assert states["expiring"] == State.EXPIRED
    assert states["current"] == State.EXPIRING
    assert states["renewed"] == State.CURRENT


def test_a_child_whose_left_behind_classification_ended_is_no_longer_counted(village_children, staff):
    from children.services import end_classification

    entry = village_children["missing"].classifications.get(kind="left_behind")
    end_classification(actor=staff, classification=entry, end_date=TODAY, reason="situation_changed")
    assert agreements.coverage(Child.objects.all(), TODAY).left_behind == 6


def test_the_work_list_shows_the_work_to_do_in_order_and_filters_by_state(client, village_children, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get(reverse("children:agreements"))
    assert response.status_code == 200
    names = [c.name for c in response.context["page"]]
    assert names[:2] == ["童missing", "童draft"] or set(names[:2]) == {"童missing", "童draft"}
    assert set(names) == {"童missing", "童draft", "童expired", "童ended", "童expiring"}
    assert "童current" not in response.text
    response = client.get(reverse("children:agreements"), {"state": "current"})
    assert {c.name for c in response.context["page"]} == {"童current", "童renewed"}
    response = client.get(reverse("children:agreements"), {"state": "all"})
    assert len(response.context["page"]) == 7


def test_the_work_list_and_the_dashboard_are_scoped(client, village_children, caseworker_b, staff, township_b):
    make_left_behind(ChildFactory(township=township_b, name="童b"), staff)
    client.force_login(caseworker_b)
    response = client.get(reverse("children:agreements"), {"state": "all"})
    assert [c.name for c in response.context["page"]] == ["童b"]
    assert "童missing" not in response.text
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["agreements"].left_behind == 1
    assert "0 / 1" in dashboard.text


def test_the_dashboard_shows_the_county_coverage_to_staff(client, village_children, staff):
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    assert response.context["agreements"].covered == 3
    assert 'id="agreement-coverage"' in response.text
    assert "43%" in response.text
    assert "3 / 7" in response.text


def test_the_administrator_gets_no_work_list(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("children:agreements")).status_code == 404


def test_the_work_list_costs_the_same_queries_for_one_child_or_many(
    client, frozen, township_a, village_a, staff, django_assert_max_num_queries
):
    client.force_login(staff)
    make_left_behind(ChildFactory(township=township_a, village=village_a), staff)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("children:agreements"))
    for _ in range(15):
        make_left_behind(ChildFactory(township=township_a, village=village_a), staff)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("children:agreements"))
    assert len(response.context["page"]) == 16
