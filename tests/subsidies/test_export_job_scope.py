"""An export job holds the whole batch (every township): it is opened against the user's scope as it is
now, so a member of bureau staff (or the leader) moved to a township's supervisor gets 404 for it."""

import datetime

import pytest
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.services import save_staff_user
from subsidies import exports
from subsidies.disbursement import compute_month
from subsidies.models import ExportJob


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_a_county_user_moved_to_a_township_gets_404_for_their_export_job(
    request, client, township_a, programmes, time_machine, role
):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)
    user = request.getfixturevalue(role)
    batch = compute_month(month=datetime.date(2026, 4, 1), actor=request.getfixturevalue("staff"))
    job = exports.start_export_job(batch=batch, actor=user, fmt="csv", kind=ExportJob.Kind.SUMMARY)
    exports.run_export_job(job_id=job.pk)
    client.force_login(user)
    assert client.get(reverse("subsidies:export_job", args=[job.pk])).status_code == 200
    download = client.get(reverse("subsidies:export_download", args=[job.pk]))
    b"".join(download.streaming_content)
    assert download.status_code == 200

    data = {"username": user.username, "full_name": user.first_name, "role": Role.SUPERVISOR}
    save_staff_user(actor=None, data={**data, "townships": [township_a]}, user=user)
    client.force_login(user)
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).count()
    assert client.get(reverse("subsidies:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("subsidies:export_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("subsidies:export_retry", args=[job.pk])).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).count() == downloads
