"""Stacking rules as data (DOMAIN.md 2.3): the defaults, the refusal of an exclusive pair, what the engine pays."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from subsidies.models import Enrolment, StackingRule
from subsidies.services import apply_enrolment

from .test_rules import bureau  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def D(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def rule_between(a: str, b: str) -> str | None:
    found = {
        r.rule
        for r in StackingRule.objects.filter(programme__code__in=[a, b], other__code__in=[a, b]).exclude(
            programme__code=b, other__code=b
        )
        if {r.programme.code, r.other.code} == {a, b}
    }
    return found.pop() if len(found) == 1 else (None if not found else "mixed")


@pytest.mark.parametrize(
    ("a", "b", "rule"),
    [
        ("extreme_poverty", "rural_dibao", "exclusive"),
        ("extreme_poverty", "urban_dibao", "exclusive"),
        ("urban_dibao", "rural_dibao", "exclusive"),
        ("orphan_scattered", "orphan_institutional", "exclusive"),
        ("orphan_scattered", "de_facto_scattered", "exclusive"),
        ("de_facto_institutional", "extreme_poverty", "exclusive"),
        ("orphan_scattered", "extreme_poverty", "exclusive"),
        ("severe_disability_care", "extreme_poverty", "exclusive"),
        ("severe_disability_care", "orphan_scattered", "cumulative"),
        ("severe_disability_care", "de_facto_scattered", "cumulative"),
        ("rural_dibao", "poor_disabled_living", None),
    ],
)
def test_default_exclusive_and_cumulative_pairs(programmes, a, b, rule):
    assert rule_between(a, b) == rule


@pytest.mark.parametrize(
    ("programme", "other"),
    [
        ("orphan_scattered", "rural_dibao"),
        ("de_facto_scattered", "urban_dibao"),
        ("orphan_scattered", "poor_disabled_living"),
    ],
)
def test_default_top_up_is_on_the_childs_allowance(programmes, programme, other):
    rule = StackingRule.objects.get(programme__code=programme, other__code=other)
    assert rule.rule == StackingRule.Rule.TOP_UP
    assert not StackingRule.objects.filter(programme__code=other, other__code=programme).exists()


@time_machine.travel(D("2026-02-10"))
def test_an_exclusive_pair_is_refused_naming_the_rule(bureau):  # noqa: F811
    child = bureau.child(orphan=False)
    bureau.enrol(child, "extreme_poverty", applied_on="2026-02-01", confirmed_on="2026-02-05")
    with pytest.raises(ValidationError) as refused:
        apply_enrolment(
            actor=bureau.caseworker, child=child, programme=bureau.programmes["rural_dibao"], applied_on=D("2026-02-06")
        )
    assert "农村最低生活保障与特困人员救助供养不重复享受（叠加规则：不重复享受，按较高标准发放）" in str(refused.value)


def _predating_pair(bureau, child, code, amount_month="2026-01"):  # noqa: F811
    """An enrolment written straight to the table, as data from before the rule would be."""
    return Enrolment.objects.create(
        child=child,
        programme=bureau.programmes[code],
        status=Enrolment.Status.CONFIRMED,
        applied_on=D("2026-01-01"),
        confirmed_at=timezone.now(),
        start_month=D(f"{amount_month}-01"),
    )


@time_machine.travel(D("2026-03-10"))
def test_the_engine_never_pays_an_exclusive_pair_even_for_old_data(bureau):  # noqa: F811
    bureau.standard("extreme_poverty", "2026-01", "900")
    bureau.standard("rural_dibao", "2026-01", "500")
    child = bureau.child(orphan=False)
    poverty = _predating_pair(bureau, child, "extreme_poverty")
    dibao = _predating_pair(bureau, child, "rural_dibao")
    batch = bureau.compute("2026-03")
    lines = {line.enrolment_id: line for line in batch.lines.all()}
    assert set(lines) == {poverty.pk}
    assert lines[poverty.pk].amount == Decimal("900.00")
    assert "农村最低生活保障" in lines[poverty.pk].note and "不重复享受" in lines[poverty.pk].note
    assert dibao.pk not in lines


@time_machine.travel(D("2026-03-10"))
def test_top_up_pays_the_difference_and_cumulative_pays_both(bureau):  # noqa: F811
    bureau.standard("rural_dibao", "2026-01", "400")
    bureau.standard("severe_disability_care", "2026-01", "150")
    child = bureau.child(disability_type="intellectual", disability_grade=3, disability_cert_no="13068220150101001043")
    orphan = bureau.enrol(child, "orphan_scattered", applied_on="2026-02-01", confirmed_on="2026-02-05")
    dibao = bureau.enrol(child, "rural_dibao", applied_on="2026-02-01", confirmed_on="2026-02-05")
    care = bureau.enrol(child, "severe_disability_care", applied_on="2026-02-01", confirmed_on="2026-02-05")
    batch = bureau.compute("2026-03")
    amounts = {line.enrolment_id: (line.amount, line.note) for line in batch.lines.filter(period=D("2026-03-01"))}
    assert amounts[dibao.pk][0] == Decimal("400.00")
    assert amounts[orphan.pk][0] == Decimal("600.00") and amounts[orphan.pk][1].startswith("补差")
    assert amounts[care.pk][0] == Decimal("150.00")
