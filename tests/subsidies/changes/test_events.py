"""Change events (增员/减员) are recorded where classifications and enrolments begin and end, in the
transaction of that write (subsidies/changes/services.py through children/hooks.py and the
enrolment services)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from children import hooks
from children.models import Child, Classification
from children.services import close_child, end_classification
from subsidies.changes.models import ChangeEvent, events_for_month
from subsidies.changes.services import record_change, record_history
from subsidies.endings import end_enrolments_past_age_limit
from subsidies.models import Enrolment
from subsidies.services import end_enrolment, end_enrolment_earlier
from tests.factories import ChildFactory

from ..test_rules import bureau  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{day}T10:00:00+08:00"), tick=False)


def summary(events) -> list[tuple]:
    return sorted(
        (
            e.direction,
            e.category,
            e.programme.code if e.programme else "",
            e.national_category_code,
            str(e.effective_date),
            f"{e.month:%Y-%m}",
            e.reason_code,
        )
        for e in events
    )


def test_classification_and_enrolment_added_record_two_adds(bureau):  # noqa: F811
    with at("2026-03-10"):
        child = bureau.child()  # classified orphan_scattered from 2020-01-01
        bureau.enrol(child, "orphan_scattered", applied_on="2026-03-02", confirmed_on="2026-03-10")
    assert summary(ChangeEvent.objects.filter(child=child)) == [
        ("add", "orphan_scattered", "", "201", "2020-01-01", "2020-01", "classified"),
        ("add", "orphan_scattered", "orphan_scattered", "201", "2026-03-10", "2026-04", "enrolled"),
    ]
    event = ChangeEvent.objects.get(child=child, programme__isnull=False)
    assert event.enrolment.child == child and event.recorded_at is not None
    assert list(events_for_month(D("2026-04-15"))) == [event]


def test_closing_a_file_records_removals_of_category_and_programme(bureau):  # noqa: F811
    with at("2026-03-10"):
        child = bureau.child()
        bureau.enrol(child, "orphan_scattered", applied_on="2026-03-02", confirmed_on="2026-03-10")
    with at("2026-05-20"):
        close_child(actor=bureau.staff, child=child, reason=Child.ClosedReason.ADOPTED, closed_on=D("2026-05-18"))
    removed = ChangeEvent.objects.filter(child=child, direction="remove")
    assert summary(removed) == [
        ("remove", "orphan_scattered", "", "201", "2026-05-18", "2026-05", "adopted"),
        ("remove", "orphan_scattered", "orphan_scattered", "201", "2026-05-18", "2026-06", "adopted"),
    ]


def test_classification_ended_records_removal_with_its_reason(bureau):  # noqa: F811
    with at("2026-03-10"):
        child = bureau.child()
    with at("2026-04-03"):
        end_classification(
            actor=bureau.staff,
            classification=child.classifications.get(),
            end_date=D("2026-04-01"),
            reason=Classification.EndReason.SITUATION_CHANGED,
            note="父亲返家",
        )
    event = ChangeEvent.objects.get(child=child, direction="remove")
    assert (event.category, event.reason_code, event.effective_date) == (
        "orphan_scattered",
        "situation_changed",
        D("2026-04-01"),
    )
    assert event.reason == "父亲返家"


def test_enrolment_ended_and_moved_earlier_keeps_one_removal(bureau):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child()
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    with at("2026-05-20"):
        end_enrolment(
            actor=bureau.staff, enrolment=enrolment, reason=Enrolment.EndReason.DIED, event_day=D("2026-05-02")
        )
        first = ChangeEvent.objects.get(enrolment=enrolment, direction="remove")
        assert (first.reason_code, f"{first.month:%Y-%m}") == ("died", "2026-06")
    with at("2026-05-21"):
        end_enrolment_earlier(
            actor=bureau.staff, enrolment=enrolment, reason=Enrolment.EndReason.MOVED_AWAY, event_day=D("2026-03-05")
        )
    moved = ChangeEvent.objects.get(enrolment=enrolment, direction="remove")
    assert moved.pk == first.pk
    assert (moved.reason_code, moved.effective_date, f"{moved.month:%Y-%m}") == (
        "moved_away",
        D("2026-03-05"),
        "2026-04",
    )
    assert moved.recorded_at > first.recorded_at  # served again to "changes since"


def test_nightly_age_limit_records_turned_18(bureau):  # noqa: F811
    with at("2026-01-10"):
        child = bureau.child(birth_date=D("2008-02-14"))
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2026-01-02", confirmed_on="2026-01-10")
    with at("2026-02-20"):
        end_enrolments_past_age_limit()
    event = ChangeEvent.objects.get(enrolment=enrolment, direction="remove")
    assert (event.reason_code, event.effective_date) == ("turned_18", D("2026-02-14"))


def test_a_refused_ending_records_nothing(bureau):  # noqa: F811
    with at("2026-03-10"):
        child = bureau.child()
    before = ChangeEvent.objects.count()

    def refuse(**kwargs):
        raise ValidationError("不允许")

    hooks.register(hooks.CLASSIFICATION_ENDED, refuse)
    try:
        with at("2026-04-03"), pytest.raises(ValidationError):
            end_classification(
                actor=bureau.staff,
                classification=child.classifications.get(),
                end_date=D("2026-04-01"),
                reason=Classification.EndReason.SITUATION_CHANGED,
            )
    finally:
        hooks._handlers[hooks.CLASSIFICATION_ENDED].remove(refuse)
    assert ChangeEvent.objects.count() == before


def test_record_change_without_source_and_bad_direction(township_a, village_a):
    child = ChildFactory(township=township_a, village=village_a)
    event = record_change(
        child=child, direction="add", effective_date=D("2026-02-17"), reason_code="other", reason="手工补录"
    )
    assert event.month == D("2026-02-01")
    with pytest.raises(ValueError):
        record_change(child=child, direction="sideways", effective_date=D("2026-02-17"), reason_code="other")


def test_record_history_is_idempotent(bureau):  # noqa: F811
    with at("2026-03-10"):
        child = bureau.child()
        bureau.enrol(child, "orphan_scattered", applied_on="2026-03-02", confirmed_on="2026-03-10")
    ChangeEvent.objects.filter(child=child, programme__isnull=False).delete()
    assert record_history(child_ids=[child.pk]) == 1
    assert record_history(child_ids=[child.pk]) == 0
    assert ChangeEvent.objects.filter(child=child).count() == 2
