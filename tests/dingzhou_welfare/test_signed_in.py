"""The signed-in user kept in the process between requests (dingzhou_welfare/signed_in.py), and the
version tokens read with a Redis-style cache session (dingzhou_welfare/versions.py, sessions.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dingzhou_welfare import signed_in, versions
from dingzhou_welfare.models import Role
from dingzhou_welfare.services import save_staff_user
from tests.factories import approve_role_request

from .test_kept_scope import listed, user_data

CACHE_SESSIONS = override_settings(SESSION_ENGINE="dingzhou_welfare.sessions")


def user_queries(client, url=None) -> list[str]:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url or reverse("children:list"))
    assert response.status_code in (200, 302)
    return [query["sql"] for query in captured.captured_queries if '"auth_user"' in query["sql"]]


def test_the_next_request_builds_the_user_without_a_query(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    assert user_queries(client)  # the first request reads the user with the profile
    assert user_queries(client) == []
    response = client.get(reverse("children:list"))
    assert response.wsgi_request.user.pk == caseworker_a.pk
    assert response.wsgi_request.user.profile.role == Role.CASEWORKER
    assert child_a.name in listed(client)


def test_each_request_gets_its_own_user_instance(client, staff):
    client.force_login(staff)
    first = client.get(reverse("dashboard")).wsgi_request.user
    second = client.get(reverse("dashboard")).wsgi_request.user
    assert first == second  # the same user
    assert first._wrapped is not second._wrapped  # not one object shared by two requests
    assert first.profile is not second.profile


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, administrator, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(reverse("children:list")).status_code == 200
    save_staff_user(actor=administrator, user=caseworker_a, data=user_data(caseworker_a, is_active=False))
    response = client.get(reverse("children:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_new_password_signs_other_sessions_out(client, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(reverse("children:list")).status_code == 200
    caseworker_a.set_password("Another-password-2026")
    caseworker_a.save()
    assert client.get(reverse("children:list")).status_code == 302


def test_a_role_change_is_seen_by_the_next_request(client, administrator, leader, caseworker_a, child_b):
    client.force_login(caseworker_a)
    assert child_b.name not in listed(client)
    save_staff_user(actor=administrator, user=caseworker_a, data=user_data(caseworker_a, role=Role.STAFF))
    approve_role_request(caseworker_a, leader)
    assert child_b.name in listed(client)


def test_a_group_or_permission_change_gives_users_a_new_version(rf, staff):
    request = rf.get("/")
    before = versions.of(request, versions.USERS)
    group = Group.objects.create(name="审核")
    after_group = versions.of(rf.get("/"), versions.USERS)
    group.permissions.add(Permission.objects.first())
    after_permission = versions.of(rf.get("/"), versions.USERS)
    staff.groups.add(group)
    after_membership = versions.of(rf.get("/"), versions.USERS)
    assert len({before, after_group, after_permission, after_membership}) == 4


def test_a_write_without_signals_is_seen_after_keep_seconds(client, caseworker_a, monkeypatch):
    client.force_login(caseworker_a)
    assert client.get(reverse("children:list")).status_code == 200
    type(caseworker_a).objects.filter(pk=caseworker_a.pk).update(is_active=False)  # no post_save
    assert client.get(reverse("children:list")).status_code == 200  # still kept
    now = signed_in.monotonic()
    monkeypatch.setattr(signed_in, "monotonic", lambda: now + signed_in.KEEP_SECONDS + 1)
    assert client.get(reverse("children:list")).status_code == 302


@CACHE_SESSIONS
def test_with_cache_sessions_a_warm_list_page_costs_one_query(client, caseworker_a, child_a, django_assert_num_queries):
    client.force_login(caseworker_a)
    client.get(reverse("children:list"))
    with django_assert_num_queries(1):  # the page; session, tokens, user, scope and count kept
        response = client.get(reverse("children:list"))
    assert child_a.name in response.text.split('id="children"', 1)[1]


@CACHE_SESSIONS
def test_the_session_store_reads_the_tokens_with_the_session(client, caseworker_a):
    client.force_login(caseworker_a)
    response = client.get(reverse("children:list"))
    tokens = response.wsgi_request.session.versions
    assert set(tokens) == set(versions.TOPICS)
    assert all(tokens.values())
    versions.forget(versions.USERS)
    again = client.get(reverse("children:list")).wsgi_request.session.versions
    assert again[versions.USERS] != tokens[versions.USERS]
    assert again[versions.CHILDREN] == tokens[versions.CHILDREN]


@CACHE_SESSIONS
def test_logging_out_ends_a_kept_user(client, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(reverse("children:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("children:list")).status_code == 302


@pytest.mark.parametrize("topic", versions.TOPICS)
def test_a_change_gives_a_new_token_now_and_at_commit(db, rf, topic, django_capture_on_commit_callbacks):
    before = versions.of(rf.get("/"), topic)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        versions.changed(topic)
    now = versions.of(rf.get("/"), topic)
    callbacks[0]()
    at_commit = versions.of(rf.get("/"), topic)
    assert len({before, now, at_commit}) == 3


@override_settings(KEEP_SIGNED_IN_USERS=False)
def test_without_a_shared_cache_every_request_reads_its_user(client, staff):
    client.force_login(staff)
    assert user_queries(client)
    assert user_queries(client)
