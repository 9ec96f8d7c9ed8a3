"""The one eligibility function (subsidies.eligibility) as a table of cases, then the engine using it.

The table runs on unsaved programmes and plain facts: the rule is data, the function is pure.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine

from children.services import end_classification
from subsidies.eligibility import Facts, Held, day_window, month_window, qualification_problems, qualifies_in
from subsidies.models import Enrolment, Programme
from subsidies.months import parse_month

from .test_rules import bureau, months, normal_months  # noqa: F401 - the fixture and helpers


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


AFTER = Programme.StopRule.MONTH_AFTER_EVENT
OF = Programme.StopRule.MONTH_OF_EVENT


def programme(**rule) -> Programme:
    base = {"name": "测试项目", "eligible_kinds": ["orphan_scattered"], "age_limit": 18, "stop_rule": AFTER}
    return Programme(**{**base, **rule})


def facts(**values) -> Facts:
    base = {"birth_date": D("2010-06-15"), "held": (Held("orphan_scattered", D("2020-01-01")),)}
    return Facts(**{**base, **values})


ENDED_21_DEC = (Held("orphan_scattered", D("2020-01-01"), D("2025-12-21")),)
AGED_OUT = (Held("orphan_scattered", D("2020-01-01"), D("2026-06-15")),)  # ended by the nightly job at 18
BORN_2008 = D("2008-06-15")


@pytest.mark.parametrize(
    ("rule", "child", "month", "qualifies"),
    [
        pytest.param({}, {}, "2026-01", True, id="held, young"),
        pytest.param({}, {"held": ()}, "2026-01", False, id="no classification"),
        pytest.param({}, {"held": (Held("de_facto_scattered", D("2020-01-01")),)}, "2026-01", False, id="other kind"),
        pytest.param({"eligible_kinds": []}, {"held": ()}, "2026-01", True, id="programme needs no kind"),
        pytest.param({}, {"held": ENDED_21_DEC}, "2025-12", True, id="ended 21 Dec: Dec paid"),
        pytest.param({}, {"held": ENDED_21_DEC}, "2026-01", False, id="ended 21 Dec: Jan stops"),
        pytest.param({"stop_rule": OF}, {"held": ENDED_21_DEC}, "2025-12", False, id="stop in month: Dec stops"),
        pytest.param({"stop_rule": OF}, {"held": ENDED_21_DEC}, "2025-11", True, id="stop in month: Nov paid"),
        pytest.param({}, {"held": (Held("orphan_scattered", D("2026-03-31")),)}, "2026-03", True, id="began on 31st"),
        pytest.param({}, {"held": (Held("orphan_scattered", D("2026-04-01")),)}, "2026-03", False, id="not yet"),
        pytest.param({}, {"birth_date": BORN_2008, "held": AGED_OUT}, "2026-06", True, id="18 in June: June paid"),
        pytest.param({}, {"birth_date": BORN_2008, "held": AGED_OUT}, "2026-07", False, id="18 in June: July stops"),
        pytest.param(
            {"extends_in_school": True},
            {"birth_date": BORN_2008, "held": AGED_OUT, "expected_graduation": D("2027-06-30")},
            "2027-06",
            True,
            id="in school: paid to graduation month",
        ),
        pytest.param(
            {"extends_in_school": True},
            {"birth_date": BORN_2008, "held": AGED_OUT, "expected_graduation": D("2027-06-30")},
            "2027-07",
            False,
            id="in school: stops after graduation",
        ),
        pytest.param(
            {},
            {"birth_date": BORN_2008, "held": AGED_OUT, "expected_graduation": D("2027-06-30")},
            "2026-07",
            False,
            id="school recorded, programme without extension",
        ),
        pytest.param(
            {"extends_in_school": True},
            {"birth_date": BORN_2008, "held": (Held("orphan_scattered", D("2020-01-01"), D("2026-03-02")),)},
            "2026-05",
            False,
            id="extension does not revive a category ended before 18",
        ),
        pytest.param({}, {"closed_on": D("2026-02-10")}, "2026-02", True, id="closed in Feb: Feb paid"),
        pytest.param({}, {"closed_on": D("2026-02-10")}, "2026-03", False, id="closed in Feb: Mar stops"),
        pytest.param(
            {"eligible_kinds": [], "age_limit": None, "requires_disability": True},
            {"held": ()},
            "2026-01",
            False,
            id="needs a disability certificate",
        ),
        pytest.param(
            {"eligible_kinds": [], "age_limit": None, "requires_disability": True, "severe_disability_only": True},
            {"held": (), "disability_type": "physical", "disability_grade": 3, "disability_cert_no": "X1"},
            "2026-01",
            False,
            id="grade 3 physical is not severe",
        ),
        pytest.param(
            {"eligible_kinds": [], "age_limit": None, "requires_disability": True, "severe_disability_only": True},
            {"held": (), "disability_type": "intellectual", "disability_grade": 3, "disability_cert_no": "X1"},
            "2026-01",
            True,
            id="grade 3 intellectual is severe",
        ),
        pytest.param({"age_limit": None}, {"birth_date": D("2000-01-01")}, "2026-01", True, id="no age limit"),
    ],
)
def test_qualifies_in_month(rule, child, month, qualifies):
    assert qualifies_in(programme(**rule), facts(**child), parse_month(month)) is qualifies


@pytest.mark.parametrize(
    ("day", "ok"),
    [("2025-12-20", True), ("2025-12-21", False), ("2026-01-05", False)],
)
def test_on_a_day_the_classification_must_still_hold(day, ok):
    held_by, not_ended_before = day_window(D(day))
    problems = qualification_problems(
        programme(), facts(held=ENDED_21_DEC), held_by=held_by, not_ended_before=not_ended_before
    )
    assert (not problems) is ok, problems


def test_month_window_per_stop_rule():
    assert month_window(programme(), D("2026-02-01")) == (D("2026-02-28"), D("2026-02-01"))
    assert month_window(programme(stop_rule=OF), D("2026-02-01")) == (D("2026-02-28"), D("2026-03-01"))


# -------------------------------------------------------------------------------------------------
# The engine asks the same question


@pytest.mark.django_db
def test_engine_stops_after_the_classification_ends_even_with_the_enrolment_open(bureau):  # noqa: F811
    """The issue's case: 事实无人抚养 ended on 21 December; January must not pay, whatever the enrolment says."""
    with time_machine.travel(D("2025-10-10")):
        child = bureau.child()
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2025-10-01", confirmed_on="2025-10-10")
    with time_machine.travel(D("2025-12-22")):
        bureau.run("2025-11", "2025-12")
        classification = child.classifications.get()
        # Straight through the model, as data predating the endings would be: the enrolment stays open.
        type(classification).objects.filter(pk=classification.pk).update(
            end_date=D("2025-12-21"), end_reason="situation_changed"
        )
    with time_machine.travel(D("2026-02-10")):
        bureau.run("2026-01", "2026-02")
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert normal_months(enrolment) == months("2025-11", "2025-12")
    assert not enrolment.lines.exclude(kind="normal").exists()


@pytest.mark.django_db
def test_engine_deducts_months_paid_before_a_late_reported_ending(bureau):  # noqa: F811
    with time_machine.travel(D("2025-10-10")):
        child = bureau.child()
        enrolment = bureau.enrol(child, "orphan_scattered", applied_on="2025-10-01", confirmed_on="2025-10-10")
    with time_machine.travel(D("2026-02-03")):
        bureau.run("2025-11", "2025-12", "2026-01")
        end_classification(
            actor=bureau.staff,
            classification=child.classifications.get(),
            end_date=D("2025-12-21"),
            reason="situation_changed",
        )
        batch = bureau.run("2026-02")[0]
    lines = list(batch.lines.values_list("period", "kind", "amount"))
    assert lines == [(D("2026-01-01"), "adjustment", Decimal("-1000.00"))]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENDED
    assert enrolment.end_month == D("2025-12-01")
