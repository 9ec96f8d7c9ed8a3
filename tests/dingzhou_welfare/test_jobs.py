"""The one job mechanism (dingzhou_welfare/jobs): the scope check every job page and download asks,
the claim that lets one worker in, stale detection and restart. The kinds' own tests drive it
through their pages (tests/imports, tests/subsidies/test_exports.py, tests/reports)."""

import datetime

import pytest

from dingzhou_welfare.jobs import services as jobs
from dingzhou_welfare.jobs.views import covers
from reports.models import ReportJob


@pytest.mark.parametrize(
    ("role", "whole_county", "own_township", "other_township"),
    [
        ("staff", True, True, True),
        ("leader", True, True, True),
        ("supervisor_a", False, True, False),
        ("caseworker_a", False, True, False),
        ("caseworker_village", False, False, False),  # limited to some villages: no whole township
        ("administrator", False, False, False),
    ],
)
def test_covers_asks_the_users_scope_now(
    request, township_a, township_b, role, whole_county, own_township, other_township
):
    user = request.getfixturevalue(role)
    assert covers(user, None) is whole_county
    assert covers(user, (township_a.pk,)) is own_township
    assert covers(user, (township_a.pk, township_b.pk)) is other_township


def test_one_claim_wins_and_a_stale_job_is_claimed_again(staff, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 8, tzinfo=datetime.UTC), tick=False)
    job = ReportJob.objects.create(kind=ReportJob.Kind.MONTHLY, title="月报", requested_by=staff, total=4)
    assert jobs.claim(ReportJob, job_id=job.pk)
    assert not jobs.claim(ReportJob, job_id=job.pk)  # a duplicate delivery
    jobs.record_progress(ReportJob, job_id=job.pk, done=2)
    job.refresh_from_db()
    assert (job.status, job.percent, job.is_stale()) == ("running", 50, False)
    assert not jobs.restart(job, task=None)  # still moving: nothing to restart
    time_machine.shift(ReportJob.STALE_AFTER + datetime.timedelta(seconds=1))
    job.refresh_from_db()
    assert job.is_stale()
    assert jobs.claim(ReportJob, job_id=job.pk)  # its worker is gone: another may take it
    jobs.fail(ReportJob, job_id=job.pk, error="磁盘已满")
    job.refresh_from_db()
    assert (job.status, job.error, job.working, job.is_stale()) == ("failed", "磁盘已满", False, False)


def test_a_failed_job_is_queued_again_with_its_task_on_commit(staff):
    queued = []

    class Task:
        @staticmethod
        def delay_on_commit(job_id):
            queued.append(job_id)

    job = ReportJob.objects.create(
        kind=ReportJob.Kind.MONTHLY, title="月报", requested_by=staff, status=ReportJob.Status.FAILED, error="x"
    )
    assert jobs.restart(job, task=Task)
    job.refresh_from_db()
    assert (job.status, job.error, job.finished_at, queued) == ("queued", "", None, [job.pk])
    jobs.finish(ReportJob, job_id=job.pk, progress=4)
    job.refresh_from_db()
    assert (job.status, job.percent) == ("done", 100)
    assert not jobs.restart(job, task=Task)


def test_beat_queues_a_stalled_job_of_every_registered_kind_once(staff, time_machine, monkeypatch):
    """requeue_stalled_work_task asks each app's registered watch (AppConfig.ready); a report job
    whose worker is gone is queued again once per STALE_AFTER, a moving one is left alone."""
    from dingzhou_welfare import tasks as watch
    from reports import jobs as report_jobs

    queued = []
    monkeypatch.setattr(report_jobs, "restart_job", lambda *, job: queued.append(job.pk) or True)
    watch.watch_stalled("reports", lambda: watch.requeue_stalled_jobs(ReportJob, restart=report_jobs.restart_job))
    assert {"imports", "reports", "subsidies.batches", "subsidies.exports"} <= set(watch._WATCHES)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
    stuck = ReportJob.objects.create(kind=ReportJob.Kind.MONTHLY, title="月报", requested_by=staff)
    watch.requeue_stalled_work_task()
    assert queued == []  # made a moment ago
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 11, tzinfo=datetime.UTC), tick=False)
    watch.requeue_stalled_work_task()
    watch.requeue_stalled_work_task()
    assert queued == [stuck.pk]
