"""The administrator's user pages: roles, township and village scope, validation."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from children.models import Child
from dingzhou_welfare.access import role_of, villages_limited
from dingzhou_welfare.models import AuditEntry, Role
from tests.factories import approve_role_request

User = get_user_model()
PASSWORD = "Village-director-2026"


def field_block(html: str, field: str) -> str:
    for block in re.split(r'(?=<div class="field)', html):
        if f'for="id_{field}' in block:
            return block
    raise AssertionError(f"no field {field} on the page")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def user_data(**overrides):
    data = {
        "username": "zhang_cun",
        "full_name": "张村主任",
        "role": Role.CASEWORKER,
        "townships": [],
        "villages": [],
        "phone": "",
        "is_active": "on",
        "password": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["caseworker_a", "caseworker_village", "supervisor_a", "staff", "leader", "outsider"])
def test_only_the_administrator(request, client, administrator, role):
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("user_list"), reverse("user_create"), reverse("user_edit", args=[administrator.pk])):
        assert client.get(url).status_code == 404
    response = client.post(reverse("user_create"), user_data(role=Role.STAFF))
    assert response.status_code == 404
    assert not User.objects.filter(username="zhang_cun").exists()


def test_list(admin_client, caseworker_a, outsider):
    page = admin_client.get(reverse("user_list")).text
    assert "caseworker_a" in page
    assert "清风店镇" in page
    assert "outsider" in page  # a user without a role is listed, so that one can be given


def test_create_a_caseworker_limited_to_villages(
    admin_client, client, leader, township_a, village_a, village_a2, child_a, child_a2
):
    response = admin_client.post(reverse("user_create"), user_data(townships=[township_a.pk], villages=[village_a.pk]))
    assert response.status_code == 302
    assert response.url == reverse("user_list")
    user = User.objects.get(username="zhang_cun")
    assert role_of(user) is None  # the role waits for a second person
    approve_role_request(user, leader)
    user = User.objects.get(username="zhang_cun")
    assert user.first_name == "张村主任"
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert role_of(user) == Role.CASEWORKER
    assert list(user.groups.values_list("name", flat=True)) == ["caseworker"]
    assert list(user.profile.townships.all()) == [township_a]
    assert list(user.profile.villages.all()) == [village_a]
    assert villages_limited(user)
    assert list(Child.objects.visible_to(user)) == [child_a]
    entry = AuditEntry.objects.get(object_type="user", object_id=str(user.pk))
    assert entry.action == AuditEntry.Action.CREATE

    client.force_login(user)
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 200
    assert client.get(reverse("children:detail", args=[child_a2.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"townships": []}, "townships", "儿童主任和儿童督导员须至少选择一个乡镇。"),
        ({"role": Role.SUPERVISOR, "townships": []}, "townships", "儿童主任和儿童督导员须至少选择一个乡镇。"),
        ({"villages": ["village_b"]}, "villages", "以下村不属于所选乡镇：南村"),
        ({"role": Role.SUPERVISOR, "villages": ["village_a"]}, "villages", "只有儿童主任可以限定到村。"),
        ({"password": ""}, "password", "新建用户须设置密码。"),
        ({"password": "short"}, "password", "密码长度太短。密码必须包含至少 10 个字符。"),
        ({"password": "password123"}, "password", "这个密码太常见了。"),
        ({"username": "caseworker_a"}, "username", "用户名已被使用。"),
        ({"role": "king"}, "role", "选择一个有效的选项"),
    ],
)
def test_validation(request, admin_client, caseworker_a, township_a, overrides, field, message):
    overrides = {
        key: [request.getfixturevalue(v).pk for v in value] if key == "villages" else value
        for key, value in overrides.items()
    }
    data = user_data(**{"townships": [township_a.pk], **overrides})
    users_before = User.objects.count()
    response = admin_client.post(reverse("user_create"), data)
    assert response.status_code == 200
    assert message in field_block(response.text, field)
    assert User.objects.count() == users_before
    assert not AuditEntry.objects.filter(object_type="user", actor__isnull=False).exists()


def test_staff_and_leader_need_no_township(admin_client):
    for username, role in (("head", Role.LEADER), ("bureau", Role.STAFF)):
        response = admin_client.post(reverse("user_create"), user_data(username=username, role=role))
        assert response.status_code == 302
    approve_role_request(User.objects.get(username="bureau"), User.objects.get(username="head"))
    for username, role in (("head", Role.LEADER), ("bureau", Role.STAFF)):
        assert role_of(User.objects.get(username=username)) == role


def test_edit_keeps_the_password_when_left_blank(admin_client, caseworker_a, township_a):
    response = admin_client.get(reverse("user_edit", args=[caseworker_a.pk]))
    assert response.status_code == 200
    assert "修改用户 · caseworker_a" in response.text
    old_hash = caseworker_a.password
    response = admin_client.post(
        reverse("user_edit", args=[caseworker_a.pk]),
        user_data(username="caseworker_a", townships=[township_a.pk], password="", full_name="王主任"),
    )
    assert response.status_code == 302
    caseworker_a.refresh_from_db()
    assert caseworker_a.password == old_hash
    assert caseworker_a.first_name == "王主任"


def test_changing_the_role_changes_the_group_and_drops_villages(admin_client, leader, caseworker_village, township_a):
    response = admin_client.post(
        reverse("user_edit", args=[caseworker_village.pk]),
        user_data(username="caseworker_village", role=Role.SUPERVISOR, townships=[township_a.pk], password=""),
    )
    assert response.status_code == 302
    approve_role_request(caseworker_village, leader)
    user = User.objects.get(pk=caseworker_village.pk)
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]
    assert not user.profile.villages.exists()


def test_giving_a_role_to_a_user_without_one(admin_client, outsider, child_a):
    """The first leader of an installation (no other administrator, no leader yet): at once."""
    assert admin_client.get(reverse("user_edit", args=[outsider.pk])).status_code == 200
    response = admin_client.post(
        reverse("user_edit", args=[outsider.pk]), user_data(username="outsider", role=Role.LEADER, password="")
    )
    assert response.status_code == 302
    user = User.objects.get(pk=outsider.pk)
    assert role_of(user) == Role.LEADER
    assert list(Child.objects.visible_to(user)) == [child_a]


def test_deactivated_user_is_logged_out(admin_client, caseworker_a, township_a):
    caseworker = Client()
    caseworker.force_login(caseworker_a)
    assert caseworker.get(reverse("dashboard")).status_code == 200
    response = admin_client.post(
        reverse("user_edit", args=[caseworker_a.pk]),
        user_data(username="caseworker_a", townships=[township_a.pk], password="", is_active=""),
    )
    assert response.status_code == 302
    response = caseworker.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
