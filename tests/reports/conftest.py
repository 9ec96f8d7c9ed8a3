"""A small county built with the real services: three children in township A, one in B, five approved
batches (January to May 2026) and June as a draft, so every figure of the report can be worked out by hand.

- A1 (A, 东村): scattered orphan since 2020, 散居孤儿基本生活费 from January (1,000.00 a month).
- A2 (A, 西村): child in hardship (poverty) since 2024, 农村低保 from January (530.00, the county's standard).
- A3 (A, 东村): scattered orphan since 2020, paid from January; adopted on 10 April: the category ends that
  day, the payment after April.
- B1 (B, 南村): scattered orphan from 15 February; confirmed late (dated 20 February, entered after April
  was paid): May pays March and April as arrears (2 x 1,000.00) besides May itself.

Money per batch month: January to April 2,530.00 each (A1, A2, A3), May 4,530.00 (A1, A2, B1 and the
arrears); January to May 14,650.00, of which township A 11,650.00 and township B 3,000.00.
"""

import datetime
from decimal import Decimal

import pytest

from children.models import ClassificationKind, PaymentAccount
from children.services import add_classification, end_classification
from dingzhou_welfare.models import Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Programme, Standard
from subsidies.services import end_enrolment
from tests.factories import ChildFactory, ensure_reference_data, make_user
from tests.subsidies.conftest import enrol, make_orphan

M = datetime.date


@pytest.fixture
def programmes(db):
    ensure_reference_data()
    return {p.code: p for p in Programme.objects.all()}


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def world(frozen, township_a, township_b, village_a, village_a2, village_b, staff, staff2, supervisor_a, programmes):
    Standard.objects.create(
        programme=programmes["rural_dibao"], effective_month=M(2020, 1, 1), amount=Decimal("530.00"), note="测试"
    )
    a1 = make_orphan(ChildFactory(township=township_a, village=village_a, name="甲一"), staff)
    a2 = ChildFactory(township=township_a, village=village_a2, name="甲二")
    # Paid to an account: a line without one would stop approval (the batch's problem list).
    PaymentAccount.objects.create(
        child=a2, payee_name="甲二母亲", bank_name="定州农商银行", account_number="6217000022220000"
    )
    add_classification(actor=staff, child=a2, kind=ClassificationKind.HARDSHIP_POVERTY, start_date=M(2024, 1, 1))
    a3 = make_orphan(ChildFactory(township=township_a, village=village_a, name="甲三"), staff)
    enrolments = {}
    for child, code in ((a1, "orphan_scattered"), (a2, "rural_dibao"), (a3, "orphan_scattered")):
        enrolments[child.name] = enrol(
            child,
            programmes[code],
            applicant=staff,
            checker=supervisor_a,
            confirmer=staff2,
            applied_on=M(2025, 12, 1),
            confirmed_on=M(2025, 12, 10),
        )
    for month in range(1, 5):
        approve_batch(batch=compute_month(month=M(2026, month, 1), actor=staff), actor=staff2)
    # A3 adopted on 10 April: paid through April (stop rule: the month after the event is the first unpaid).
    end_enrolment(actor=staff, enrolment=enrolments["甲三"], reason="adopted", event_day=M(2026, 4, 10))
    end_classification(actor=staff, classification=a3.classifications.get(), end_date=M(2026, 4, 10), reason="adopted")
    b1 = make_orphan(ChildFactory(township=township_b, village=village_b, name="乙一"), staff, since=M(2026, 2, 15))
    enrolments["乙一"] = enrol(
        b1,
        programmes["orphan_scattered"],
        applicant=staff,
        checker=staff,
        confirmer=staff2,
        applied_on=M(2026, 2, 16),
        confirmed_on=M(2026, 2, 20),
    )
    approve_batch(batch=compute_month(month=M(2026, 5, 1), actor=staff), actor=staff2)
    june = compute_month(month=M(2026, 6, 1), actor=staff)  # a draft: not money paid
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "enrolments": enrolments, "june": june}
