"""收养登记证号: unique, never reused, one after the other even when two registrations race."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from adoption import services
from adoption.models import AdoptionCase, CertificateCounter, State
from tests.factories import ChildFactory

from .conftest import make_case

D = datetime.date.fromisoformat


def test_numbers_follow_each_other_and_a_failed_registration_takes_none(frozen, staff, township_a):
    cases = [make_case(staff, ChildFactory(township=township_a)) for _ in range(3)]
    first = services.register_adoption(actor=staff, case=cases[0], registered_on=D("2026-06-01"))
    with pytest.raises(ValidationError):  # before the integration ended: refused, no number spent
        services.register_adoption(actor=staff, case=cases[1], registered_on=D("2026-03-01"))
    second = services.register_adoption(actor=staff, case=cases[1], registered_on=D("2026-05-20"))
    third = services.register_adoption(actor=staff, case=cases[2], registered_on=D("2026-06-01"))
    assert [c.certificate_number for c in (first, second, third)] == [
        "130682-2026-00001",
        "130682-2026-00002",
        "130682-2026-00003",
    ]
    assert CertificateCounter.objects.get(year=2026).last == 3


def test_a_registered_case_keeps_its_number_and_cannot_register_again(frozen, staff, child_a):
    case = services.register_adoption(actor=staff, case=make_case(staff, child_a), registered_on=D("2026-06-01"))
    with pytest.raises(ValidationError, match="不能进行此操作"):
        services.register_adoption(actor=staff, case=case, registered_on=D("2026-06-01"))
    case.refresh_from_db()
    assert case.certificate_number == "130682-2026-00001"
    assert CertificateCounter.objects.get(year=2026).last == 1


def test_the_database_refuses_a_repeated_number(frozen, staff, child_a, child_b):
    case = services.register_adoption(actor=staff, case=make_case(staff, child_a), registered_on=D("2026-06-01"))
    other = make_case(staff, child_b)
    other.certificate_number = case.certificate_number
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: nothing would race")
@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_the_same_moment_get_two_numbers(staff, township_a):
    from tests.factories import ensure_reference_data

    ensure_reference_data()
    cases = [make_case(staff, ChildFactory(township=township_a)) for _ in range(2)]
    today = datetime.date.today()  # noqa: DTZ011 - a date the registration accepts, whatever the clock
    barrier = threading.Barrier(2)
    numbers, errors = [], []

    def register(case):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                done = services.register_adoption(actor=staff, case=case, registered_on=min(today, D("2026-12-31")))
                # Hold the counter row a moment, so the other registration really has to wait for it.
                connection.cursor().execute("SELECT pg_sleep(0.3)")
            numbers.append(done.certificate_number)
        except Exception as error:  # reported below, with the thread's own error
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    year = min(today, D("2026-12-31")).year
    assert sorted(numbers) == [f"130682-{year}-00001", f"130682-{year}-00002"]
    assert CertificateCounter.objects.get(year=year).last == 2
    assert AdoptionCase.objects.filter(state=State.REGISTERED).count() == 2
