"""Two imports confirmed at the same moment, and what a clerk reads when a commit fails."""

import threading

import pytest
from django.db import IntegrityError, connection, connections

import imports.roster
from children.models import Child
from imports.models import ImportJob
from imports.services import confirm_import, run_commit

from .conftest import upload, xlsx_bytes
from .test_children_import import three_rows

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


def checked_job(client, django_capture_on_commit_callbacks, content: bytes, staff) -> ImportJob:
    _response, job = upload(client, "花名册.xlsx", content, capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert confirm_import(actor=staff, job=job, villages_confirmed=True, enqueue=False)
    return job


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: nothing would race")
# Committed data, so that each thread's connection sees the jobs.
@pytest.mark.django_db(transaction=True)
def test_two_files_adding_the_same_children_commit_one_after_the_other(
    client, staff, township_a, township_b, village_a, village_b, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(staff)
    content = xlsx_bytes(three_rows())
    first = checked_job(client, django_capture_on_commit_callbacks, content, staff)
    second = checked_job(client, django_capture_on_commit_callbacks, content, staff)  # both see 3 new children

    entered, release = threading.Event(), threading.Event()
    write_chunk = imports.roster.write_chunk

    def held_write_chunk(*args, **kwargs):
        entered.set()
        release.wait(timeout=20)
        return write_chunk(*args, **kwargs)

    monkeypatch.setattr(imports.roster, "write_chunk", held_write_chunk)
    results = {}

    def commit(job):
        try:
            results[job.pk] = run_commit(job_id=job.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=commit, args=(job,)) for job in (first, second)]
    threads[0].start()
    try:
        assert entered.wait(timeout=10)  # the first commit is writing, inside its transaction
        entered.clear()
        threads[1].start()
        assert not entered.wait(timeout=2), "the second commit wrote while the first was still open"
    finally:
        release.set()
        for thread in threads:
            if thread.ident:
                thread.join(timeout=60)

    assert results == {first.pk: "done", second.pk: "done"}
    second.refresh_from_db()
    assert (second.rows_new, second.rows_unchanged) == (0, 3)  # read after the first had committed
    assert Child.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "said", "unsaid"),
    [
        # Another writer added the same child first (a clerk's form, say): plain words, no constraint name.
        (
            IntegrityError('duplicate key value violates unique constraint "child_unique_id_number"'),
            "另一处同时写入了相同的数据",
            "constraint",
        ),
        # Anything else: the job's number for the administrator, never the exception's text.
        (ValueError("130682201503140025 is not a valid thing"), "任务编号 {pk}", "1306822015"),
    ],
)
def test_a_failed_commit_tells_the_clerk_in_plain_words_and_writes_nothing(
    client,
    staff,
    township_a,
    township_b,
    village_a,
    village_b,
    django_capture_on_commit_callbacks,
    monkeypatch,
    error,
    said,
    unsaid,
):
    client.force_login(staff)
    job = checked_job(client, django_capture_on_commit_callbacks, xlsx_bytes(three_rows()), staff)

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(imports.roster, "write_chunk", failing)
    assert run_commit(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert said.format(pk=job.pk) in job.error
    assert unsaid not in job.error
    assert not Child.objects.exists()
