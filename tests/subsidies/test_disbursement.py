import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dingzhou_welfare.models import Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Batch, Line
from subsidies.services import apply_enrolment, end_enrolment, set_standard
from tests.factories import make_user

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


def lines(batch):
    return sorted((line.period, line.kind, line.amount) for line in Line.objects.filter(batch=batch))


@time_machine.travel(M(2026, 3, 20))
def test_first_month_after_confirmation_and_no_duplicates_on_rerun(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 3, 1),
        confirmed_on=M(2026, 3, 10),
    )
    march = compute_month(month=M(2026, 3, 1), actor=staff)
    assert lines(march) == []  # paid from the month after confirmation
    approve_batch(batch=march, actor=staff2)

    april = compute_month(month=M(2026, 4, 1), actor=staff)
    assert lines(april) == [(M(2026, 4, 1), "normal", Decimal("1000.00"))]
    again = compute_month(month=M(2026, 4, 1), actor=staff)  # a draft recomputes to the same lines
    assert again.pk == april.pk
    assert lines(again) == [(M(2026, 4, 1), "normal", Decimal("1000.00"))]
    assert again.total_amount == Decimal("1000.00")


@time_machine.travel(M(2026, 5, 20))
def test_late_confirmation_pays_arrears_for_computed_months(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    for month in (M(2026, 2, 1), M(2026, 3, 1)):
        approve_batch(batch=compute_month(month=month, actor=staff), actor=staff2)
    # Confirmation dated back in January: February and March were computed without the child.
    enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 1, 5),
        confirmed_on=M(2026, 1, 20),
    )
    april = compute_month(month=M(2026, 4, 1), actor=staff)
    assert lines(april) == [
        (M(2026, 2, 1), "arrears", Decimal("1000.00")),
        (M(2026, 3, 1), "arrears", Decimal("1000.00")),
        (M(2026, 4, 1), "normal", Decimal("1000.00")),
    ]
    approve_batch(batch=april, actor=staff2)
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert lines(may) == [(M(2026, 5, 1), "normal", Decimal("1000.00"))]


@time_machine.travel(M(2026, 5, 20))
def test_retroactive_standard_pays_exactly_the_difference(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2025, 12, 1),
        confirmed_on=M(2025, 12, 10),
    )
    for month in (M(2026, 1, 1), M(2026, 2, 1), M(2026, 3, 1)):
        approve_batch(batch=compute_month(month=month, actor=staff), actor=staff2)
    set_standard(
        actor=staff, programme=programmes["orphan_scattered"], effective_month=M(2026, 2, 1), amount=Decimal("1100.00")
    )
    april = compute_month(month=M(2026, 4, 1), actor=staff)
    assert lines(april) == [
        (M(2026, 2, 1), "arrears", Decimal("100.00")),
        (M(2026, 3, 1), "arrears", Decimal("100.00")),
        (M(2026, 4, 1), "normal", Decimal("1100.00")),
    ]


def test_payment_stops_after_the_month_of_the_18th_birthday(
    township_a, village_a, staff, staff2, supervisor_a, programmes
):
    from tests.factories import ChildFactory

    with time_machine.travel(M(2026, 3, 20)):
        child = make_orphan(ChildFactory(township=township_a, village=village_a, birth_date=M(2008, 6, 15)), staff)
        enrol(
            child,
            programmes["orphan_scattered"],
            applicant=staff,
            checker=supervisor_a,
            confirmer=staff2,
            applied_on=M(2026, 3, 1),
            confirmed_on=M(2026, 3, 10),
        )
    with time_machine.travel(M(2026, 8, 20)):
        approve_batch(batch=compute_month(month=M(2026, 5, 1), actor=staff), actor=staff2)
        june = compute_month(month=M(2026, 6, 1), actor=staff)
        assert [(p, k) for p, k, _a in lines(june)] == [(M(2026, 6, 1), "normal")]  # birthday month still paid
        approve_batch(batch=june, actor=staff2)
        assert lines(compute_month(month=M(2026, 7, 1), actor=staff)) == []


@time_machine.travel(M(2026, 6, 20))
def test_adoption_reported_late_deducts_what_was_overpaid(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    enrolment = enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 1, 1),
        confirmed_on=M(2026, 1, 10),
    )
    for month in (M(2026, 2, 1), M(2026, 3, 1), M(2026, 4, 1)):
        approve_batch(batch=compute_month(month=month, actor=staff), actor=staff2)
    end_enrolment(actor=staff, enrolment=enrolment, reason="adopted", event_day=M(2026, 2, 14))
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert lines(may) == [
        (M(2026, 3, 1), "adjustment", Decimal("-1000.00")),
        (M(2026, 4, 1), "adjustment", Decimal("-1000.00")),
    ]


@time_machine.travel(M(2026, 4, 20))
def test_stacking_exclusive_and_top_up(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    set_standard(actor=staff, programme=programmes["rural_dibao"], effective_month=M(2026, 1, 1), amount=Decimal("400"))
    set_standard(
        actor=staff, programme=programmes["extreme_poverty"], effective_month=M(2026, 1, 1), amount=Decimal("900")
    )
    for code in ("orphan_scattered", "rural_dibao"):
        enrol(
            child_a,
            programmes[code],
            applicant=staff,
            checker=supervisor_a,
            confirmer=staff2,
            applied_on=M(2026, 2, 1),
            confirmed_on=M(2026, 2, 10),
        )
    # 特困 beside the orphan allowance (and 低保) is an exclusive pair: refused, naming the rule.
    with pytest.raises(ValidationError, match="特困人员救助供养与散居孤儿基本生活费不重复享受"):
        apply_enrolment(actor=staff, child=child_a, programme=programmes["extreme_poverty"], applied_on=M(2026, 2, 1))
    batch = compute_month(month=M(2026, 3, 1), actor=staff)
    paid = {line.programme.code: (line.amount, line.note) for line in Line.objects.filter(batch=batch)}
    assert set(paid) == {"orphan_scattered", "rural_dibao"}
    assert paid["rural_dibao"][0] == Decimal("400.00")
    assert paid["orphan_scattered"][0] == Decimal("600.00")  # tops up to 1000
    assert "补差" in paid["orphan_scattered"][1]


@time_machine.travel(M(2026, 4, 20))
def test_approval_rules(child_a, staff, staff2, programmes):
    batch = compute_month(month=M(2026, 3, 1), actor=staff)
    with pytest.raises(ValidationError, match="审批人不能是计算该批次的人"):
        approve_batch(batch=batch, actor=staff)
    approve_batch(batch=batch, actor=staff2)
    with pytest.raises(ValidationError, match="已审批"):
        compute_month(month=M(2026, 3, 1), actor=staff)
    assert Batch.objects.count() == 1


@time_machine.travel(M(2026, 4, 20))
def test_a_line_without_a_payment_account_says_so(child_a, staff, staff2, supervisor_a, programmes):
    make_orphan(child_a, staff)
    child_a.payment_account.delete()
    enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=supervisor_a,
        confirmer=staff2,
        applied_on=M(2026, 2, 1),
        confirmed_on=M(2026, 2, 10),
    )
    batch = compute_month(month=M(2026, 3, 1), actor=staff)
    assert [line.note for line in Line.objects.filter(batch=batch)] == ["未登记发放账户，请补录后发放"]
