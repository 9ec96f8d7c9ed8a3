"""A token per client: no token, a wrong one, a revoked one are refused; the API is read-only."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiClient
from api.services import revoke_client
from api.tokens import token_hash

from .conftest import api_for

pytestmark = pytest.mark.django_db


def test_no_token_is_refused_with_a_bearer_challenge(masked_client):
    response = APIClient().get(reverse("api:batches"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_refused(masked_client):
    response = api_for("dzw_not-a-token").get(reverse("api:batches"))
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效。"


def test_a_malformed_header_is_refused():
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    response = caller.get(reverse("api:batches"))
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_valid_token_is_let_in_and_marks_the_client_used(masked_client):
    client, token = masked_client
    assert client.last_used is None
    response = api_for(token).get(reverse("api:batches"))
    assert response.status_code == 200
    client.refresh_from_db()
    assert client.last_used is not None


def test_the_token_is_kept_only_as_its_hash(masked_client):
    client, token = masked_client
    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.token_hash == token_hash(token)
    assert token not in {str(getattr(stored, field.attname)) for field in ApiClient._meta.concrete_fields}


def test_a_revoked_token_is_refused_at_once(masked_client, administrator):
    client, token = masked_client
    caller = api_for(token)
    assert caller.get(reverse("api:batches")).status_code == 200
    revoke_client(actor=administrator, client=client)
    response = caller.get(reverse("api:batches"))
    assert response.status_code == 401
    assert "吊销" in response.json()["detail"]


def test_a_signed_in_user_without_a_token_gets_no_data(staff, masked_client):
    """The data endpoints are for machine clients: a staff session is not a token."""
    caller = APIClient()
    caller.force_login(staff)
    assert caller.get(reverse("api:batches")).status_code in (401, 403)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_endpoint_is_read_only(masked_client, method):
    _client, token = masked_client
    response = getattr(api_for(token), method)(reverse("api:batches"), {}, format="json")
    assert response.status_code == 405
