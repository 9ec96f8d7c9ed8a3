"""Issue 17 items 15-16: the user list's search, last login, lockout and unlock; the administrator sees no child."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from dingzhou_welfare.lockouts import locked_usernames
from dingzhou_welfare.models import AuditEntry
from tests.factories import PASSWORD


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def lock_out(username):
    """Five wrong passwords through the real login form (django-axes counts them)."""
    other = Client()
    for attempt in range(5):
        other.post(reverse("login"), {"username": username, "password": f"wrong-{attempt}"})
    return other


def test_the_list_searches_by_username_name_or_phone(admin_client, caseworker_a, supervisor_a, staff):
    caseworker_a.first_name = "王主任"
    caseworker_a.save()
    page = admin_client.get(reverse("user_list"), {"q": "王主任"}).text
    assert "caseworker_a" in page and "supervisor_a" not in page and "共 1 个用户" in page
    page = admin_client.get(reverse("user_list"), {"q": "supervisor"}).text
    assert "supervisor_a" in page and "caseworker_a" not in page
    assert "没有找到符合条件的用户" in admin_client.get(reverse("user_list"), {"q": "nobody"}).text


def test_the_list_shows_last_login(admin_client, client, caseworker_a, staff):
    page = admin_client.get(reverse("user_list"), {"q": "caseworker_a"}).text
    assert "从未登录" in page
    other = Client()
    assert other.post(reverse("login"), {"username": "staff", "password": PASSWORD}).status_code == 302
    staff.refresh_from_db()
    page = admin_client.get(reverse("user_list"), {"q": "staff"}).text
    assert f"{staff.last_login.astimezone():%Y-%m-%d}" in page


def test_a_locked_account_is_shown_and_the_administrator_unlocks_it(admin_client, administrator, caseworker_a, staff):
    locked = lock_out("caseworker_a")
    assert locked_usernames() == {"caseworker_a"}
    assert locked.post(reverse("login"), {"username": "caseworker_a", "password": PASSWORD}).status_code == 429
    page = admin_client.get(reverse("user_list")).text
    assert page.count("登录已锁定") == 1 and reverse("user_unlock", args=[caseworker_a.pk]) in page
    assert "caseworker_a" in admin_client.get(reverse("user_list"), {"show": "locked"}).text
    assert "staff" not in admin_client.get(reverse("user_list"), {"show": "locked"}).text

    response = admin_client.post(reverse("user_unlock", args=[caseworker_a.pk]), {"q": "case"})
    assert response.status_code == 302 and response.url == reverse("user_list") + "?q=case"
    assert not AccessAttempt.objects.filter(username="caseworker_a").exists()
    entry = AuditEntry.objects.filter(object_type="user", object_id=str(caseworker_a.pk)).latest("id")
    assert entry.actor == administrator and entry.changes["unlocked"] == "caseworker_a"
    assert locked.post(reverse("login"), {"username": "caseworker_a", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("role", ["caseworker_a", "supervisor_a", "staff", "leader"])
def test_only_the_administrator_unlocks(request, client, caseworker_a, role):
    lock_out("caseworker_a")
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("user_unlock", args=[caseworker_a.pk])).status_code == 404
    assert locked_usernames() == {"caseworker_a"}


def test_unlock_is_post_only(admin_client, caseworker_a):
    assert admin_client.get(reverse("user_unlock", args=[caseworker_a.pk])).status_code == 405


def test_the_administrator_sees_no_child_on_the_menu_or_home(admin_client, child_a, caseworker_a):
    page = admin_client.get(reverse("dashboard")).text
    assert "儿童信息" not in page and "在册儿童" not in page and reverse("children:list") not in page
    assert "启用的用户" in page and "待批准的角色变更" in page and "登录已锁定的账号" in page


def test_the_others_keep_the_children_menu(client, caseworker_a):
    client.force_login(caseworker_a)
    assert f'href="{reverse("children:list")}">儿童信息' in client.get(reverse("dashboard")).text


def test_the_village_picker_groups_villages_by_township(admin_client, township_a, village_a, village_a2, village_b):
    page = admin_client.get(reverse("user_create")).text
    assert f'<fieldset class="village-group" data-township="{township_a.pk}">' in page
    picker = page.split('id="field-villages"')[1].split("</form>")[0]
    assert page.count('type="checkbox" name="villages"') == 3 and "<select" not in picker
    assert "<legend>负责乡镇" in page and "js/village-picker.js" in page
