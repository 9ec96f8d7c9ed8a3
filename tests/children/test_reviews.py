"""Annual review (年度复核 / 孤儿核查认定, issue 14 item 5): the due date, the work list, recording a review."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from children.models import Classification, ClassificationKind, ClassificationReview
from children.rules import next_review_after
from children.services import record_review
from dingzhou_welfare.models import AuditEntry, Role
from subsidies.disbursement import compute_month
from subsidies.models import BatchProblem, Enrolment, Programme
from subsidies.problems import SEVERITY, WARNING
from tests.factories import ensure_reference_data, make_user
from tests.subsidies.conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date
Outcome = ClassificationReview.Outcome


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def programmes(db):
    ensure_reference_data()
    return {p.code: p for p in Programme.objects.all()}


A_YEAR_AGO = M(2025, 5, 10)


def orphan(child, staff, since=A_YEAR_AGO):
    make_orphan(child, staff, since=since)
    return child.classifications.get()


def test_a_new_classification_is_due_for_review_a_year_after_it_starts(child_a, staff):
    entry = orphan(child_a, staff, since=M(2024, 2, 29))
    assert entry.next_review == M(2025, 2, 28)
    assert next_review_after(ClassificationKind.LEFT_BEHIND, M(2026, 1, 31)) == M(2027, 1, 31)


def test_the_migration_fills_open_classifications_from_their_start(child_a, child_b, staff):
    open_entry = orphan(child_a, staff, since=M(2019, 7, 3))
    recent = orphan(child_b, staff, since=M(2026, 1, 1))
    Classification.objects.update(next_review=None)
    fill = importlib.import_module("children.migrations.0008_fill_next_review").fill
    fill(apps, None)
    open_entry.refresh_from_db()
    recent.refresh_from_db()
    assert open_entry.next_review == M(2026, 7, 3)  # the next anniversary, not seven years overdue
    assert recent.next_review == M(2027, 1, 1)


def test_still_eligible_moves_the_next_review_on_and_is_audited(child_a, staff):
    entry = orphan(child_a, staff)
    with pytest.raises(ValidationError):
        record_review(actor=staff, classification=entry, reviewed_on=M(2026, 5, 12), outcome=Outcome.STILL_ELIGIBLE,
                      evidence="  ")  # fmt: skip
    review = record_review(
        actor=staff,
        classification=entry,
        reviewed_on=M(2026, 5, 12),
        outcome=Outcome.STILL_ELIGIBLE,
        evidence="入户核查，父母死亡证明齐全",
        evidence_file=SimpleUploadedFile("check.pdf", b"%PDF-1.4 review", content_type="application/pdf"),
    )
    entry.refresh_from_db()
    assert (review.due_on, review.next_review, entry.next_review) == (M(2026, 5, 10), M(2027, 5, 12), M(2027, 5, 12))
    assert review.document.child == child_a
    assert AuditEntry.objects.filter(child=child_a, summary__startswith="年度复核").exists()


def test_ended_ends_the_classification_and_its_enrolment(child_a, staff, supervisor_a, caseworker_a, programmes):
    entry = orphan(child_a, staff)
    enrolment = enrol(child_a, programmes["orphan_scattered"], applicant=caseworker_a, checker=supervisor_a,
                      confirmer=staff, applied_on=M(2025, 6, 1), confirmed_on=M(2025, 6, 10))  # fmt: skip
    with pytest.raises(ValidationError):
        record_review(actor=staff, classification=entry, reviewed_on=M(2026, 5, 12), outcome=Outcome.ENDED,
                      evidence="母亲已回家")  # fmt: skip
    record_review(
        actor=staff,
        classification=entry,
        reviewed_on=M(2026, 5, 12),
        outcome=Outcome.ENDED,
        evidence="母亲已回家，能履行监护",
        end_reason=Classification.EndReason.SITUATION_CHANGED,
    )
    entry.refresh_from_db()
    enrolment.refresh_from_db()
    assert (entry.end_date, entry.next_review) == (M(2026, 5, 12), None)
    assert enrolment.status == Enrolment.Status.ENDED
    assert enrolment.end_month == M(2026, 5, 1)


def test_the_work_list_per_township_is_scoped(client, child_a, child_b, staff, caseworker_a, caseworker_b, leader):
    orphan(child_a, staff, since=M(2025, 4, 1))  # overdue since 1 April
    orphan(child_b, staff, since=M(2025, 6, 10))  # due within 30 days
    url = reverse("children:reviews")

    client.force_login(caseworker_a)
    page = client.get(url).text
    assert "王小明" in page
    assert "刘小军" not in page
    assert "逾期" in page
    assert reverse("children:classification_review", args=[child_a.pk, child_a.classifications.get().pk]) in page
    assert f'href="{url}"' in page  # in the menu

    client.force_login(caseworker_b)
    page = client.get(url).text
    assert "刘小军" in page
    assert "王小明" not in page
    review = reverse("children:classification_review", args=[child_a.pk, child_a.classifications.get().pk])
    assert client.get(review).status_code == 404

    client.force_login(leader)  # sees both, records none: no link that would answer 404
    page = client.get(url).text
    assert "王小明" in page
    assert "刘小军" in page
    assert "记录复核" not in page

    client.force_login(make_user("admin2", Role.ADMINISTRATOR))
    assert client.get(url).status_code == 404
    assert f'href="{url}"' not in client.get(reverse("user_list")).text


def test_recording_through_the_page(client, child_a, staff, caseworker_a):
    entry = orphan(child_a, staff)
    client.force_login(caseworker_a)
    url = reverse("children:classification_review", args=[child_a.pk, entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reviewed_on": "2026-05-15", "outcome": "ended", "evidence": "已核查"})
    assert response.status_code == 400
    assert "请选择终止原因" in response.text
    response = client.post(url, {"reviewed_on": "2026-05-15", "outcome": "still_eligible", "evidence": "已核查"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.next_review == M(2027, 5, 15)


def test_an_overdue_review_is_a_warning_on_the_batch(child_a, staff, supervisor_a, caseworker_a, programmes):
    orphan(child_a, staff, since=M(2025, 4, 1))
    enrol(child_a, programmes["orphan_scattered"], applicant=caseworker_a, checker=supervisor_a, confirmer=staff,
          applied_on=M(2025, 4, 5), confirmed_on=M(2025, 4, 10))  # fmt: skip
    staff2 = make_user("staff2", Role.STAFF)
    may = compute_month(month=M(2026, 5, 1), actor=staff2)
    problem = BatchProblem.objects.get(batch=may, kind=BatchProblem.Kind.REVIEW_OVERDUE)
    assert problem.child_id == child_a.pk
    assert "2026-04-01" in problem.detail
    assert SEVERITY[BatchProblem.Kind.REVIEW_OVERDUE] == WARNING
