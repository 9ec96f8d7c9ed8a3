import datetime

import pytest

from children.models import ClassificationKind, ParentSituation, PaymentAccount
from children.services import add_classification, record_parent_situation
from subsidies.models import Programme
from subsidies.services import apply_enrolment, check_enrolment, confirm_enrolment
from tests.factories import ensure_reference_data


@pytest.fixture
def programmes(db):
    ensure_reference_data()
    return {p.code: p for p in Programme.objects.all()}


def make_orphan(child, actor, since=datetime.date(2020, 1, 1), kind=ClassificationKind.ORPHAN_SCATTERED):
    for parent in ("father", "mother"):
        record_parent_situation(
            actor=actor,
            child=child,
            data={"parent": parent, "situation": ParentSituation.Situation.DEAD, "start_date": since},
        )
    add_classification(actor=actor, child=child, kind=kind, start_date=since)
    PaymentAccount.objects.create(
        child=child,
        payee_name="张大爷",
        payee_relationship="paternal_grandparent",
        bank_name="定州农商银行",
        account_number="6217000012345678",
    )
    return child


def enrol(child, programme, *, applicant, checker, confirmer, applied_on, confirmed_on):
    enrolment = apply_enrolment(actor=applicant, child=child, programme=programme, applied_on=applied_on)
    check_enrolment(actor=checker, enrolment=enrolment)
    return confirm_enrolment(actor=confirmer, enrolment=enrolment, confirmed_on=confirmed_on)
