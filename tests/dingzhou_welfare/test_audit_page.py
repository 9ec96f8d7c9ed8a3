"""The audit page: staff and leaders read the whole trail, filtered by user, action, record and day."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from children.services import record_reveal
from dingzhou_welfare.audit import log_action
from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user
from subsidies.disbursement import approve_batch, compute_month
from subsidies.exports import record_export
from subsidies.models import Programme
from subsidies.services import set_standard
from tests.factories import PASSWORD, ensure_reference_data

URL = reverse("audit_list")
D = datetime.date.fromisoformat


def rows(response) -> list[AuditEntry]:
    return list(response.context["page"])


@pytest.mark.parametrize("who", ["staff", "leader"])
def test_staff_and_leaders_read_the_trail(client, request, who, child_a):
    user = request.getfixturevalue(who)
    record_reveal(actor=user, child=child_a, what="身份证号")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "查看完整信息：身份证号" in response.content.decode()
    assert 'href="/audit/"' in response.content.decode()  # in the menu


@pytest.mark.parametrize("who", ["caseworker_a", "supervisor_a", "administrator", "outsider"])
def test_other_roles_get_not_found(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_signed_out_is_sent_to_login(client, db):
    assert client.get(URL).url.startswith(reverse("login"))


def test_exports_reveals_approvals_standards_users_and_roles_are_on_it(client, staff, leader, child_a):
    """Each kind of decision the issue names, made through its real service, shows on the page."""
    ensure_reference_data()
    programme = Programme.objects.get(code="orphan_scattered")
    with time_machine.travel(D("2026-03-10")):
        record_reveal(actor=staff, child=child_a, what="身份证号")
        set_standard(actor=staff, programme=programme, effective_month=D("2026-03-01"), amount=Decimal("1500"))
        batch = approve_batch(batch=compute_month(month=D("2026-03-01"), actor=staff), actor=leader)
        record_export(actor=staff, batch=batch, kind="roster", fmt="xlsx", masked=False, rows=0)
        user = save_staff_user(
            actor=staff,
            data={
                "username": "newbie",
                "full_name": "新人",
                "role": Role.CASEWORKER,
                "password": PASSWORD,
                "townships": [child_a.township],
                "is_active": True,
            },
        )
        save_staff_user(
            actor=staff,
            data={
                "username": "newbie",
                "full_name": "新人",
                "role": Role.SUPERVISOR,
                "townships": [child_a.township],
                "is_active": True,
            },
            user=user,
        )
    client.force_login(leader)
    page = client.get(URL).content.decode()
    for text in ("查看完整信息：身份证号", "月标准", "儿童督导员", "用户 newbie"):
        assert text in page, text
    actions = {e.action for e in rows(client.get(URL, {"actor": leader.pk}))}
    assert AuditEntry.Action.DECISION in actions  # the approval
    exports = rows(client.get(URL, {"action": AuditEntry.Action.EXPORT}))
    assert [e.object_id for e in exports] == [str(batch.pk)]


def test_filters_by_user_action_record_and_day(client, staff, leader, child_a, child_b):
    with time_machine.travel(
        datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        early = log_action(actor=staff, action=AuditEntry.Action.REVEAL, obj=child_a, child=child_a, summary="早")
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 0, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        late = log_action(actor=leader, action=AuditEntry.Action.EXPORT, obj=child_b, child=child_b, summary="晚")
    client.force_login(staff)

    def found(**query):
        return {e.pk for e in rows(client.get(URL, query))} & {early.pk, late.pk}

    assert found() == {early.pk, late.pk}
    assert found(actor=staff.pk) == {early.pk}
    assert found(action="export") == {late.pk}
    assert found(object_type="child", object_id=str(child_a.pk)) == {early.pk}
    # Days are Beijing days: 23:30 on 1 March and 00:30 on 2 March fall on different days.
    assert found(since="2026-03-02") == {late.pk}
    assert found(until="2026-03-01") == {early.pk}
    assert found(since="2026-03-01", until="2026-03-01") == {early.pk}


def test_a_bad_date_is_refused_in_chinese(client, staff):
    client.force_login(staff)
    response = client.get(URL, {"since": "2026-13-01"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in response.content.decode()


def test_one_page_costs_a_fixed_number_of_queries(client, staff, child_a, django_assert_num_queries):
    for n in range(60):
        log_action(actor=staff, action=AuditEntry.Action.REVEAL, obj=child_a, child=child_a, summary=str(n))
    client.force_login(staff)
    client.get(URL)
    # session, user with profile, the count, the page's rows with their users
    with django_assert_num_queries(4):
        response = client.get(URL, {"action": "reveal"})
    assert len(rows(response)) == 50
