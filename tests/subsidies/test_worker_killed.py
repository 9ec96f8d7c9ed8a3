"""A real worker killed (SIGKILL) at each stage of a month's computation: beat's requeue finishes the
batch without anyone pressing 继续计算, and the killed job's message, handed back by Redis later,
leaves the finished draft alone (subsidies/tasks.py requeue_stalled_batches, start_batch's requested_at).

Needs REDIS_URL and PostgreSQL, like tests/subsidies/test_celery_worker.py, whose worker helpers this
uses. The worker kills itself with SIGKILL at the chosen point (no cleanup, no acknowledgement), as
the kernel's OOM killer or `kill -9` would.
"""

import datetime
import signal
import tempfile
import time
import uuid

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

import tests.subsidies.test_celery_worker as worker_helpers
from dingzhou_welfare.celery import app
from dingzhou_welfare.models import AuditEntry
from subsidies.models import Batch
from subsidies.tasks import compute_month_task, requeue_stalled_batches

from .test_celery_worker import not_eager, start_worker, stop_worker  # noqa: F401 - a fixture
from .test_concurrency import EXPECTED_MARCH, MARCH, assert_each_line_once, caseload, summary  # noqa: F401

WAIT_SECONDS = 60

# The helpers' worker, which kills itself at DZW_TEST_KILL_AT: after the batch is started and before any
# township is queued; inside the second township's transaction, its lines written; after the last
# township, before the totals.
KILLING_WORKER = """
import os, signal, sys
from celery.signals import worker_ready
from dingzhou_welfare.celery import app
app.conf.task_default_queue = os.environ["DZW_TEST_QUEUE"]
stage = os.environ.get("DZW_TEST_KILL_AT", "")

def die():
    os.kill(os.getpid(), signal.SIGKILL)

@worker_ready.connect
def arm(**kwargs):
    import subsidies.disbursement as disbursement
    import subsidies.tasks as tasks
    if stage == "before the first township":
        tasks.pending_townships = lambda batch: die()
    elif stage == "mid-way":
        write, calls = disbursement._write_lines, []
        def write_then_die(rows):
            write(rows)
            calls.append(rows)
            if len(calls) == 2:
                die()
        disbursement._write_lines = write_then_die
    elif stage == "after the last township":
        finish = tasks.finish_batch
        def die_before_totals(*, batch_id):
            from subsidies.models import BatchTownship
            if not BatchTownship.objects.filter(batch_id=batch_id, status="pending").exists():
                die()
            return finish(batch_id=batch_id)
        tasks.finish_batch = die_before_totals

app.worker_main(["worker", *sys.argv[1:]])
"""


def wait_until(condition, worker, seconds=WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker is not None and worker.poll() is not None:
            return condition()
        time.sleep(0.25)
    return False


def redelivered_by_redis() -> int:
    """What Redis does once a message has been unacknowledged for the visibility timeout (here: now)."""
    with app.connection_for_write(transport_options={"visibility_timeout": 0}) as conn:
        qos = conn.default_channel.qos
        waiting = conn.default_channel.client.hlen(qos.unacked_key)
        qos.restore_visible(num=100)
        return waiting


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: runs a real Celery worker on Redis (CI sets it)")
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL): a worker process cannot see SQLite's in-memory test database",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("stage", "done_when_killed"),
    [("before the first township", 0), ("mid-way", 1), ("after the last township", 2)],
)
@pytest.mark.usefixtures("caseload", "not_eager")
def test_a_worker_killed_mid_month_is_recovered_by_beat(staff, monkeypatch, stage, done_when_killed):
    queue = f"dzw-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(worker_helpers, "WORKER", KILLING_WORKER)
    monkeypatch.setenv("DZW_TEST_KILL_AT", stage)
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue  # requeued tasks: this worker
    try:
        recover(queue, staff, monkeypatch, stage, done_when_killed)
    finally:
        app.conf.task_default_queue = default_queue


def recover(queue, staff, monkeypatch, stage, done_when_killed):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        killed = start_worker(queue, log)
        try:
            requested_at = timezone.now().isoformat()
            compute_month_task.apply_async(args=("2026-03", staff.pk, requested_at), queue=queue)
            killed.wait(timeout=WAIT_SECONDS)
        finally:
            if killed.poll() is None:
                stop_worker(killed)
            log.seek(0)
            output = log.read()
    assert killed.returncode == -signal.SIGKILL, output

    batch = Batch.objects.get(month=MARCH)
    parts = batch.townships.filter(status="done").count()
    assert (batch.status, parts, batch.townships_total) == ("computing", done_when_killed, 2), output
    assert broker.hlen("unacked") >= 1  # the killed task's message, for Redis to hand back in hours

    # Beat, STALE_AFTER later: the pending townships (or the totals) again.
    assert requeue_stalled_batches(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    assert requeue_stalled_batches(now=timezone.now() + datetime.timedelta(minutes=11)) == 0  # once per STALE_AFTER
    monkeypatch.setenv("DZW_TEST_KILL_AT", "")
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        worker = start_worker(queue, log)
        try:
            draft = wait_until(lambda: Batch.objects.filter(pk=batch.pk, status="draft").exists(), worker)
            assert draft, "the batch stayed computing"
            batch.refresh_from_db()
            finished_at, audited = batch.computed_at, AuditEntry.objects.count()

            # The killed job's message comes back: the draft finished meanwhile is not reopened.
            assert redelivered_by_redis() >= 1
            assert wait_until(lambda: broker.llen(queue) == 0 and broker.hlen("unacked") == 0, worker)
            time.sleep(1)
        finally:
            stop_worker(worker)
            log.seek(0)
            output = log.read()

    batch.refresh_from_db()
    assert batch.status == "draft", output
    assert batch.computed_at == finished_at, "the redelivered job reopened the draft"
    assert AuditEntry.objects.count() == audited
    assert summary(batch) == EXPECTED_MARCH
    assert_each_line_once(batch)


def test_redis_hands_a_message_back_only_after_the_longest_task_could_have_run():
    """With acks late a running task's message waits in Redis; one handed back sooner would run twice."""
    app.loader.import_default_modules()
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "subsidies.tasks.compute_month_task" in ours
    for name, task in ours.items():
        assert (task.time_limit or app.conf.task_time_limit) < visibility, name


@pytest.mark.django_db
@pytest.mark.usefixtures("caseload")
def test_a_month_job_delivered_again_leaves_a_draft_finished_since_alone(staff, django_capture_on_commit_callbacks):
    asked = timezone.now()
    with (
        time_machine.travel(asked + datetime.timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        compute_month_task("2026-03", staff.pk, asked.isoformat())
    batch = Batch.objects.get(month=MARCH)
    finished_at, audited = batch.computed_at, AuditEntry.objects.count()
    with time_machine.travel(asked + datetime.timedelta(hours=5)):  # Redis hands the message back
        with django_capture_on_commit_callbacks(execute=True):
            compute_month_task("2026-03", staff.pk, asked.isoformat())
        batch.refresh_from_db()
        assert (batch.status, batch.computed_at) == ("draft", finished_at)
        assert AuditEntry.objects.count() == audited
        with django_capture_on_commit_callbacks(execute=True):  # asked again now: computed again
            compute_month_task("2026-03", staff.pk, timezone.now().isoformat())
    batch.refresh_from_db()
    assert batch.status == "draft" and batch.computed_at > finished_at
    assert summary(batch) == EXPECTED_MARCH


@pytest.mark.django_db
@pytest.mark.usefixtures("caseload")
def test_beat_finishes_a_batch_whose_worker_is_gone(staff, township_a, django_capture_on_commit_callbacks):
    from subsidies.disbursement import compute_township, start_batch

    batch = start_batch(month=MARCH, actor=staff)
    compute_township(batch_id=batch.pk, township_id=township_a.pk)  # then the worker died
    assert requeue_stalled_batches() == 0  # progress a moment ago
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_batches(now=timezone.now() + datetime.timedelta(minutes=11)) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.townships_done) == ("draft", 2)
    assert summary(batch) == EXPECTED_MARCH
