"""Due and overdue with frozen time; the nightly job set-based, idempotent, per township and caseworker."""

import datetime

import pytest

from children.models import Child
from visits.models import Rating, VisitSchedule, VisitWorkload
from visits.schedule import run_nightly
from visits.services import record_visit
from visits.tasks import nightly_schedule_task

from .support import visit_data

D = datetime.date
pytestmark = pytest.mark.usefixtures("cared_for")


def figures(day, township=None, caseworker=None):
    rows = VisitWorkload.objects.filter(day=day)
    if township is not None:
        rows = rows.filter(township=township)
    row = rows.get(caseworker=caseworker)
    return {
        "children": row.children,
        "due_soon": row.due_soon,
        "overdue": row.overdue,
        "never_visited": row.never_visited,
        "patrol": row.patrol,
        "patrol_overdue": row.patrol_overdue,
    }


@pytest.fixture
def history(time_machine, caseworker_a, caseworker_b, child_a, child_a2, child_b):
    """child_a high risk in April (due 1 May), child_a2 never visited, child_b low risk in May."""
    time_machine.move_to(datetime.datetime(2026, 4, 1, 3, tzinfo=datetime.UTC), tick=False)
    record_visit(
        actor=caseworker_a, child=child_a, data=visit_data(visited_on=D(2026, 4, 1), hygiene_rating=Rating.SERIOUS)
    )
    time_machine.move_to(datetime.datetime(2026, 5, 10, 3, tzinfo=datetime.UTC), tick=False)
    record_visit(actor=caseworker_b, child=child_b, data=visit_data(visited_on=D(2026, 5, 10)))


def test_due_and_overdue_on_a_day(
    time_machine, history, township_a, township_b, caseworker_a, caseworker_village, caseworker_b
):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False)  # 00:30 on 2 June
    result = run_nightly()
    today = D(2026, 6, 2)
    assert result.added == 1  # child_a2, never visited
    a2 = VisitSchedule.objects.get(child__name="赵小红")
    assert (a2.registered_on, a2.due_on, a2.last_visited_on) == (today, D(2026, 7, 2), None)
    assert figures(today, township_a) == {
        "children": 2, "due_soon": 0, "overdue": 1, "never_visited": 1, "patrol": 1, "patrol_overdue": 1,
    }  # fmt: skip
    assert figures(today, township_b) == {
        "children": 1, "due_soon": 0, "overdue": 0, "never_visited": 0, "patrol": 0, "patrol_overdue": 0,
    }  # fmt: skip
    # Per caseworker: the whole township, or only the villages assigned.
    assert figures(today, caseworker=caseworker_a)["children"] == 2
    assert figures(today, caseworker=caseworker_village) == {
        "children": 1, "due_soon": 0, "overdue": 1, "never_visited": 0, "patrol": 1, "patrol_overdue": 1,
    }  # fmt: skip
    assert figures(today, caseworker=caseworker_b)["children"] == 1

    # Two weeks before child_a2's first visit is due, it counts as due soon.
    time_machine.move_to(datetime.datetime(2026, 6, 20, 16, 30, tzinfo=datetime.UTC), tick=False)
    run_nightly()
    assert figures(D(2026, 6, 21), township_a)["due_soon"] == 1


def test_the_nightly_job_is_idempotent(time_machine, history):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False)
    nightly_schedule_task.delay()
    before = list(VisitSchedule.objects.order_by("child").values())
    workload = list(
        VisitWorkload.objects.order_by("township", "caseworker").values_list(
            "township", "caseworker", "children", "overdue"
        )
    )
    result = run_nightly()
    assert (result.added, result.removed, result.moved, result.redated) == (0, 0, 0, 0)
    assert list(VisitSchedule.objects.order_by("child").values()) == before
    assert (
        list(
            VisitWorkload.objects.order_by("township", "caseworker").values_list(
                "township", "caseworker", "children", "overdue"
            )
        )
        == workload
    )


def test_closed_and_moved_children(time_machine, history, child_a, child_b, township_b, village_b):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False)
    Child.objects.filter(pk=child_b.pk).update(status=Child.Status.CLOSED)
    Child.objects.filter(pk=child_a.pk).update(township=township_b, village=village_b)
    result = run_nightly()
    assert (result.removed, result.moved) == (1, 1)
    assert not VisitSchedule.objects.filter(child=child_b).exists()
    moved = VisitSchedule.objects.get(child=child_a)
    assert (moved.township, moved.village) == (township_b, village_b)


def test_schedules_are_rebuilt_from_visits_alone(time_machine, history, child_a, child_b):
    """Visits loaded in bulk (an import, the benchmark) get their schedules from the latest visit."""
    time_machine.move_to(datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False)
    VisitSchedule.objects.all().delete()
    run_nightly()
    a = VisitSchedule.objects.get(child=child_a)
    assert (a.last_visited_on, a.risk_level, a.patrol, a.patrol_source, a.due_on) == (
        D(2026, 4, 1), "high", True, "auto", D(2026, 5, 1),
    )  # fmt: skip
    b = VisitSchedule.objects.get(child=child_b)
    assert (b.last_visited_on, b.risk_level, b.patrol, b.due_on) == (D(2026, 5, 10), "low", False, D(2026, 11, 6))


def test_interval_changes_redate_at_night_too(time_machine, history, child_b):
    from visits.models import VisitInterval

    time_machine.move_to(datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False)
    VisitInterval.objects.filter(tier="low").update(days=30)  # changed in the admin, say
    result = run_nightly()
    assert (result.added, result.redated) == (1, 1)  # child_a2's new row is dated as it is added
    assert VisitSchedule.objects.get(child=child_b).due_on == D(2026, 6, 9)
