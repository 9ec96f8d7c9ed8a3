"""The administrator's clients page (token shown once, revocation), and the OpenAPI schema and its docs."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiClient
from api.tokens import token_hash
from dingzhou_welfare.models import AuditEntry

from .conftest import api_for

pytestmark = pytest.mark.django_db


def test_the_administrator_creates_a_client_and_sees_its_token_once(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("api:clients"), {"name": "省儿童福利信息系统", "granted_personal_data": "on"})
    assert response.status_code == 200
    token = re.search(r'id="token" type="text" readonly value="(dzw_[^"]+)"', response.content.decode()).group(1)
    made = ApiClient.objects.get(name="省儿童福利信息系统")
    assert made.token_hash == token_hash(token)
    assert made.granted_personal_data and made.created_by == administrator
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(object_type="apiclient", object_id=str(made.pk), actor=administrator).exists()
    again = client.get(reverse("api:clients")).content.decode()
    assert token not in again and made.token_prefix in again
    assert api_for(token).get(reverse("api:counts")).status_code == 200


def test_a_duplicate_name_is_refused_on_its_field(client, administrator, masked_client):
    client.force_login(administrator)
    response = client.post(reverse("api:clients"), {"name": masked_client[0].name})
    assert "已有名为" in response.content.decode()
    assert ApiClient.objects.count() == 1


def test_the_administrator_revokes_a_token(client, administrator, masked_client):
    made, token = masked_client
    client.force_login(administrator)
    response = client.post(reverse("api:client_revoke", args=[made.pk]), follow=True)
    assert "已吊销" in response.content.decode()
    made.refresh_from_db()
    assert made.revoked_at is not None and made.revoked_by == administrator
    assert api_for(token).get(reverse("api:counts")).status_code == 401
    assert client.post(reverse("api:client_revoke", args=[made.pk]), follow=True).status_code == 200


@pytest.mark.parametrize("who", ["staff", "leader", "caseworker_a"])
def test_only_the_administrator_has_the_page(client, request, who, masked_client):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("api:clients")).status_code == 404
    assert client.post(reverse("api:client_revoke", args=[masked_client[0].pk])).status_code == 404
    assert masked_client[0].__class__.objects.get(pk=masked_client[0].pk).revoked_at is None


def test_the_schema_validates(tmp_path):
    """drf-spectacular's own validation against the OpenAPI 3 specification, warnings as failures."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in ("/api/v1/changes/", "/api/v1/batches/", "/api/v1/batches/{month}/lines/", "/api/v1/counts/"):
        assert path in text
    assert "bearer" in text


def test_the_schema_is_for_clients_and_signed_in_staff(masked_client, staff):
    assert APIClient().get(reverse("api:schema")).status_code in (401, 403)
    assert api_for(masked_client[1]).get(reverse("api:schema")).status_code == 200
    signed_in = APIClient()
    signed_in.force_login(staff)
    assert signed_in.get(reverse("api:schema")).status_code == 200


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_the_docs_load_their_scripts_from_this_server(client, staff, name):
    assert client.get(reverse(name)).status_code == 302  # to the login page
    client.force_login(staff)
    page = client.get(reverse(name)).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("drf_spectacular_sidecar" in source for source in sources)
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    assert "img-src 'self' data:" in client.get(reverse(name))["Content-Security-Policy"]
