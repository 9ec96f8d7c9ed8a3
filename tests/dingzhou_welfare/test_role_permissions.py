"""What a role may do is read from dingzhou_welfare/roles.py; the role's group must say the same."""

import pytest
from django.contrib.auth.models import Permission

from dingzhou_welfare.access import can_change_children, can_reveal, role_may
from dingzhou_welfare.roles import ROLE_PERMISSIONS

# The cast's user of each role (tests/conftest.py).
CAST = {
    "caseworker": "caseworker_a",
    "supervisor": "supervisor_a",
    "staff": "staff",
    "leader": "leader",
    "administrator": "administrator",
}


@pytest.mark.parametrize("role", sorted(CAST))
def test_role_may_answers_as_the_groups_permissions_do(request, role):
    user = request.getfixturevalue(CAST[role])
    codes = [f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")]
    assert set(ROLE_PERMISSIONS[role]) <= set(codes)
    for code in codes:
        assert role_may(user, code) == user.has_perm(code), code


@pytest.mark.parametrize(
    ("role", "change", "reveal"),
    [
        ("caseworker_a", True, True),
        ("caseworker_village", True, True),
        ("supervisor_a", True, True),
        ("staff", True, True),
        ("leader", False, True),
        ("administrator", False, False),
        ("outsider", False, False),
    ],
)
def test_who_may_change_children_and_reveal_personal_data(request, role, change, reveal):
    user = request.getfixturevalue(role)
    assert can_change_children(user) is change
    assert can_reveal(user) is reveal


def test_a_superuser_without_a_role_may_not_change_children(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="Test-password-2026!")
    assert not can_change_children(root)
    assert not can_reveal(root)
