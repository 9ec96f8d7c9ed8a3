"""A real Celery worker on Redis computes a month: the job, its per-township fan-out and the totals.

Needs REDIS_URL and PostgreSQL (CI sets both): the worker is a separate process, so it must reach the
broker and the test database over the network. The data is committed (a transactional test), the
worker is started against the test database, and this process only sends the job and waits.

The worker consumes a queue of its own, and its default queue is set to that same queue, so the
township tasks it fans out come back to it, never to another worker that happens to share Redis.
"""

import datetime
import os
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings

from dingzhou_welfare.celery import app
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Batch, BatchTownship, Line
from subsidies.tasks import compute_month_task
from tests.factories import ChildFactory

from .conftest import enrol, make_orphan

D = datetime.date.fromisoformat
WAIT_SECONDS = 60

# The project's Celery app, with its default queue taken from the environment: the fan-out's
# compute_township_task.delay(...) then lands on the queue this worker alone consumes.
WORKER = """
import os, sys
from dingzhou_welfare.celery import app
app.conf.task_default_queue = os.environ["DZW_TEST_QUEUE"]
app.worker_main(["worker", *sys.argv[1:]])
"""


def database_url() -> str:
    """The test database (not the one DATABASE_URL names): pytest-django renamed it for this run."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


def start_worker(queue: str, log):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dingzhou_welfare.settings",
        "DEBUG": "true",
        "SECRET_KEY": "test-only-worker-secret-key",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "0",  # nothing left open on the test database when the worker stops
        "REDIS_URL": settings.REDIS_URL,
        "DZW_TEST_QUEUE": queue,
    }
    command = [
        sys.executable,
        "-c",
        WORKER,
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
        f"--hostname={queue}@%h",
        "-Q",
        queue,
    ]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT
    )


def stop_worker(worker) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


@pytest.fixture
def not_eager():
    """Tasks go to the broker in this test (the test settings run them in-process otherwise)."""
    before = app.conf.task_always_eager
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        app.conf.task_always_eager = False
        try:
            yield
        finally:
            app.conf.task_always_eager = before


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: runs a real Celery worker on Redis (CI sets it)")
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL): a worker process cannot see SQLite's in-memory test database",
)
# Committed data for the worker's own connection; the fixtures bring back the programmes and groups the migrations
# loaded (tests.factories.ensure_reference_data), which the flush after a transactional test removes.
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_a_month(
    township_a, township_b, village_a, village_b, caseworker_a, supervisor_a, staff, leader, programmes, not_eager
):
    with time_machine.travel(D("2026-03-25")):
        children = [
            make_orphan(ChildFactory(township=township_a, village=village_a), staff),
            make_orphan(ChildFactory(township=township_a, village=village_a), staff),
            make_orphan(ChildFactory(township=township_b, village=village_b), staff),
        ]
        for child, confirmed_on in zip(children, ["2026-01-10", "2026-01-10", "2026-01-20"], strict=True):
            if child is children[2]:  # confirmed after February was approved, dated back into it
                approve_batch(batch=compute_month(month=D("2026-02-01"), actor=staff), actor=leader)
            enrol(
                child,
                programmes["orphan_scattered"],
                applicant=caseworker_a,
                checker=supervisor_a,
                confirmer=staff,
                applied_on=D("2026-01-05"),
                confirmed_on=D(confirmed_on),
            )

    queue = f"dzw-test-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        worker = start_worker(queue, log)
        try:
            compute_month_task.apply_async(args=("2026-03", staff.pk), queue=queue)
            deadline = time.monotonic() + WAIT_SECONDS
            while not Batch.objects.filter(month=D("2026-03-01"), status=Batch.Status.DRAFT).exists():
                if worker.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.25)
        finally:
            stop_worker(worker)
            log.seek(0)
            output = log.read()

    batch = Batch.objects.filter(month=D("2026-03-01")).first()
    assert batch is not None and batch.status == Batch.Status.DRAFT, f"no draft batch; worker said:\n{output}"
    assert batch.run_by == staff
    assert (batch.townships_total, batch.townships_done) == (2, 2)
    assert set(BatchTownship.objects.filter(batch=batch).values_list("status", flat=True)) == {"done"}
    lines = sorted(
        (township, f"{period:%Y-%m}", kind, amount)
        for township, period, kind, amount in Line.objects.filter(batch=batch).values_list(
            "township__name", "period", "kind", "amount"
        )
    )
    assert lines == [
        ("庞村镇", "2026-02", "arrears", Decimal("1000.00")),
        ("庞村镇", "2026-03", "normal", Decimal("1000.00")),
        ("清风店镇", "2026-03", "normal", Decimal("1000.00")),
        ("清风店镇", "2026-03", "normal", Decimal("1000.00")),
    ]
    assert (batch.line_count, batch.total_amount) == (4, Decimal("4000.00"))
    # The worker ran the job and both township tasks it fanned out.
    assert output.count("subsidies.tasks.compute_month_task[") >= 2  # received, succeeded
    succeeded = [line for line in output.splitlines() if "compute_township_task[" in line and "succeeded" in line]
    assert len(succeeded) == 2, output
