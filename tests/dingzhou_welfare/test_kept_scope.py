"""What a web process keeps between requests: users' scopes and the place names of the selects."""

import pytest
from django.urls import reverse

from children import places
from children.models import Village
from dingzhou_welfare.access import townships_for, villages_for
from dingzhou_welfare.models import Role
from dingzhou_welfare.services import save_staff_user

from ..factories import PASSWORD, approve_role_request


def user_data(user, **changes) -> dict:
    profile = user.profile
    data = {
        "username": user.username,
        "full_name": user.first_name,
        "role": profile.role,
        "password": "",
        "townships": list(profile.townships.all()),
        "villages": list(profile.villages.all()),
        "is_active": True,
    }
    return {**data, **changes}


def listed(client) -> str:
    response = client.get(reverse("children:list"))
    assert response.status_code == 200
    return response.text.split('id="children"', 1)[1]


def test_a_scope_change_is_seen_by_the_next_request(
    client, administrator, leader, caseworker_a, township_b, child_a, child_b
):
    client.force_login(caseworker_a)
    assert child_a.name in listed(client)
    assert child_b.name not in listed(client)
    save_staff_user(actor=administrator, user=caseworker_a, data=user_data(caseworker_a, townships=[township_b]))
    approve_role_request(caseworker_a, leader)
    assert child_a.name not in listed(client)
    assert child_b.name in listed(client)
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 404


def test_a_role_change_is_seen_by_the_next_request(client, administrator, leader, caseworker_a, child_a, child_b):
    client.force_login(caseworker_a)
    assert child_b.name not in listed(client)
    save_staff_user(actor=administrator, user=caseworker_a, data=user_data(caseworker_a, role=Role.STAFF))
    approve_role_request(caseworker_a, leader)
    assert child_b.name in listed(client)


def test_limiting_a_caseworker_to_a_village_is_seen_by_the_next_request(
    client, administrator, caseworker_a, village_a2, child_a, child_a2
):
    client.force_login(caseworker_a)
    assert child_a.name in listed(client)
    save_staff_user(actor=administrator, user=caseworker_a, data=user_data(caseworker_a, villages=[village_a2]))
    assert child_a.name not in listed(client)
    assert child_a2.name in listed(client)


@pytest.mark.parametrize(
    "role", ["staff", "leader", "caseworker_a", "caseworker_village", "supervisor_a", "administrator"]
)
def test_the_selects_offer_what_the_scope_allows(
    request, role, township_a, township_b, village_a, village_a2, village_b
):
    user = request.getfixturevalue(role)
    assert places.township_choices(user) == list(townships_for(user).values_list("pk", "name"))
    assert places.village_choices(user) == list(villages_for(user).values_list("pk", "name"))
    for township in (village_a.township, township_b):
        expected = list(villages_for(user).filter(township=township).values_list("pk", "name"))
        assert places.village_choices(user, township.pk) == expected


def test_a_village_added_in_the_admin_is_offered_at_once(client, administrator, staff, township_a, village_a):
    client.force_login(staff)
    assert "北村" not in client.get(reverse("children:list"), {"township": township_a.pk}).text
    client.force_login(administrator)
    response = client.post(reverse("admin:dingzhou_welfare_village_add"), {"township": township_a.pk, "name": "北村"})
    assert response.status_code == 302
    assert Village.objects.filter(name="北村").exists()
    client.force_login(staff)
    assert "北村" in client.get(reverse("children:list"), {"township": township_a.pk}).text


def test_log_in_reads_the_profile_with_the_user(client, django_assert_num_queries, caseworker_a):
    assert client.post(reverse("login"), {"username": "caseworker_a", "password": PASSWORD}).status_code == 302
    from django.contrib.auth import SESSION_KEY, get_user

    request = type("Request", (), {"session": client.session})()
    assert request.session[SESSION_KEY]  # the session itself is read before
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.profile.role == Role.CASEWORKER
