"""Reruns, races and crashes: whatever happens, a month has one batch and each line once (DESIGN.md 3).

The threaded race needs PostgreSQL (SQLite serialises writers, so nothing would race); the rest
runs on both databases.
"""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import Count

from children.models import Child
from dingzhou_welfare.celery import app as celery_app
from subsidies.disbursement import (
    approve_batch,
    compute_month,
    compute_township,
    finish_batch,
    pending_townships,
    start_batch,
)
from subsidies.models import Batch, BatchTownship, Line
from subsidies.tasks import compute_month_task
from tests.factories import ChildFactory

from .conftest import enrol, make_orphan

D = datetime.date.fromisoformat
MARCH, APRIL = D("2026-03-01"), D("2026-04-01")
SNAPSHOT_FIELDS = (
    "township_id",
    "village_name",
    "child_id",
    "programme_id",
    "enrolment_id",
    "period",
    "kind",
    "standard",
    "amount",
    "note",
    "payee_name",
    "payee_relationship",
    "bank_name",
    "account_number",
)


def snapshot(batch) -> list[tuple]:
    """Every line of a batch, as the roster would print it, in a stable order."""
    return sorted(Line.objects.filter(batch=batch).values_list(*SNAPSHOT_FIELDS))


def assert_each_line_once(batch):
    duplicates = (
        Line.objects.filter(batch=batch)
        .values("enrolment_id", "period", "kind")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []
    batch.refresh_from_db()
    lines = Line.objects.filter(batch=batch)
    assert batch.line_count == lines.count()
    assert batch.total_amount == sum(lines.values_list("amount", flat=True), Decimal("0.00"))
    parts = BatchTownship.objects.filter(batch=batch)
    assert all(p.status == "done" for p in parts)
    assert sum(p.line_count for p in parts) == batch.line_count
    assert sum((p.total_amount for p in parts), Decimal("0.00")) == batch.total_amount


@pytest.fixture
def caseload(township_a, township_b, village_a, village_b, caseworker_a, supervisor_a, staff, leader, programmes):
    """Three orphans in two townships; February approved; one confirmed late so March owes arrears."""
    with time_machine.travel(D("2026-02-20")):
        children = [
            make_orphan(ChildFactory(township=township_a, village=village_a), staff),
            make_orphan(ChildFactory(township=township_a, village=village_a), staff),
            make_orphan(ChildFactory(township=township_b, village=village_b), staff),
        ]
        for child in children[:2]:
            enrol(
                child,
                programmes["orphan_scattered"],
                applicant=caseworker_a,
                checker=supervisor_a,
                confirmer=staff,
                applied_on=D("2026-01-05"),
                confirmed_on=D("2026-01-10"),
            )
        approve_batch(batch=compute_month(month=D("2026-02-01"), actor=staff), actor=leader)
    with time_machine.travel(D("2026-03-25")):
        enrol(  # confirmation dated back into computed February: February is owed as arrears
            children[2],
            programmes["orphan_scattered"],
            applicant=caseworker_a,
            checker=supervisor_a,
            confirmer=staff,
            applied_on=D("2026-01-05"),
            confirmed_on=D("2026-01-20"),
        )
    return children


EXPECTED_MARCH = [  # (period, kind, amount) for the caseload above
    ("2026-02", "arrears", "1000.00"),
    ("2026-03", "normal", "1000.00"),
    ("2026-03", "normal", "1000.00"),
    ("2026-03", "normal", "1000.00"),
]


def summary(batch):
    return sorted((f"{p:%Y-%m}", k, str(a)) for p, k, a in batch.lines.values_list("period", "kind", "amount"))


# -------------------------------------------------------------------------------------------------
# Reruns


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_computing_a_month_twice_gives_one_batch_with_each_line_once(caseload, staff):
    first = compute_month(month=MARCH, actor=staff)
    lines = snapshot(first)
    assert summary(first) == EXPECTED_MARCH
    second = compute_month(month=MARCH, actor=staff)
    assert second.pk == first.pk
    assert Batch.objects.filter(month=MARCH).count() == 1
    assert snapshot(second) == lines
    assert_each_line_once(second)
    assert second.total_amount == Decimal("4000.00")


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_the_celery_job_run_twice_gives_one_batch(caseload, staff, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            batch_id = compute_month_task("2026-03", staff.pk)
    batch = Batch.objects.get(month=MARCH)
    assert batch.pk == batch_id
    assert (batch.status, batch.townships_done, batch.townships_total) == ("draft", 2, 2)
    assert summary(batch) == EXPECTED_MARCH
    assert_each_line_once(batch)


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_a_duplicate_normal_line_is_refused_by_the_database(caseload, staff, leader):
    march = compute_month(month=MARCH, actor=staff)
    line = march.lines.filter(kind="normal").first()
    approve_batch(batch=march, actor=leader)
    april = Batch.objects.create(month=APRIL, run_by=staff)
    copy = {f: getattr(line, f) for f in SNAPSHOT_FIELDS}
    # Another batch may carry arrears for that month, never a second normal payment.
    Line.objects.create(batch=april, **{**copy, "kind": "arrears"})
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Line.objects.create(batch=april, **copy)
    if connection.vendor == "postgresql":
        assert "line_normal_once_per_period" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():  # nor the same line twice in one batch
        Line.objects.create(batch=april, **{**copy, "kind": "arrears"})


@pytest.mark.django_db
@pytest.mark.parametrize("direction", ["B to A", "A to B"])
@time_machine.travel(D("2026-03-28"))
def test_a_child_moved_to_another_township_is_paid_once_when_the_draft_is_recomputed(
    caseload, staff, township_a, village_a, township_b, village_b, direction
):
    # Whichever township is computed first, the moved child's line moves with it.
    moved, township, village = (
        (caseload[2], township_a, village_a) if direction == "B to A" else (caseload[0], township_b, village_b)
    )
    first = compute_month(month=MARCH, actor=staff)
    Child.objects.filter(pk=moved.pk).update(township=township, village=village)
    again = compute_month(month=MARCH, actor=staff)
    assert again.pk == first.pk
    assert summary(again) == EXPECTED_MARCH
    assert set(again.lines.filter(child=moved).values_list("township_id", "village_name")) == {
        (township.pk, village.name)
    }
    assert_each_line_once(again)


# -------------------------------------------------------------------------------------------------
# A worker killed half-way


def clean_run(batch, staff) -> list[tuple]:
    """What the month gives when computed from scratch, for comparison (the batch is recreated)."""
    Batch.objects.filter(pk=batch.pk).delete()
    return snapshot(compute_month(month=batch.month, actor=staff))


class Killed(Exception):
    pass


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_rerun_after_a_worker_died_before_writing_the_townships(caseload, staff):
    batch = Batch.objects.create(month=MARCH, run_by=staff)  # committed; its townships never written
    rerun = compute_month(month=MARCH, actor=staff)
    assert (rerun.pk, rerun.status, rerun.townships_total, rerun.townships_done) == (batch.pk, "draft", 2, 2)
    lines = snapshot(rerun)
    assert summary(rerun) == EXPECTED_MARCH
    assert clean_run(rerun, staff) == lines


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["while writing a township", "before the totals"])
@time_machine.travel(D("2026-03-28"))
def test_rerun_after_a_worker_died_half_way_finishes_the_batch(
    caseload, staff, township_a, township_b, monkeypatch, where
):
    batch = start_batch(month=MARCH, actor=staff)
    assert sorted(pending_townships(batch)) == [township_a.pk, township_b.pk]
    compute_township(batch_id=batch.pk, township_id=township_a.pk)
    if where == "while writing a township":
        # The worker dies after writing township B's lines, before its transaction commits.
        original = BatchTownship.save

        def die(self, *args, **kwargs):
            if self.township_id == township_b.pk:
                raise Killed
            return original(self, *args, **kwargs)

        monkeypatch.setattr(BatchTownship, "save", die)
        with pytest.raises(Killed):
            compute_township(batch_id=batch.pk, township_id=township_b.pk)
        monkeypatch.undo()
        assert not Line.objects.filter(batch=batch, township=township_b).exists()  # nothing half-written
        assert BatchTownship.objects.get(batch=batch, township=township_b).status == "pending"
    else:
        compute_township(batch_id=batch.pk, township_id=township_b.pk)
    batch.refresh_from_db()
    assert batch.status == "computing"

    rerun = compute_month(month=MARCH, actor=staff)
    assert rerun.pk == batch.pk
    assert rerun.status == "draft"
    assert_each_line_once(rerun)
    lines = snapshot(rerun)
    assert summary(rerun) == EXPECTED_MARCH
    assert clean_run(rerun, staff) == lines


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_rerun_of_the_celery_job_after_a_township_task_failed(
    caseload, staff, township_b, monkeypatch, django_capture_on_commit_callbacks
):
    import subsidies.tasks

    original = subsidies.tasks.compute_township

    def die_in_b(*, batch_id, township_id):
        if township_id == township_b.pk:
            raise Killed
        return original(batch_id=batch_id, township_id=township_id)

    monkeypatch.setattr(subsidies.tasks, "compute_township", die_in_b)
    with pytest.raises(Killed), django_capture_on_commit_callbacks(execute=True):
        compute_month_task("2026-03", staff.pk)
    batch = Batch.objects.get(month=MARCH)
    assert (batch.status, batch.townships_done) == ("computing", 1)
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        compute_month_task("2026-03", staff.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.townships_done) == ("draft", 2)
    assert summary(batch) == EXPECTED_MARCH
    assert_each_line_once(batch)
    lines = snapshot(batch)
    assert clean_run(batch, staff) == lines


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_finish_waits_for_every_township(caseload, staff, township_a, township_b):
    batch = start_batch(month=MARCH, actor=staff)
    assert compute_township(batch_id=batch.pk, township_id=township_a.pk) == 2
    assert finish_batch(batch_id=batch.pk).status == "computing"
    assert compute_township(batch_id=batch.pk, township_id=township_b.pk) == 2
    done = finish_batch(batch_id=batch.pk)
    assert (done.status, done.townships_done, done.line_count) == ("draft", 2, 4)
    # A late duplicate of a township task changes nothing.
    assert compute_township(batch_id=batch.pk, township_id=township_a.pk) == 2
    assert finish_batch(batch_id=batch.pk).line_count == 4
    assert_each_line_once(done)


# -------------------------------------------------------------------------------------------------
# Two computations at the same moment (PostgreSQL)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so two computations cannot race: run with DATABASE_URL=postgres://...",
)
# Committed data, so that every thread's connection sees it; the fixtures bring back the programmes and
# groups the migrations loaded (tests.factories.ensure_reference_data), which a transactional flush removes.
@pytest.mark.django_db(transaction=True)
def test_two_computations_of_the_same_month_at_once(caseload, staff):
    for round_ in range(3):
        if round_:  # later rounds race over recomputing the draft
            assert Batch.objects.get(month=MARCH).status == "draft"
        results, errors = race(4, lambda: compute_month(month=MARCH, actor=staff).pk)
        assert errors == []
        assert len(results) == 4
        assert len(set(results)) == 1
        batch = Batch.objects.get(month=MARCH)
        assert Batch.objects.count() == 2  # February and March
        assert batch.status == "draft"
        assert summary(batch) == EXPECTED_MARCH
        assert_each_line_once(batch)


def race(n: int, work) -> tuple[list, list]:
    """Run `work` in n threads released at the same moment, each on its own database connection."""
    start = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            start.wait(timeout=10)
            results.append(work())
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    with time_machine.travel(D("2026-03-28")):  # the clock is process-wide: set once, for every thread
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results, errors


def held_open(monkeypatch, target, name, township_id=None):
    """Patch `target.name` so that a call (for `township_id`, if given) waits inside its transaction
    until released. Returns (entered, release) events."""
    original = getattr(target, name)
    entered, release = threading.Event(), threading.Event()

    def wait_then_call(*args, **kwargs):
        if township_id is None or township_id in args or kwargs.get("township_id") == township_id:
            entered.set()
            release.wait(timeout=20)
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wait_then_call)
    return entered, release


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)")
@pytest.mark.django_db(transaction=True)
def test_townships_of_one_batch_compute_side_by_side(caseload, staff, township_a, township_b, monkeypatch):
    """The fan-out is per township: a slow township must not hold the others up (no lock on the batch row)."""
    import subsidies.disbursement

    with time_machine.travel(D("2026-03-28")):
        batch = start_batch(month=MARCH, actor=staff)
    entered, release = held_open(monkeypatch, subsidies.disbursement, "_township_lines", township_a.pk)
    slow = threading.Thread(target=worker_call(compute_township, batch_id=batch.pk, township_id=township_a.pk))
    fast = threading.Thread(target=worker_call(compute_township, batch_id=batch.pk, township_id=township_b.pk))
    slow.start()
    try:
        assert entered.wait(timeout=10)  # township A's transaction is open, its row locked
        fast.start()
        fast.join(timeout=10)
        assert not fast.is_alive(), "township B waited for township A"
    finally:
        release.set()
        for thread in (slow, fast):
            if thread.ident:
                thread.join(timeout=30)
    assert finish_batch(batch_id=batch.pk).status == "draft"
    assert summary(batch) == EXPECTED_MARCH


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite locks the file)")
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_in_progress_does_not_block_the_computation(
    caseload, caseworker_a, supervisor_a, staff, programmes, township_a, village_a, monkeypatch
):
    """Confirming locks the enrolment only: not its programme or child, which every line refers to."""
    import subsidies.services
    from subsidies.services import apply_enrolment, check_enrolment, confirm_enrolment

    with time_machine.travel(D("2026-03-25")):
        child = make_orphan(ChildFactory(township=township_a, village=village_a), staff)
        pending = apply_enrolment(
            actor=caseworker_a, child=child, programme=programmes["orphan_scattered"], applied_on=D("2026-03-20")
        )
        check_enrolment(actor=supervisor_a, enrolment=pending)
    entered, release = held_open(monkeypatch, subsidies.services, "_refuse_if_problems")
    with time_machine.travel(D("2026-03-28")):
        confirming = threading.Thread(target=worker_call(confirm_enrolment, actor=staff, enrolment=pending))
        computing = threading.Thread(target=worker_call(compute_month, month=MARCH, actor=staff))
        confirming.start()
        try:
            assert entered.wait(timeout=10)  # the confirmation's transaction holds its row locks
            computing.start()
            computing.join(timeout=10)
            assert not computing.is_alive(), "the computation waited for a clerk's confirmation"
        finally:
            release.set()
            for thread in (confirming, computing):
                if thread.ident:
                    thread.join(timeout=30)
    assert Batch.objects.get(month=MARCH).status == "draft"
    assert summary(Batch.objects.get(month=MARCH)) == EXPECTED_MARCH


def worker_call(function, **kwargs):
    """A thread body: the call on the thread's own connection, closed afterwards."""

    def run():
        try:
            function(**kwargs)
        finally:
            connections.close_all()

    return run


@pytest.mark.django_db
@time_machine.travel(D("2026-03-28"))
def test_a_township_task_retries_after_a_database_hiccup(
    caseload, staff, township_b, monkeypatch, django_capture_on_commit_callbacks
):
    """A deadlock or a dropped connection (OperationalError) is retried; the township then completes."""
    import subsidies.tasks

    original, failures = subsidies.tasks.compute_township, []

    def deadlock_once(*, batch_id, township_id):
        if township_id == township_b.pk and not failures:
            failures.append(township_id)
            raise OperationalError("deadlock detected")
        return original(batch_id=batch_id, township_id=township_id)

    monkeypatch.setattr(subsidies.tasks, "compute_township", deadlock_once)
    # In-process tasks retry only when they do not propagate errors (as on a worker).
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            compute_month_task("2026-03", staff.pk)
    finally:
        celery_app.conf.task_eager_propagates = propagates
    batch = Batch.objects.get(month=MARCH)
    assert failures == [township_b.pk]
    assert (batch.status, batch.townships_done) == ("draft", 2)
    assert summary(batch) == EXPECTED_MARCH
