"""A year of monthly batches over a population with events, checked against the test's own simple arithmetic.

The expected amount of every (child, programme, month) is worked out here from the events alone —
months from the start month through the month of the ending event, at the standard in force — and
compared with what the batches paid in total, to the fen. The property test then lets Hypothesis
pick the events and checks that no month is ever paid for a child who did not qualify in it.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from children.models import Child, Classification, ParentSituation
from children.services import close_child, end_classification, record_parent_situation, update_child
from children.tasks import end_classifications_past_age_limit
from subsidies.endings import end_enrolments_past_age_limit
from subsidies.models import Enrolment, Line
from subsidies.months import add_months, months_between
from subsidies.services import (
    ReviewOutcome,
    apply_enrolment,
    check_enrolment,
    confirm_enrolment,
    review_suspension,
)

from .test_rules import Bureau

pytestmark = pytest.mark.django_db

YEAR = [datetime.date(2026, m, 1) for m in range(1, 13)]


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False)


def first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def enrol(bureau, child, code, *, confirmed_on, graduation=None):
    enrolment = apply_enrolment(
        actor=bureau.caseworker,
        child=child,
        programme=bureau.programmes[code],
        applied_on=confirmed_on,
        school_name="定州中学" if graduation else "",
        expected_graduation=graduation,
    )
    check_enrolment(actor=bureau.supervisor, enrolment=enrolment)
    return confirm_enrolment(actor=bureau.staff, enrolment=enrolment, confirmed_on=confirmed_on)


def nightly():
    end_classifications_past_age_limit()
    end_enrolments_past_age_limit()


def paid_by_month(enrolment) -> dict[datetime.date, Decimal]:
    rows = Line.objects.filter(enrolment=enrolment).values("period").annotate(total=Sum("amount"))
    return {r["period"]: r["total"] for r in rows if r["total"]}


@pytest.fixture
def world(caseworker_a, supervisor_a, staff, leader, township_a, village_a, programmes):
    return Bureau(caseworker_a, supervisor_a, staff, leader, township_a, village_a, programmes)


def test_a_year_of_batches_matches_the_arithmetic(world, township_b, village_b):
    standard = {m: Decimal("1000.00") for m in YEAR}
    with at(D("2025-12-10")):
        dies = world.child()
        adult = world.child(birth_date=D("2008-05-20"))  # 18 on 20 May, no school
        pupil = world.child(birth_date=D("2008-03-09"))  # 18 on 9 March, at school until July 2026
        adopted = world.child()
        parent_back = world.child()
        mover = world.child()
        children = {"dies": dies, "adult": adult, "pupil": pupil, "adopted": adopted}
        children |= {"parent_back": parent_back, "mover": mover}
        enrolments = {
            name: enrol(world, child, "orphan_scattered", confirmed_on=D("2025-12-10"))
            for name, child in children.items()
            if name != "pupil"
        }
        world.set_rule("orphan_scattered", extends_in_school=True)
        enrolments["pupil"] = enrol(
            world, pupil, "orphan_scattered", confirmed_on=D("2025-12-10"), graduation=D("2026-07-10")
        )
        late = world.child()
        children["late"] = late
    # Expected months per child: (first month, last month) from the events below.
    expected = {
        "dies": (YEAR[0], D("2026-04-01")),  # died 12 April: April is the last month
        "adult": (YEAR[0], D("2026-05-01")),  # 18 on 20 May: May is the last month
        "pupil": (YEAR[0], D("2026-07-01")),  # graduates 10 July: July is the last month
        "adopted": (YEAR[0], D("2026-08-01")),  # adoption registered 3 August
        "parent_back": (YEAR[0], D("2026-06-01")),  # a parent back on 15 June: suspended, the review ends it
        "mover": (YEAR[0], YEAR[-1]),  # moves to another township in March and is paid all year
        "late": (D("2026-03-01"), YEAR[-1]),  # applied in February, confirmed in May: arrears from March
    }
    for month in YEAR:
        day5 = month.replace(day=5)
        with at(day5):
            nightly()
            if month == D("2026-05-01"):
                enrolments["late"] = enrol(world, late, "orphan_scattered", confirmed_on=D("2026-02-20"))
            if month == D("2026-09-01"):  # the standard raised from July, published in September
                world.standard("orphan_scattered", "2026-07", "1100")
                for m in YEAR[6:]:
                    standard[m] = Decimal("1100.00")
            world.approve(world.compute(f"{month:%Y-%m}"))
        for day, event in EVENTS.get(month.month, []):
            with at(month.replace(day=day)):
                event(world, children, enrolments)
                nightly()

    for name, (start, last) in expected.items():
        want = {m: standard[m] for m in months_between(start, last)}
        assert paid_by_month(enrolments[name]) == want, name
    enrolments["adopted"].refresh_from_db()
    assert enrolments["adopted"].end_reason == Enrolment.EndReason.ADOPTED
    assert set(Line.objects.filter(child=mover, period__gte=D("2026-04-01")).values_list("township_id", flat=True)) == {
        township_b.pk
    }


def _died(world, children, enrolments):
    close_child(actor=world.staff, child=children["dies"], reason=Child.ClosedReason.DIED, closed_on=D("2026-04-12"))


def _moved(world, children, enrolments):
    child = children["mover"]
    village = child.township.villages.model.objects.exclude(township=child.township).first()
    update_child(actor=world.staff, child=child, data={"township": village.township, "village": village})


def _parent_back(world, children, enrolments):
    record_parent_situation(
        actor=world.caseworker,
        child=children["parent_back"],
        data={"parent": "father", "situation": ParentSituation.Situation.ALIVE_ABLE, "start_date": D("2026-06-15")},
    )


def _review_ends(world, children, enrolments):
    review_suspension(
        actor=world.supervisor, enrolment=enrolments["parent_back"], outcome=ReviewOutcome.END, note="父亲已返回"
    )


def _adopted(world, children, enrolments):
    # What register_adoption does to the file (adoption/services.py): closed with the reason 'adopted'.
    close_child(
        actor=world.staff, child=children["adopted"], reason=Child.ClosedReason.ADOPTED, closed_on=D("2026-08-03")
    )


EVENTS = {
    3: [(15, _moved)],
    4: [(20, _died)],
    6: [(20, _parent_back)],
    7: [(20, _review_ends)],
    8: [(3, _adopted)],
}


# -------------------------------------------------------------------------------------------------
# Property: whatever the events, no month is paid (net of deductions) for a child who did not qualify.

events = st.fixed_dictionaries(
    {
        "birth": st.dates(datetime.date(2008, 5, 1), datetime.date(2015, 1, 1)),
        "ends_on": st.none() | st.dates(datetime.date(2026, 1, 2), datetime.date(2026, 6, 28)),
        "reported_late_by": st.integers(0, 2),  # months between the ending and the clerk recording it
        "closes_on": st.none() | st.dates(datetime.date(2026, 1, 2), datetime.date(2026, 6, 28)),
        "confirmed_on": st.dates(datetime.date(2025, 11, 1), datetime.date(2026, 4, 28)),
    }
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(e=events)
# Found by Hypothesis: the 18th birthday ends the category and the enrolment in May, before a clerk
# records (late) that the category ended in March; nothing is left to end, so May is paid.
@example(
    e={
        "birth": datetime.date(2008, 5, 1),
        "ends_on": datetime.date(2026, 3, 1),
        "reported_late_by": 2,
        "closes_on": None,
        "confirmed_on": datetime.date(2025, 11, 1),
    }
)
def test_no_month_is_paid_for_a_child_who_did_not_qualify(world, e):
    months = [datetime.date(2026, m, 1) for m in range(1, 8)]
    with transaction.atomic():
        with at(e["confirmed_on"]):
            child = world.child(birth_date=e["birth"])
            enrolment = enrol(world, child, "orphan_scattered", confirmed_on=e["confirmed_on"])
        pending = []
        if e["ends_on"] and e["ends_on"] >= e["confirmed_on"]:
            pending.append((add_months(first(e["ends_on"]), e["reported_late_by"]), "end", e["ends_on"]))
        if e["closes_on"] and e["closes_on"] >= e["confirmed_on"]:
            pending.append((first(e["closes_on"]), "close", e["closes_on"]))
        # Recorded at the latest in the month before the last batch, so that batch settles it.
        pending = [p for p in pending if p[0] <= months[-2]]
        recorded = []  # the endings the clerk could record (a category already ended at 18 cannot end again)
        for month in months:
            with at(max(month.replace(day=5), e["confirmed_on"])):
                nightly()
                world.approve(world.compute(f"{month:%Y-%m}"))
            for when, what, day in pending:
                if when != month:
                    continue
                with at(max(month.replace(day=28), day)):
                    child.refresh_from_db()
                    if what == "close" and child.status == Child.Status.ACTIVE:
                        close_child(actor=world.staff, child=child, reason=Child.ClosedReason.DIED, closed_on=day)
                        recorded.append(day)
                    held = child.classifications.filter(end_date__isnull=True).first()
                    if what == "end" and held:
                        end_classification(
                            actor=world.staff,
                            classification=held,
                            end_date=day,
                            reason=Classification.EndReason.SITUATION_CHANGED,
                        )
                        recorded.append(day)
        # The independent rule: paid from the start month through the month of the first ending event.
        start = add_months(first(e["confirmed_on"]), 1)
        endings = [child.birthday(18), *recorded]
        last = first(min(endings))
        paid = paid_by_month(enrolment)
        for month in months:
            qualified = start <= month <= last
            assert paid.get(month, Decimal(0)) == (Decimal("1000.00") if qualified else Decimal(0)), (month, e)
        assert all(start <= m <= last for m in paid), (paid, e)
        transaction.set_rollback(True)
    # Each example starts from an empty month table: nothing of this one is left.
    assert not Line.objects.exists()
