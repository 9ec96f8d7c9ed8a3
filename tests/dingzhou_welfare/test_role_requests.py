"""Access to children is never given by one person alone (issue 18, item 3).

Nobody changes their own role or scope; a change that gives more access waits, as a pending request,
for a second person (another administrator or the leader, never the requester nor the user it is for);
less access applies at once; both steps are audited. A new installation's only administrator gives the
leader role once, at once, and the leader approves from then on.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dingzhou_welfare.access import role_of
from dingzhou_welfare.models import AuditEntry, Role, RoleRequest
from dingzhou_welfare.services import decide_role_request, save_staff_user
from tests.factories import make_user

PASSWORD = "Village-director-2026"


def form(user, **changes) -> dict:
    """What the user form posts for `user` as they are, with `changes`."""
    profile = user.profile
    data = {
        "username": user.username,
        "full_name": user.first_name,
        "role": profile.role,
        "townships": [t.pk for t in profile.townships.all()],
        "villages": [v.pk for v in profile.villages.all()],
        "phone": "",
        "is_active": "on",
        "password": "",
    }
    return {**data, **changes}


def data(user, **changes) -> dict:
    """What the form's cleaned data gives the service for `user` as they are, with `changes`."""
    return {**form(user), "is_active": True, **changes}


@pytest.fixture
def second_administrator(db):
    return make_user("administrator_2", Role.ADMINISTRATOR)


def pending():
    return RoleRequest.objects.filter(status=RoleRequest.Status.PENDING)


def test_an_administrator_cannot_change_their_own_role(client, administrator, child_a):
    client.force_login(administrator)
    response = client.post(reverse("user_edit", args=[administrator.pk]), form(administrator, role=Role.STAFF))
    assert response.status_code == 200
    assert "不能修改自己的角色或负责范围" in response.text
    assert role_of(type(administrator).objects.get(pk=administrator.pk)) == Role.ADMINISTRATOR
    assert not RoleRequest.objects.exists()
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 404
    with pytest.raises(ValidationError, match="不能修改自己的角色"):  # nor through the service
        save_staff_user(actor=administrator, user=administrator, data=data(administrator, role=Role.STAFF))


def test_nor_their_own_scope(caseworker_a, township_a, township_b):
    with pytest.raises(ValidationError, match="不能修改自己的角色"):
        wider = data(caseworker_a, townships=[township_a, township_b])
        save_staff_user(actor=caseworker_a, user=caseworker_a, data=wider)
    assert list(caseworker_a.profile.townships.all()) == [township_a]


def test_another_administrators_grant_waits_for_a_second_person(
    client, administrator, second_administrator, leader, child_a
):
    client.force_login(second_administrator)
    response = client.post(reverse("user_edit", args=[administrator.pk]), form(administrator, role=Role.STAFF))
    assert response.status_code == 302
    request = pending().get()
    assert (request.user, request.role, request.requested_by) == (administrator, Role.STAFF, second_administrator)
    created = AuditEntry.objects.get(object_type="rolerequest", action=AuditEntry.Action.CREATE)
    assert (created.actor, created.changes) == (second_administrator, {"role": ["系统管理员", "儿童福利股"]})

    client.force_login(administrator)  # still an administrator, seeing no child
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 404
    for who in (administrator, second_administrator):  # neither the user it is for nor the one who asked
        client.force_login(who)
        response = client.post(reverse("role_request_decide", args=[request.pk]), {"decision": "approve"}, follow=True)
        assert "不能审批这项申请" in response.text
        assert pending().get() == request
    client.force_login(administrator)
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 404

    client.force_login(leader)
    page = client.get(reverse("role_requests"))
    assert page.status_code == 200
    assert "administrator" in page.text and reverse("role_request_decide", args=[request.pk]) in page.text
    response = client.post(reverse("role_request_decide", args=[request.pk]), {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RoleRequest.Status.APPROVED, leader)
    decided = AuditEntry.objects.get(object_type="rolerequest", action=AuditEntry.Action.DECISION)
    assert (decided.actor, decided.object_id) == (leader, str(request.pk))
    client.force_login(administrator)
    assert client.get(reverse("children:detail", args=[child_a.pk])).status_code == 200


def test_another_administrator_may_approve_and_a_rejection_changes_nothing(
    administrator, second_administrator, leader, supervisor_a, township_a, township_b, child_b, client
):
    wider = data(supervisor_a, townships=[township_a, township_b])
    save_staff_user(actor=administrator, user=supervisor_a, data=wider)
    decide_role_request(actor=second_administrator, role_request=pending().get(), approve=False)
    client.force_login(supervisor_a)
    assert client.get(reverse("children:detail", args=[child_b.pk])).status_code == 404
    save_staff_user(actor=administrator, user=supervisor_a, data=wider)
    decide_role_request(actor=second_administrator, role_request=pending().get(), approve=True)
    assert client.get(reverse("children:detail", args=[child_b.pk])).status_code == 200
    with pytest.raises(ValidationError, match="已批准"):  # decided once
        decide_role_request(actor=leader, role_request=RoleRequest.objects.latest("pk"), approve=False)
    assert [r.status for r in RoleRequest.objects.order_by("pk")] == ["rejected", "approved"]


def test_less_access_applies_at_once(client, administrator, caseworker_a, staff, township_a, township_b, village_a2):
    supervisor = make_user("supervisor_ab", Role.SUPERVISOR, [township_a, township_b])
    save_staff_user(actor=administrator, user=supervisor, data=data(supervisor, townships=[township_a]))
    assert list(supervisor.profile.townships.all()) == [township_a]
    save_staff_user(actor=administrator, user=caseworker_a, data=data(caseworker_a, villages=[village_a2]))
    assert list(caseworker_a.profile.villages.all()) == [village_a2]
    save_staff_user(actor=administrator, user=staff, data=data(staff, is_active=False))
    assert not type(staff).objects.get(pk=staff.pk).is_active
    assert not RoleRequest.objects.exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.STAFF, Role.LEADER, Role.ADMINISTRATOR])
def test_every_grant_of_a_role_waits(administrator, leader, township_a, outsider, role):
    """The administrator role too: it holds the power to approve, so it would be a second person."""
    wanted = data(make_user("someone", Role.CASEWORKER, [township_a]), username="outsider", role=role)
    save_staff_user(actor=administrator, user=outsider, data=wanted)
    assert pending().get().role == role
    assert role_of(type(outsider).objects.get(pk=outsider.pk)) is None


def test_only_approvers_see_the_requests(client, caseworker_a, supervisor_a, staff, outsider):
    for user in (caseworker_a, supervisor_a, staff, outsider):
        client.force_login(user)
        assert client.get(reverse("role_requests")).status_code == 404


def test_a_new_installation_gives_the_leader_role_once_without_a_second_person(client, township_a, child_a):
    """The first account (createsuperuser: an administrator) creates the leader, at once and audited;
    every later grant, a second leader's included, waits for the leader."""
    first = make_user("first_admin", Role.ADMINISTRATOR)
    client.force_login(first)
    posted = {"full_name": "局长", "phone": "", "is_active": "on", "password": PASSWORD, "townships": []}
    caseworker = {**posted, "username": "caseworker", "role": Role.CASEWORKER, "townships": [township_a.pk]}
    assert client.post(reverse("user_create"), caseworker).status_code == 302
    assert client.post(reverse("user_create"), {**posted, "username": "head", "role": Role.LEADER}).status_code == 302
    head = type(first).objects.get(username="head")
    assert role_of(head) == Role.LEADER
    first_grant = AuditEntry.objects.get(action=AuditEntry.Action.DECISION, object_id=str(head.pk))
    assert first_grant.actor == first and "首次设置局领导" in first_grant.summary
    assert client.post(reverse("user_create"), {**posted, "username": "deputy", "role": Role.LEADER}).status_code == 302
    assert role_of(type(first).objects.get(username="deputy")) is None
    assert sorted(pending().values_list("user__username", flat=True)) == ["caseworker", "deputy"]

    client.force_login(head)  # the leader approves the caseworker the administrator asked for
    caseworker_request = pending().get(user__username="caseworker")
    client.post(reverse("role_request_decide", args=[caseworker_request.pk]), {"decision": "approve"})
    assert role_of(type(first).objects.get(username="caseworker")) == Role.CASEWORKER
