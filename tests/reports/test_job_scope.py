"""A report job is opened against the user's scope as it is now: a supervisor moved to another
township gets 404 for the old township's jobs, on the page, the download, the retry and the list."""

import datetime

import pytest
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user
from reports import jobs, views
from reports.figures import Period
from reports.models import ReportJob


def move(user, township):
    """The user's scope changed by the user form's service: now only `township`."""
    data = {"username": user.username, "full_name": user.first_name, "role": Role.SUPERVISOR}
    save_staff_user(actor=None, data={**data, "townships": [township]}, user=user)


@pytest.mark.parametrize("kind", ["case_files", "monthly"])
def test_a_supervisor_moved_to_another_township_gets_404_for_the_old_townships_jobs(
    client, world, supervisor_a, township_b, kind
):
    if kind == "monthly":
        may = datetime.date(2026, 5, 1)
        job = jobs.start_monthly_job(
            period=Period(may, may), scope=views.report_scope(supervisor_a), actor=supervisor_a, title="月报"
        )
    else:
        job = jobs.start_case_files_job(township=world["a1"].township, actor=supervisor_a)
    jobs.run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    client.force_login(supervisor_a)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 200
    assert job in client.get(reverse("reports:print")).context["jobs"]

    move(supervisor_a, township_b)
    client.force_login(supervisor_a)
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).count()
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:job", args=[job.pk]), HTTP_ACCEPT="application/json").status_code == 404
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("reports:job_retry", args=[job.pk])).status_code == 404
    assert job not in client.get(reverse("reports:print")).context["jobs"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).count() == downloads

    move(supervisor_a, world["a1"].township)  # moved back: the job is theirs to see again
    client.force_login(supervisor_a)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 200


def test_the_job_page_answers_its_script_with_the_jobs_state(client, world, staff):
    job = jobs.start_case_files_job(township=world["a1"].township, actor=staff)
    client.force_login(staff)
    state = client.get(reverse("reports:job", args=[job.pk]), HTTP_ACCEPT="application/json").json()
    assert state == {"status": "queued", "label": "排队中", "done": 0, "total": 3, "working": True}
    page = client.get(reverse("reports:job", args=[job.pk])).text
    assert 'id="progress"' in page and 'http-equiv="refresh"' in page
