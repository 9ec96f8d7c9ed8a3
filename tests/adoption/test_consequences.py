"""Registration ends the orphan classification and payments from the following month, and closes the file."""

import datetime

import pytest

from adoption import services
from children.models import Child, Classification, ClassificationKind
from dingzhou_welfare.models import AuditEntry
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Enrolment, Line, Programme
from tests.subsidies.conftest import enrol, make_orphan

from .conftest import make_case

D = datetime.date.fromisoformat


@pytest.fixture
def orphan(township_a, staff, caseworker_a, supervisor_a, leader):
    from tests.factories import ChildFactory

    child = make_orphan(
        ChildFactory(township=township_a, name="孙小雨", birth_date=D("2020-02-02")),
        caseworker_a,
        since=D("2024-01-01"),
        kind=ClassificationKind.ORPHAN_INSTITUTIONAL,
    )
    enrol(
        child,
        Programme.objects.get(code="orphan_institutional"),
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=D("2024-01-10"),
        confirmed_on=D("2024-01-20"),
    )
    return child


def test_registration_stops_payment_from_the_next_month(time_machine, orphan, staff, leader):
    time_machine.move_to(datetime.datetime(2026, 6, 10, 2, tzinfo=datetime.UTC), tick=False)
    may = compute_month(month=D("2026-05-01"), actor=staff)
    approve_batch(batch=may, actor=leader)
    assert Line.objects.filter(batch=may, child=orphan, period=D("2026-05-01")).exists()

    case = make_case(staff, orphan)
    case = services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-10"))

    orphan.refresh_from_db()
    assert (orphan.status, orphan.closed_reason, orphan.closed_on) == (
        Child.Status.CLOSED,
        Child.ClosedReason.ADOPTED,
        D("2026-06-10"),
    )
    assert not Child.objects.active().filter(pk=orphan.pk).exists()
    classification = orphan.classifications.get()
    assert (classification.end_date, classification.end_reason) == (D("2026-06-10"), Classification.EndReason.ADOPTED)
    enrolment = Enrolment.objects.get(child=orphan)
    assert (enrolment.status, enrolment.end_reason, enrolment.end_month) == (
        Enrolment.Status.ENDED,
        Enrolment.EndReason.ADOPTED,
        D("2026-06-01"),
    )

    june = compute_month(month=D("2026-06-01"), actor=staff)  # the month of the adoption is still paid
    assert list(Line.objects.filter(batch=june, child=orphan).values_list("period", flat=True)) == [D("2026-06-01")]
    approve_batch(batch=june, actor=leader)
    july = compute_month(month=D("2026-07-01"), actor=staff)
    assert not Line.objects.filter(batch=july, child=orphan).exists()

    summaries = set(AuditEntry.objects.filter(child=orphan).values_list("summary", flat=True))
    assert "销档：被收养（收养登记证号 130682-2026-00001）" in summaries
    assert "终止机构养育孤儿基本生活费（被收养），发放至2026-06" in summaries
    assert "终止类别：机构集中养育孤儿（被收养）" in summaries


def test_a_closed_child_cannot_be_registered_twice_or_get_a_new_case(frozen, staff, child_a):
    services.register_adoption(actor=staff, case=make_case(staff, child_a), registered_on=D("2026-06-01"))
    with pytest.raises(Exception, match="已销档，不能办理收养"):
        make_case(staff, child_a)
