import datetime

import pytest
import time_machine
from django.urls import reverse

from children.models import Child, Classification, ClassificationKind, ParentSituation
from children.services import add_classification, close_child, record_parent_situation
from dingzhou_welfare.confirm import confirm_token
from dingzhou_welfare.models import AuditEntry

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.date(2026, 11, 28))
def test_closing_ends_open_classifications_with_the_same_reason(client, staff, child_a):
    for parent in ("father", "mother"):
        record_parent_situation(
            actor=staff,
            child=child_a,
            data={
                "parent": parent,
                "situation": ParentSituation.Situation.DEAD,
                "start_date": datetime.date(2020, 1, 1),
            },
        )
    add_classification(
        actor=staff, child=child_a, kind=ClassificationKind.ORPHAN_SCATTERED, start_date=datetime.date(2021, 1, 1)
    )
    client.force_login(staff)

    response = client.post(
        reverse("children:close", args=[child_a.pk]),
        {
            "reason": Child.ClosedReason.ADOPTED,
            "closed_on": "2026-11-20",
            "note": "收养登记",
            "confirm": confirm_token(staff, "close_child", child_a.pk),
        },
    )

    assert response.status_code == 302
    child_a.refresh_from_db()
    assert child_a.status == Child.Status.CLOSED
    entry = Classification.objects.get(child=child_a)
    assert (entry.end_date, entry.end_reason) == (datetime.date(2026, 11, 20), Classification.EndReason.ADOPTED)
    assert AuditEntry.objects.filter(
        child=child_a, action=AuditEntry.Action.DECISION, summary__startswith="销档"
    ).exists()


@time_machine.travel(datetime.date(2026, 11, 28))
def test_closing_in_the_future_is_refused_and_changes_nothing(client, staff, child_a):
    client.force_login(staff)
    response = client.post(
        reverse("children:close", args=[child_a.pk]),
        {
            "reason": Child.ClosedReason.DIED,
            "closed_on": "2026-12-01",
            "confirm": confirm_token(staff, "close_child", child_a.pk),
        },
    )
    assert response.status_code == 400
    assert "销档日期不能晚于今天" in response.content.decode()
    child_a.refresh_from_db()
    assert child_a.status == Child.Status.ACTIVE


def test_closing_twice_is_refused(staff, child_a):
    close_child(actor=staff, child=child_a, reason=Child.ClosedReason.MOVED_AWAY, closed_on=datetime.date(2025, 1, 1))
    with pytest.raises(Exception, match="已于"):
        close_child(actor=staff, child=child_a, reason=Child.ClosedReason.DIED, closed_on=datetime.date(2025, 2, 1))


@time_machine.travel(datetime.date(2026, 11, 28))
def test_closing_stops_payments_and_refuses_pending_applications(staff, supervisor_a, child_a):
    from dingzhou_welfare.models import Role
    from subsidies.models import Enrolment, Programme
    from subsidies.services import apply_enrolment
    from tests.factories import make_user
    from tests.subsidies.conftest import enrol, make_orphan

    staff2 = make_user("staff2", Role.STAFF)
    make_orphan(child_a, staff)
    paying = enrol(
        child_a,
        Programme.objects.get(code="orphan_scattered"),
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=datetime.date(2026, 6, 1),
        confirmed_on=datetime.date(2026, 6, 10),
    )
    pending = apply_enrolment(
        actor=staff,
        child=child_a,
        programme=Programme.objects.get(code="rural_dibao"),
        applied_on=datetime.date(2026, 11, 1),
    )

    close_child(actor=staff, child=child_a, reason=Child.ClosedReason.ADOPTED, closed_on=datetime.date(2026, 10, 15))

    paying.refresh_from_db()
    pending.refresh_from_db()
    assert (paying.status, paying.end_reason, paying.end_month) == (
        Enrolment.Status.ENDED,
        Enrolment.EndReason.ADOPTED,
        datetime.date(2026, 10, 1),
    )
    assert (pending.status, pending.refusal_reason) == (Enrolment.Status.REFUSED, "儿童已销档")
