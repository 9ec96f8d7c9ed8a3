"""An import file may name any township: its job is opened against the user's scope as it is now, so
bureau staff moved to a township's supervisor get 404 for the job, its state and its marked file."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user
from imports.models import ImportJob
from imports.services import run_check, start_import

from .conftest import roster_row, xlsx_bytes


def test_staff_moved_to_a_township_gets_404_for_the_import_job(client, staff, township_a):
    upload = SimpleUploadedFile("花名册.xlsx", xlsx_bytes([roster_row()]))
    job = start_import(actor=staff, kind=ImportJob.Kind.CHILDREN, upload=upload, enqueue=False)
    run_check(job_id=job.pk)
    client.force_login(staff)
    urls = [
        reverse("imports:job", args=[job.pk]),
        reverse("imports:progress", args=[job.pk]),
        reverse("imports:errors", args=[job.pk]),
    ]
    for url in urls:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200, url

    data = {"username": staff.username, "full_name": staff.first_name, "role": Role.SUPERVISOR}
    save_staff_user(actor=None, data={**data, "townships": [township_a]}, user=staff)
    client.force_login(staff)
    exports = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count()
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("imports:retry", args=[job.pk])).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == exports
