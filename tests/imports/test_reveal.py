"""The import preview masks ID numbers like every other page; one row is revealed on request, and recorded."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry

from .conftest import roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


@pytest.fixture
def job(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(
        client, "花名册.xlsx", xlsx_bytes([roster_row()]), capture=django_capture_on_commit_callbacks
    )
    return job


def masked(number: str) -> str:
    return number[:4] + "*" * 10 + number[-4:]


def test_the_preview_masks_every_id_number(client, job):
    number = job.rows.get().key
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert masked(number) in page
    assert number not in page
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_revealing_one_row_shows_it_in_full_and_is_audited(client, staff, job):
    number = job.rows.get().key
    response = client.post(reverse("imports:reveal", args=[job.pk]) + "?show=all", {"line": "2"})
    assert response.status_code == 200
    row = re.search(r'<tr class="row-new" data-line="2">.*?</tr>', response.content.decode(), re.S)[0]
    assert number in row
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert (entry.actor, entry.object_type, entry.object_id) == (staff, "importjob", str(job.pk))
    assert entry.changes == {"file": "花名册.xlsx", "line": 2}
    # The next page view is masked again.
    assert number not in client.get(reverse("imports:job", args=[job.pk])).content.decode()


@pytest.mark.parametrize("line", ["", "x", "99"])
def test_a_row_that_is_not_there_is_a_404(client, job, line):
    assert client.post(reverse("imports:reveal", args=[job.pk]), {"line": line}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_only_bureau_staff_reach_it(client, caseworker_a, job):
    client.force_login(caseworker_a)
    assert client.post(reverse("imports:reveal", args=[job.pk]), {"line": "2"}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_the_errors_workbook_keeps_full_numbers_and_its_download_is_audited(client, staff, job):
    number = job.rows.get().key
    response = client.get(reverse("imports:errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("身份证号") + 1).value == number
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_type="importjob")
    assert entry.actor == staff
