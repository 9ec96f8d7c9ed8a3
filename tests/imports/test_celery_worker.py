"""A real Celery worker on Redis checks and then commits an upload, while the page reads the job's state.

Needs REDIS_URL and PostgreSQL, like tests/subsidies/test_celery_worker.py (whose worker helpers this
uses): the worker is another process, reaching the broker and the test database over the network, and
the uploaded file through the same MEDIA_ROOT.
"""

import tempfile
import time
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from children.models import Child
from dingzhou_welfare.celery import app
from imports.models import ImportJob
from imports.services import confirm_import, start_import
from subsidies.models import Enrolment
from tests.subsidies.test_celery_worker import not_eager, start_worker, stop_worker  # noqa: F401 - a fixture

from .conftest import roster_row, xlsx_bytes

WAIT_SECONDS = 60


def wait_for(job, statuses, worker):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job.refresh_from_db()
        if job.status in statuses or worker.poll() is not None or time.monotonic() > deadline:
            return job.status
        time.sleep(0.25)


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: runs a real Celery worker on Redis (CI sets it)")
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL): a worker process cannot see SQLite's in-memory test database",
)
# Committed data for the worker's connection. No serialized_rollback: its flush skips post_migrate, which
# leaves the permissions table empty for the tests after this one; the factories bring back what the
# data migrations loaded (role groups, programmes) when a later test needs them.
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_commits_an_import(client, staff, township_a, not_eager, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    queue = f"dzw-test-{uuid.uuid4().hex[:12]}"
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the tasks the services queue go to this worker alone
    client.force_login(staff)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        worker = start_worker(queue, log)
        try:
            job = start_import(
                actor=staff,
                kind="children",
                upload=SimpleUploadedFile("花名册.xlsx", xlsx_bytes([roster_row()])),
            )
            assert wait_for(job, {"ready", "invalid", "refused", "failed"}, worker) == "ready"
            state = client.get(reverse("imports:progress", args=[job.pk])).json()
            assert state["status"] == "ready" and not state["working"]
            assert not Child.objects.exists()
            assert confirm_import(actor=staff, job=job, villages_confirmed=True)
            assert wait_for(job, {"done", "invalid", "failed"}, worker) == "done"
        finally:
            app.conf.task_default_queue = default_queue
            stop_worker(worker)
            log.seek(0)
            output = log.read()
    assert job.status == ImportJob.Status.DONE, output
    assert Child.objects.get().name == "王小花"
    assert Enrolment.objects.get().prior_paid_through is not None
    assert "imports.tasks.check_import_task[" in output and "imports.tasks.commit_import_task[" in output
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已导入" in page
