"""Every ending in the registry reaches the enrolments (subsidies/endings.py through children/hooks.py).

Each case builds its world with the real services, makes the ending happen where a clerk or the
nightly job would, and checks the enrolment's status, reason, last paid month and audit entry,
then what the batches pay.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from children import hooks
from children.models import Child, Classification, ParentSituation
from children.services import close_child, end_classification, record_parent_situation
from children.tasks import end_classifications_past_age_limit
from dingzhou_welfare.models import AuditEntry
from subsidies.endings import end_enrolments_past_age_limit
from subsidies.models import Enrolment
from subsidies.services import ReviewOutcome, review_suspension
from subsidies.summaries import month_changes

from .test_rules import bureau, months, normal_months  # noqa: F401 - the fixture and helpers

pytestmark = pytest.mark.django_db


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


def test_hooks_refuse_unknown_events_and_register_once():
    with pytest.raises(ValueError):
        hooks.register("no_such_event", print)
    from subsidies.endings import end_for_closing

    hooks.register(hooks.CHILD_CLOSED, end_for_closing)
    assert hooks._handlers[hooks.CHILD_CLOSED].count(end_for_closing) == 1


def test_classification_ended_ends_its_enrolment_with_reason_and_audit(bureau):  # noqa: F811
    with at("2025-10-10"):
        child = bureau.child()
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2025-10-01", confirmed_on="2025-10-10")
    with at("2025-12-22"):
        bureau.run("2025-11", "2025-12")
        end_classification(
            actor=bureau.staff,
            classification=child.classifications.get(),
            end_date=D("2025-12-21"),
            reason=Classification.EndReason.SITUATION_CHANGED,
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED
    assert enrolment.end_reason == Enrolment.EndReason.SITUATION_CHANGED
    assert enrolment.end_month == D("2025-12-01")
    assert "社会散居孤儿" in enrolment.end_note
    entry = AuditEntry.objects.get(object_type="enrolment", object_id=str(enrolment.pk), summary__startswith="终止")
    assert "2025-12" in entry.summary and entry.actor == bureau.staff
    with at("2026-01-10"):
        bureau.run("2026-01")
        changes = month_changes(Enrolment.objects.all(), D("2026-01-01"))
    assert normal_months(enrolment) == months("2025-11", "2025-12")
    assert [e.pk for e in changes.removed.rows] == [enrolment.pk]


def test_closing_the_file_on_death_ends_payments_and_refuses_pending(bureau):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child()
        orphan = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
        bureau.standard("rural_dibao", "2026-01", "400")
        from subsidies.services import apply_enrolment

        pending = apply_enrolment(
            actor=bureau.caseworker, child=child, programme=bureau.programmes["rural_dibao"], applied_on=D("2026-01-05")
        )
    with at("2026-03-03"):
        bureau.run("2026-02", "2026-03")
        close_child(actor=bureau.staff, child=child, reason=Child.ClosedReason.DIED, closed_on=D("2026-03-02"))
    orphan.refresh_from_db()
    pending.refresh_from_db()
    assert (orphan.status, orphan.end_reason, orphan.end_month) == ("ended", "died", D("2026-03-01"))
    assert pending.status == Enrolment.Status.REFUSED
    with at("2026-04-05"):
        bureau.run("2026-04")
    assert normal_months(orphan) == months("2026-02", "2026-03")


def test_a_failing_handler_rolls_the_closing_back(bureau, monkeypatch):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child()
        bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")

        def refuse(**kwargs):
            raise ValidationError("不能销档")

        monkeypatch.setitem(hooks._handlers, hooks.CHILD_CLOSED, [*hooks._handlers[hooks.CHILD_CLOSED], refuse])
        with pytest.raises(ValidationError):
            close_child(actor=bureau.staff, child=child, reason=Child.ClosedReason.DIED, closed_on=D("2026-01-09"))
    child.refresh_from_db()
    assert child.status == Child.Status.ACTIVE
    assert Enrolment.objects.get(child=child).status == Enrolment.Status.CONFIRMED


@pytest.mark.parametrize(
    ("graduation", "extends", "last_paid", "reason"),
    [
        pytest.param(None, True, "2026-06", "turned_18", id="no school: stops after the birthday month"),
        pytest.param("2027-06-30", False, "2026-06", "turned_18", id="school, programme without extension"),
        pytest.param("2027-06-30", True, "2027-06", "graduated", id="school: paid to the graduation month"),
    ],
)
def test_18th_birthday_from_the_nightly_jobs(bureau, graduation, extends, last_paid, reason):  # noqa: F811
    bureau.set_rule("orphan_scattered", extends_in_school=extends)
    with at("2026-03-10"):
        child = bureau.child(birth_date=D("2008-06-15"))
        from subsidies.services import apply_enrolment, check_enrolment, confirm_enrolment

        enrolment = apply_enrolment(
            actor=bureau.caseworker,
            child=child,
            programme=bureau.programmes["orphan_scattered"],
            applied_on=D("2026-03-01"),
            school_name="定州市第一中学" if graduation else "",
            expected_graduation=D(graduation) if graduation else None,
        )
        check_enrolment(actor=bureau.supervisor, enrolment=enrolment)
        confirm_enrolment(actor=bureau.staff, enrolment=enrolment, confirmed_on=D("2026-03-10"))
    for day in ("2026-06-15", "2026-06-16", "2027-06-30", "2027-07-01", "2027-07-02"):
        with at(day):
            end_classifications_past_age_limit()
            end_enrolments_past_age_limit()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED
    assert (enrolment.end_reason, enrolment.end_month) == (reason, D(f"{last_paid}-01"))
    with at("2027-08-05"):
        bureau.run(*months("2026-04", "2027-08"))
    assert normal_months(enrolment) == months("2026-04", last_paid)
    assert not enrolment.lines.exclude(kind="normal").exists()


def test_parent_back_suspends_then_review_resumes_with_arrears(bureau):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child()  # an orphan: both parents recorded dead in 2020
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    with at("2026-03-20"):
        bureau.run("2026-02", "2026-03")
        record_parent_situation(
            actor=bureau.caseworker,
            child=child,
            data={"parent": "father", "situation": ParentSituation.Situation.ALIVE_ABLE, "start_date": D("2026-03-18")},
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SUSPENDED
    assert enrolment.suspended_from == D("2026-04-01")
    assert "父亲" in enrolment.suspension_reason
    with at("2026-05-05"):
        bureau.run("2026-04", "2026-05")
        assert normal_months(enrolment) == months("2026-02", "2026-03")
        with pytest.raises(ValidationError):
            review_suspension(actor=bureau.supervisor, enrolment=enrolment, outcome=ReviewOutcome.RESUME, note=" ")
        review_suspension(
            actor=bureau.supervisor, enrolment=enrolment, outcome=ReviewOutcome.RESUME, note="登记有误，父亲仍服刑"
        )
    with at("2026-06-05"):
        june = bureau.run("2026-06")[0]
    kinds = sorted((line.period.isoformat()[:7], line.kind) for line in june.lines.all())
    assert kinds == [("2026-04", "arrears"), ("2026-05", "arrears"), ("2026-06", "normal")]


def test_review_ends_a_suspended_enrolment_from_the_month_after_the_change(bureau):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child()
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    with at("2026-03-20"):
        bureau.run("2026-02", "2026-03")
        record_parent_situation(
            actor=bureau.caseworker,
            child=child,
            data={"parent": "mother", "situation": ParentSituation.Situation.ALIVE_ABLE, "start_date": D("2026-03-18")},
        )
        review_suspension(actor=bureau.staff, enrolment=enrolment, outcome=ReviewOutcome.END, note="母亲已返回")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason, enrolment.end_month) == ("ended", "review", D("2026-03-01"))
    assert enrolment.suspended_from is None
    with at("2026-04-05"):
        assert not bureau.run("2026-04")[0].lines.exists()


def test_a_death_recorded_after_the_18th_birthday_ended_payment_moves_the_end_back(bureau):  # noqa: F811
    """The birthday ended the enrolment with June paid; the death in April, recorded in July, moves
    the last paid month back to April, audited, and the next batch deducts May and June."""
    with at("2026-03-10"):
        child = bureau.child(birth_date=D("2008-06-15"))
        orphan = bureau.enrol(child, "orphan_scattered", applied_on="2026-03-01", confirmed_on="2026-03-10")
    with at("2026-06-16"):
        bureau.run(*months("2026-04", "2026-06"))
        end_classifications_past_age_limit()
        end_enrolments_past_age_limit()
    orphan.refresh_from_db()
    assert (orphan.status, orphan.end_month) == ("ended", D("2026-06-01"))
    with at("2026-07-03"):
        close_child(actor=bureau.staff, child=child, reason=Child.ClosedReason.DIED, closed_on=D("2026-04-20"))
    orphan.refresh_from_db()
    assert (orphan.end_reason, orphan.end_month, orphan.needs_reconcile) == ("died", D("2026-04-01"), True)
    assert AuditEntry.objects.filter(object_id=str(orphan.pk), summary__contains="提前至2026-04").exists()
    with at("2026-07-05"):
        bureau.run("2026-07")
    net = {}
    for line in orphan.lines.all():
        net[line.period] = net.get(line.period, 0) + line.amount
    assert {m: a for m, a in net.items() if a} == {D("2026-04-01"): 1000}
