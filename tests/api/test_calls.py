"""Each call is throttled per token and audited: the client, the endpoint, the rows returned."""

import pytest
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry

from .conftest import api_for

pytestmark = pytest.mark.django_db


def api_entries():
    return AuditEntry.objects.filter(object_type="apiclient", action=AuditEntry.Action.EXPORT).order_by("id")


def test_each_call_is_audited_with_client_endpoint_and_rows(batch, masked_client, personal_client):
    client, token = masked_client
    caller = api_for(token)
    caller.get(reverse("api:batches"))
    caller.get(reverse("api:batch_lines", args=["2026-04"]) + "?page_size=2")
    other, other_token = personal_client
    api_for(other_token).get(reverse("api:batch_lines", args=["2026-04"]))
    first, second, third = api_entries()
    assert (first.object_id, first.actor) == (str(client.pk), None)
    assert first.changes["endpoint"] == "/api/v1/batches/"
    assert first.changes["rows"] == 1
    assert first.changes["client"] == client.name
    assert first.changes["personal_data"] is False
    assert second.changes["endpoint"] == "/api/v1/batches/2026-04/lines/"
    assert second.changes["query"] == {"page_size": ["2"]}
    assert second.changes["rows"] == 2
    assert client.name in second.summary
    assert third.object_id == str(other.pk)
    assert third.changes["rows"] == batch.line_count
    assert third.changes["personal_data"] is True


def test_refused_calls_of_a_known_client_are_audited_too(masked_client):
    client, token = masked_client
    api_for(token).get(reverse("api:batch_lines", args=["2026-04"]))
    [entry] = api_entries()
    assert entry.object_id == str(client.pk)
    assert (entry.changes["status"], entry.changes["rows"]) == (404, 0)


def test_an_unknown_token_leaves_no_client_entry():
    api_for("dzw_nobody").get(reverse("api:batches"))
    assert not api_entries().exists()


def test_calls_are_throttled_per_token(settings, masked_client, personal_client):
    settings.API_THROTTLE_RATE = "3/min"
    _client, token = masked_client
    _other, other_token = personal_client
    caller = api_for(token)
    assert [caller.get(reverse("api:counts")).status_code for _ in range(3)] == [200, 200, 200]
    refused = caller.get(reverse("api:counts"))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another client's token has its own allowance.
    assert api_for(other_token).get(reverse("api:counts")).status_code == 200
    assert api_entries().filter(changes__status=429).count() == 1
