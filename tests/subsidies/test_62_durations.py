"""The six-month durations of 民发〔2019〕62号 (DOMAIN.md 1.2) in the matrix, wherever it is asked.

失联 counts once it has lasted six months; 服刑在押, 强制隔离戒毒 and other restrictions of liberty
count when the term is of six months or more; a term never recorded (rows from before the field)
keeps counting and is listed for checking. The classification form, the enrolment check, the
batch problem list and the suspension for review all use the duration as of the day they check.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from children.models import ClassificationKind, ParentSituation, PaymentAccount
from children.rules import Uncounted, lasting_cutoff, shift_months, situation_counts
from children.services import add_classification, record_parent_situation
from dingzhou_welfare.models import Role
from subsidies.disbursement import approve_batch, compute_month
from subsidies.eligibility import enrolment_problems
from subsidies.models import BatchProblem, Enrolment
from tests.factories import make_user

from .conftest import enrol

pytestmark = pytest.mark.django_db
M = datetime.date
S = ParentSituation.Situation
Kind = BatchProblem.Kind
DE_FACTO = ClassificationKind.DE_FACTO_SCATTERED
LOST_ON = M(2025, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.mark.parametrize(
    ("situation", "start", "term", "day", "counts"),
    [
        (S.LOST_CONTACT, LOST_ON, None, M(2026, 4, 20), False),  # five months
        (S.LOST_CONTACT, LOST_ON, None, M(2026, 5, 19), False),  # a day short
        (S.LOST_CONTACT, LOST_ON, None, M(2026, 5, 20), True),  # six months
        (S.LOST_CONTACT, M(2025, 8, 31), None, M(2026, 2, 27), False),
        (S.LOST_CONTACT, M(2025, 8, 31), None, M(2026, 2, 28), True),  # 31 August + 6 months
        (S.IMPRISONED, M(2026, 5, 1), 6, M(2026, 5, 1), True),  # the term decides, from its first day
        (S.IMPRISONED, M(2020, 1, 1), 5, M(2026, 5, 1), False),
        (S.DRUG_REHAB, M(2026, 5, 1), 24, M(2026, 5, 2), True),
        (S.RESTRICTED_LIBERTY, M(2026, 1, 1), 3, M(2026, 5, 2), False),
        (S.IMPRISONED, M(2026, 5, 1), None, M(2026, 5, 1), True),  # no term recorded: still counts
        (S.SEVERE_DISABILITY, M(2026, 5, 1), None, M(2026, 5, 1), True),  # no duration asked
        (S.DEAD, M(2026, 5, 1), None, M(2026, 5, 1), True),
    ],
)
def test_the_durations(situation, start, term, day, counts):
    value = situation_counts(situation, start, term, day)
    assert (value == situation) is counts
    assert isinstance(value, Uncounted) is not counts
    if situation == S.LOST_CONTACT:
        assert (start <= lasting_cutoff(day)) is counts
        assert (shift_months(start, 6) <= day) is counts


def test_the_cutoff_agrees_with_six_calendar_months_every_day():
    for offset in range(800):
        day = M(2025, 1, 1) + datetime.timedelta(days=offset)
        for back in range(150, 220):
            start = day - datetime.timedelta(days=back)
            assert (start <= lasting_cutoff(day)) == (shift_months(start, 6) <= day), (start, day)


def situation(child, parent, kind, start, term=None):
    """A row written as the data stood before (no hook, no form): what a migration leaves."""
    return ParentSituation.objects.create(
        child=child, parent=parent, situation=kind, start_date=start, term_months=term
    )


def test_a_de_facto_classification_waits_for_six_months_of_lost_contact(child_a, staff):
    situation(child_a, "mother", S.DEAD, M(2020, 1, 1))
    situation(child_a, "father", S.LOST_CONTACT, LOST_ON)
    with pytest.raises(ValidationError) as error:
        add_classification(actor=staff, child=child_a, kind=DE_FACTO, start_date=M(2026, 4, 20))
    assert "失联未满6个月，自2026-05-20起计入" in error.value.message_dict["kind"][0]
    entry = add_classification(actor=staff, child=child_a, kind=DE_FACTO, start_date=M(2026, 5, 20))
    assert entry.pk


@pytest.fixture
def de_facto_paid(child_a, staff, supervisor_a, caseworker_a, programmes):
    """child_a: mother dead, father imprisoned for five years; de facto unsupported, paid from April 2026."""
    situation(child_a, "mother", S.DEAD, M(2020, 1, 1))
    situation(child_a, "father", S.IMPRISONED, M(2024, 1, 1), term=60)
    add_classification(actor=staff, child=child_a, kind=DE_FACTO, start_date=M(2025, 6, 1))
    PaymentAccount.objects.create(
        child=child_a,
        payee_name="张大爷",
        payee_relationship="paternal_grandparent",
        bank_name="定州农商银行",
        account_number="6217000012345678",
    )
    return enrol(
        child_a,
        programmes["de_facto_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=M(2026, 3, 1),
        confirmed_on=M(2026, 3, 10),
    )


def problems_of(batch, kind):
    return list(BatchProblem.objects.filter(batch=batch, kind=kind).values_list("child_id", "detail"))


def test_five_months_lost_does_not_qualify_six_months_does_and_the_problem_list_agrees(
    de_facto_paid, child_a, staff, programmes
):
    # Released and lost since 20 November 2025 (recorded as old data: no suspension involved here).
    situation(child_a, "father", S.LOST_CONTACT, LOST_ON)
    programme = programmes["de_facto_scattered"]
    five = enrolment_problems(child_a, programme, M(2026, 4, 20))
    assert len(five) == 1 and "失联未满6个月" in five[0]
    assert enrolment_problems(child_a, programme, M(2026, 5, 20)) == []

    april = compute_month(month=M(2026, 4, 1), actor=staff)  # checked on 30 April: five months
    [(child_id, detail)] = problems_of(april, Kind.UNSUPPORTED_CLASSIFICATION)
    assert child_id == child_a.pk
    assert "失联未满6个月，自2026-05-20起计入" in detail
    approve_batch(batch=april, actor=make_user("staff2", Role.STAFF))  # a warning does not stop approval
    may = compute_month(month=M(2026, 5, 1), actor=staff)  # checked on 31 May: six months
    assert problems_of(may, Kind.UNSUPPORTED_CLASSIFICATION) == []
    assert problems_of(may, Kind.TERM_UNRECORDED) == []


def test_a_term_never_recorded_stays_valid_and_is_listed_for_checking(de_facto_paid, child_a, staff, programmes):
    ParentSituation.objects.filter(child=child_a, situation=S.IMPRISONED).update(term_months=None)
    assert enrolment_problems(child_a, programmes["de_facto_scattered"], M(2026, 5, 20)) == []
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    assert may.line_count == 2  # April's arrears and May: still paid
    assert problems_of(may, Kind.UNSUPPORTED_CLASSIFICATION) == []
    assert problems_of(may, Kind.TERM_UNRECORDED) == [
        (child_a.pk, "父亲服刑在押未登记期限，请核实是否满6个月（民发〔2019〕62号）")
    ]

    ParentSituation.objects.filter(child=child_a, situation=S.IMPRISONED).update(term_months=4)
    may = compute_month(month=M(2026, 5, 1), actor=staff)
    [(_child, detail)] = problems_of(may, Kind.UNSUPPORTED_CLASSIFICATION)
    assert "服刑在押期限4个月，不足6个月" in detail
    assert problems_of(may, Kind.TERM_UNRECORDED) == []


def test_a_parent_reported_lost_today_suspends_for_review(de_facto_paid, child_a, staff):
    record_parent_situation(
        actor=staff, child=child_a, data={"parent": "father", "situation": S.LOST_CONTACT, "start_date": M(2026, 5, 20)}
    )
    enrolment = Enrolment.objects.get(pk=de_facto_paid.pk)
    assert enrolment.status == Enrolment.Status.SUSPENDED


def test_a_parent_lost_for_a_year_keeps_the_payment(de_facto_paid, child_a, staff):
    record_parent_situation(
        actor=staff, child=child_a, data={"parent": "father", "situation": S.LOST_CONTACT, "start_date": M(2025, 5, 1)}
    )
    assert Enrolment.objects.get(pk=de_facto_paid.pk).status == Enrolment.Status.CONFIRMED


def test_the_form_asks_for_the_term(client, caseworker_a, child_a):
    client.force_login(caseworker_a)
    url = reverse("children:parent_add", args=[child_a.pk])
    data = {"parent": "father", "name": "王大明", "situation": S.DRUG_REHAB, "start_date": "2026-01-05"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "请填写期限（月）" in response.text
    assert not ParentSituation.objects.filter(child=child_a).exists()
    response = client.post(url, data | {"term_months": "24"})
    assert response.status_code == 302
    assert ParentSituation.objects.get(child=child_a).term_months == 24


def test_the_child_page_shows_the_term_or_asks_for_it(client, staff, child_a):
    situation(child_a, "mother", S.DRUG_REHAB, M(2025, 1, 1), term=24)
    situation(child_a, "father", S.IMPRISONED, M(2024, 1, 1))
    client.force_login(staff)
    page = client.get(reverse("children:detail", args=[child_a.pk])).text
    assert "期限24个月" in page
    assert "期限未登记（待核实）" in page
