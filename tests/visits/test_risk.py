"""The risk rules as a table: ratings and the child's situation in, level and the rules that hold out."""

import datetime

import pytest

from children.models import Carer, Child, ClassificationKind, ParentSituation
from tests.factories import CarerFactory
from visits.models import DIMENSIONS, Rating, RiskLevel
from visits.risk import RULES, ChildSituation, assess, rules_table, situation_of

G, F, P, S = Rating.GOOD, Rating.FAIR, Rating.POOR, Rating.SERIOUS
HIGH, MEDIUM, LOW = RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW


def ratings(**changed):
    values = {name: G for name, _label in DIMENSIONS}
    values.update(changed)
    return values


CASES = [
    # (id, ratings, situation, suspected harm, level, rules that hold)
    ("all good", ratings(), ChildSituation(), False, LOW, []),
    ("all fair", {n: F for n, _l in DIMENSIONS}, ChildSituation(), False, LOW, []),
    ("suspected harm alone", ratings(), ChildSituation(), True, HIGH, ["harm"]),
    ("one serious", ratings(hygiene=S), ChildSituation(), False, HIGH, ["serious"]),
    ("guardianship poor", ratings(guardianship=P), ChildSituation(), False, HIGH, ["guardianship_poor"]),
    ("one poor elsewhere", ratings(living=P), ChildSituation(), False, MEDIUM, ["one_poor"]),
    ("two poor", ratings(living=P, hygiene=P), ChildSituation(), False, HIGH, ["two_poor"]),
    (
        "guardianship and one more poor",
        ratings(guardianship=P, health=P),
        ChildSituation(),
        False,
        HIGH,
        ["guardianship_poor", "two_poor"],
    ),
    ("no effective carer", ratings(), ChildSituation(no_effective_carer=True), False, HIGH, ["no_carer"]),
    (
        "one parent away, the other incapable",
        ratings(),
        ChildSituation(one_away_other_incapable=True),
        False,
        HIGH,
        ["away_incapable"],
    ),
    ("dropped out", ratings(), ChildSituation(dropped_out=True), False, HIGH, ["dropped_out"]),
    ("scattered orphan", ratings(), ChildSituation(scattered_orphan_or_de_facto=True), False, MEDIUM, ["scattered"]),
    ("ill or disabled", ratings(), ChildSituation(ill_or_disabled=True), False, MEDIUM, ["ill_disabled"]),
    ("parents unreachable", ratings(), ChildSituation(parents_unreachable=True), False, MEDIUM, ["unreachable"]),
    ("no ID number", ratings(), ChildSituation(no_id_number=True), False, MEDIUM, ["no_id"]),
    (
        "two medium situations make it high",
        ratings(),
        ChildSituation(ill_or_disabled=True, no_id_number=True),
        False,
        HIGH,
        ["two_medium", "ill_disabled", "no_id"],
    ),
    (
        "one poor rating and a medium situation",
        ratings(education=P),
        ChildSituation(parents_unreachable=True),
        False,
        HIGH,
        ["two_medium", "one_poor", "unreachable"],
    ),
    (
        "harm with everything else good in a hard situation",
        ratings(),
        ChildSituation(dropped_out=True, scattered_orphan_or_de_facto=True),
        True,
        HIGH,
        ["harm", "dropped_out", "scattered"],
    ),
]


@pytest.mark.parametrize(
    ("given", "situation", "harm", "level", "reasons"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_risk_rules(given, situation, harm, level, reasons):
    assessment = assess(given, situation, suspected_harm=harm)
    assert assessment.level == level
    assert assessment.reasons == reasons


def test_every_rule_is_shown_to_the_supervisor():
    shown = [rule for _level, rules in rules_table() for rule in rules]
    assert shown == RULES
    assert all(str(rule.text) for rule in RULES)


@pytest.fixture
def day():
    return datetime.date(2026, 5, 20)


def test_situation_from_the_registry(child_a, day):
    CarerFactory(child=child_a, capacity=Carer.Capacity.FULL)
    assert situation_of(child_a, day) == ChildSituation()


def test_no_carer_registered_is_no_effective_carer(child_a, day):
    assert situation_of(child_a, day).no_effective_carer


def test_carer_without_full_capacity(child_a, day):
    CarerFactory(child=child_a, capacity=Carer.Capacity.LIMITED)
    assert situation_of(child_a, day).no_effective_carer


def test_parents_school_health_and_classification(child_a, day, staff):
    CarerFactory(child=child_a)
    ParentSituation.objects.create(
        child=child_a,
        parent="father",
        situation=ParentSituation.Situation.WORKING_AWAY,
        start_date=day.replace(year=2024),
    )
    ParentSituation.objects.create(
        child=child_a,
        parent="mother",
        situation=ParentSituation.Situation.SERIOUS_ILLNESS,
        start_date=day.replace(year=2025),
    )
    child_a.school_status = Child.SchoolStatus.DROPPED_OUT
    child_a.health_status = Child.HealthStatus.DISABLED
    child_a.save()
    child_a.classifications.create(kind=ClassificationKind.DE_FACTO_SCATTERED, start_date=day.replace(year=2025))
    situation = situation_of(child_a, day)
    assert situation.one_away_other_incapable
    assert situation.dropped_out
    assert situation.ill_or_disabled
    assert situation.scattered_orphan_or_de_facto
    assert not situation.parents_unreachable
    # A situation that starts after the visit does not count for it.
    ParentSituation.objects.create(
        child=child_a,
        parent="mother",
        situation=ParentSituation.Situation.LOST_CONTACT,
        start_date=day.replace(month=6),
    )
    assert not situation_of(child_a, day).parents_unreachable
    assert situation_of(child_a, day.replace(month=7)).parents_unreachable


def test_both_parents_away_is_not_away_and_incapable(child_a, day):
    for parent in ("father", "mother"):
        ParentSituation.objects.create(
            child=child_a,
            parent=parent,
            situation=ParentSituation.Situation.WORKING_AWAY,
            start_date=day.replace(year=2024),
        )
    assert not situation_of(child_a, day).one_away_other_incapable
