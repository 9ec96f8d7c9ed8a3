"""The changes endpoint: the change list's events since a moment, paged on (recorded_at, id) at a
constant number of queries a page, masked unless granted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children.models import Carer, ClassificationKind
from dingzhou_welfare.idnumbers import mask_id_number
from subsidies.changes.codes import Reason
from subsidies.changes.models import ChangeEvent, events_for_month
from tests.factories import ChildFactory

from .conftest import api_for

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def url(**query):
    return reverse("api:changes") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def events(township_a, village_a, township_b):
    """30 additions for 10 children (each with a guardian), recorded in three instants: ties on recorded_at."""
    made = []
    instants = [datetime.datetime(2026, 5, 1, 9, minute, tzinfo=SHANGHAI) for minute in (0, 1, 2)]
    for n in range(10):
        child = ChildFactory(township=township_a if n % 2 else township_b, village=village_a if n % 2 else None)
        Carer.objects.create(child=child, name=f"监护人{n}", relationship="paternal_grandparent", is_guardian=True)
        for instant in instants:
            made.append(
                ChangeEvent.objects.create(
                    recorded_at=instant,
                    effective_date=datetime.date(2026, 4, 10),
                    month=datetime.date(2026, 4, 1),
                    direction=ChangeEvent.Direction.ADD,
                    child=child,
                    category=ClassificationKind.ORPHAN_SCATTERED,
                    national_category_code="201",
                    reason_code=Reason.CLASSIFIED,
                )
            )
    return sorted(made, key=lambda e: (e.recorded_at, e.id))


def test_every_event_once_in_recorded_order_at_constant_queries_a_page(events, masked_client):
    _client, token = masked_client
    caller = api_for(token)
    caller.get(url(page_size=1))  # the minute's first call writes last_used
    seen, counts, address = [], [], url(page_size=4)
    while address:
        with CaptureQueriesContext(connection) as queries:
            body = caller.get(address).json()
        counts.append(len(queries))
        seen += [event["id"] for event in body["results"]]
        address = body["next"]
    assert seen == [event.id for event in events]
    assert len(counts) == 8
    assert len(set(counts)) == 1, counts
    # the token, the page, the guardians of its children, the audit chain's end, the audit entry
    assert counts[0] == 5, [q["sql"] for q in queries.captured_queries]


def test_since_a_moment(events, masked_client):
    _client, token = masked_client
    since = "2026-05-01T09:01:00%2B08:00"
    body = api_for(token).get(url(since=since, page_size=100)).json()
    assert [e["id"] for e in body["results"]] == [e.id for e in events if e.recorded_at.minute == 2]
    # Naive: Beijing time; an unencoded "+" (a space) is read as the offset it was.
    naive = api_for(token).get(url(since="2026-05-01T09:01:00", page_size=100)).json()
    spaced = api_for(token).get(url(since="2026-05-01T09:01:00 08:00", page_size=100)).json()
    assert naive["results"] == spaced["results"] == body["results"]
    bad = api_for(token).get(url(since="yesterday"))
    assert bad.status_code == 400 and "ISO 8601" in bad.json()["since"][0]


def test_an_event_as_the_change_list_shows_it(events, masked_client, personal_client):
    event = events[0]
    child = event.child
    masked = api_for(masked_client[1]).get(url(page_size=1)).json()["results"][0]
    whole = api_for(personal_client[1]).get(url(page_size=1)).json()["results"][0]
    assert masked["id"] == event.id
    assert masked["child_id_number"] == mask_id_number(child.id_number) != child.id_number
    assert whole["child_id_number"] == child.id_number
    assert masked["direction"] == "add" and masked["direction_display"] == "增员"
    assert masked["category_display"] == "社会散居孤儿"
    assert masked["national_category_code"] == "201"
    assert masked["month"] == "2026-04"
    assert masked["township_code"] == child.township.code
    assert masked["guardian_name"] == child.carers.get().name
    assert masked["guardian_relationship"] == str(Carer.Relationship.PATERNAL_GRANDPARENT.label)
    assert masked["reason_display"] == "新认定儿童类别"
    assert timezone.localtime(datetime.datetime.fromisoformat(masked["recorded_at"])) == event.recorded_at


def test_the_api_and_the_months_change_list_serve_the_same_events(events, masked_client):
    ChangeEvent.objects.filter(pk=events[0].pk).update(month=datetime.date(2026, 5, 1))
    body = api_for(masked_client[1]).get(url(month="2026-04", page_size=100)).json()
    listed = events_for_month(datetime.date(2026, 4, 1))
    assert sorted(e["id"] for e in body["results"]) == sorted(listed.values_list("id", flat=True))
    assert len(body["results"]) == 29
