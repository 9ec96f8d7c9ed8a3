"""children/endings.py: the apps above children act on a closing inside the same transaction."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from children import endings
from children.models import Child, Classification, ClassificationKind, ParentSituation
from children.services import add_classification, close_child, end_classification, record_parent_situation

DAY = datetime.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def at_today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def registered():
    added = []

    def register(event, handler):
        event(handler)
        added.append(handler)
        return handler

    yield register
    for handler in added:
        endings.forget(handler)


@pytest.fixture
def left_behind_child(child_a, staff):
    for parent in (ParentSituation.Parent.FATHER, ParentSituation.Parent.MOTHER):
        record_parent_situation(
            actor=staff,
            child=child_a,
            data={"parent": parent, "situation": ParentSituation.Situation.WORKING_AWAY, "start_date": DAY},
        )
    add_classification(actor=staff, child=child_a, kind=ClassificationKind.LEFT_BEHIND, start_date=DAY)
    return child_a


def test_a_closing_calls_the_handlers_then_ends_each_category(left_behind_child, staff, registered):
    calls = []
    registered(endings.on_file_closed, lambda **kwargs: calls.append(("closed", kwargs)))
    registered(
        endings.on_classification_ended,
        lambda *, actor, classification, event_day: calls.append(("ended", classification.kind, event_day)),
    )

    close_child(actor=staff, child=left_behind_child, reason=Child.ClosedReason.MOVED_AWAY, closed_on=DAY)

    assert calls[0] == (
        "closed",
        {"actor": staff, "child": calls[0][1]["child"], "reason": "moved_away", "event_day": DAY},
    )
    assert calls[0][1]["child"].pk == left_behind_child.pk
    assert calls[1] == ("ended", ClassificationKind.LEFT_BEHIND, DAY)


def test_a_failing_handler_rolls_the_closing_back(left_behind_child, staff, registered):
    def refuse(**kwargs):
        raise ValidationError("发放尚未结清")

    registered(endings.on_classification_ended, refuse)

    with pytest.raises(ValidationError, match="发放尚未结清"):
        close_child(actor=staff, child=left_behind_child, reason=Child.ClosedReason.MOVED_AWAY, closed_on=DAY)

    left_behind_child.refresh_from_db()
    assert left_behind_child.status == Child.Status.ACTIVE
    assert Classification.objects.get(child=left_behind_child).end_date is None
    assert not left_behind_child.audit_entries.filter(summary__startswith="销档").exists()


def test_a_failing_handler_rolls_an_ended_category_back(left_behind_child, staff, registered):
    def refuse(**kwargs):
        raise ValidationError("不能终止")

    registered(endings.on_classification_ended, refuse)
    entry = Classification.objects.get(child=left_behind_child)

    with pytest.raises(ValidationError):
        end_classification(actor=staff, classification=entry, end_date=DAY, reason=Classification.EndReason.OTHER)

    entry.refresh_from_db()
    assert entry.end_date is None


def test_registering_twice_calls_once(left_behind_child, staff, registered):
    calls = []

    def count(**kwargs):
        calls.append(kwargs["child"].pk)

    registered(endings.on_file_closed, count)
    registered(endings.on_file_closed, count)
    close_child(actor=staff, child=left_behind_child, reason=Child.ClosedReason.MOVED_AWAY, closed_on=DAY)
    assert calls == [left_behind_child.pk]


def test_subsidies_stops_payments_through_the_file_closed_handler():
    from subsidies.services import end_payments_on_closing

    assert end_payments_on_closing in endings._handlers.file_closed
