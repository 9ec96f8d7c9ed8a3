"""README's production steps, literally: migrate, the townships, the first account, then /users/."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.roles import sync_role_groups

PASSWORD = "First-admin-2026-county"


@pytest.mark.django_db(transaction=True)  # committed, as on a fresh install
def test_first_administrator_opens_the_user_pages(monkeypatch):
    # What migration 0002 wrote on a fresh database, which an earlier transactional test's flush removed
    # (`migrate` below finds every migration applied and does not run it again).
    sync_role_groups()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("loaddata", "dingzhou_townships", verbosity=0)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "it_admin", "--email", "it@example.org", verbosity=0)

    client = Client()
    response = client.post("/login/", {"username": "it_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/users/").status_code == 200
    assert client.get("/users/new/").status_code == 200
    admin = get_user_model().objects.get(username="it_admin")
    assert role_of(admin) == Role.ADMINISTRATOR
    assert not admin.profile.townships.exists()  # the administrator sees no child
    assert AuditEntry.objects.filter(object_id=str(admin.pk), action=AuditEntry.Action.UPDATE).exists()


@pytest.mark.django_db
def test_existing_superusers_are_left_alone(monkeypatch, staff):
    staff.is_superuser = True
    staff.save()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--username", "second", "--email", "", verbosity=0)
    staff.refresh_from_db()
    assert role_of(staff) == Role.STAFF
