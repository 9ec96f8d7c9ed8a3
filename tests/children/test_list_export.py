"""The children list's Excel export: the filtered list, in the user's scope, masked per role, audited,
and a job with its page above the inline limit. The not-duplicate decision and its stored pair."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from children import exports, services
from children.models import Child, ChildExportJob, NotDuplicate
from dingzhou_welfare.idnumbers import mask_id_number
from dingzhou_welfare.models import AuditEntry
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def _rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    return [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]


def test_the_export_holds_the_filtered_list_of_the_users_scope_masked(client, caseworker_a, child_a, child_a2, child_b):
    client.force_login(caseworker_a)
    response = client.post(reverse("children:export"), {"query": "township=&q="})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = sorted(_rows(response), key=lambda row: row[1])
    children = sorted([child_a, child_a2], key=lambda child: child.name)  # not child_b: another township
    assert [row[1] for row in rows] == [child.name for child in children]
    assert [row[5] for row in rows] == [mask_id_number(child.id_number) for child in children]  # masked by default
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.changes["rows"], entry.changes["masked"]) == (caseworker_a, 2, True)

    response = client.post(reverse("children:export"), {"query": f"q={child_a2.name}"})
    assert [row[1] for row in _rows(response)] == [child_a2.name]


def test_staff_may_export_full_numbers_which_the_audit_says(client, staff, child_a, child_b):
    client.force_login(staff)
    rows = _rows(client.post(reverse("children:export"), {"query": "", "full_numbers": "1"}))
    assert {row[5] for row in rows} == {child_a.id_number, child_b.id_number}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.changes["masked"] is False and "未脱敏" in entry.summary


def test_above_the_limit_the_export_is_a_job_with_a_page(
    client, staff, child_a, child_a2, child_b, monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "INLINE_MAX", 2)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("children:export"), {"query": "status=active"})
    job = ChildExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("children:export_job", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.row_count, job.masked, job.query) == ("done", 3, True, {"status": "active"})
    page = client.get(response.url)
    assert page.status_code == 200 and "下载文件" in page.text
    download = client.get(reverse("children:export_download", args=[job.pk]))
    assert len(_rows(download)) == 3
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD, object_id=str(job.pk)).exists()


def test_a_job_of_another_user_or_another_township_is_not_found(client, staff, caseworker_a, caseworker_b, child_a):
    job = exports.start_export_job(actor=caseworker_a, query={}, masked=True, total=1)
    assert job.townships == [child_a.township_id]
    client.force_login(caseworker_b)
    assert client.get(reverse("children:export_job", args=[job.pk])).status_code == 404
    client.force_login(caseworker_a)
    assert client.get(reverse("children:export_job", args=[job.pk])).status_code == 200


def _twins(staff, township, village):
    data = {
        "name": "周雨桐",
        "sex": "F",
        "birth_date": datetime.date(2014, 6, 1),
        "hukou_type": Child.HukouType.RURAL,
        "township": township,
        "village": village,
    }
    first = services.create_child(actor=staff, data={**data, "id_number": make_id_number(data["birth_date"], "F")})
    second = services.create_child(actor=staff, data={**data, "id_number": "", "no_id_reason": "户籍待核实"})
    first.refresh_from_db()
    return first, second, data


def test_not_a_duplicate_silences_the_pair_and_a_third_record_flags_again(staff, township_a, village_a):
    first, second, data = _twins(staff, township_a, village_a)
    assert list(services.likely_duplicates_of(first)) == [second]
    services.mark_not_duplicate(actor=staff, child=first, other=second, reason="双胞胎，已核对户口簿")
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.likely_duplicate and not second.likely_duplicate
    assert NotDuplicate.objects.get().first == first
    with pytest.raises(Exception, match="不在疑似重复之列"):
        services.mark_not_duplicate(actor=staff, child=first, other=second, reason="再来一次")

    services.update_child(actor=staff, child=second, data={"note": "改了备注"})  # a rewrite keeps it silent
    second.refresh_from_db()
    assert not second.likely_duplicate
    third = services.create_child(actor=staff, data={**data, "id_number": "", "no_id_reason": "无户口"})
    first.refresh_from_db()
    assert third.likely_duplicate and first.likely_duplicate  # a new record is a new pair to check
    assert list(services.likely_duplicates_of(first)) == [third]


def test_not_a_duplicate_through_the_page_needs_a_reason_and_a_writer(client, staff, leader, township_a, village_a):
    first, second, _data = _twins(staff, township_a, village_a)
    url = reverse("children:not_duplicate", args=[first.pk, second.pk])
    client.force_login(staff)
    page = client.get(reverse("children:detail", args=[first.pk]))
    assert f'href="/children/{second.pk}/"' in page.text and "不是重复" in page.text
    response = client.post(url, {"reason": ""}, follow=True)
    assert "请写明核实情况" in response.text
    assert not NotDuplicate.objects.exists()
    client.force_login(leader)
    assert client.post(url, {"reason": "看过了"}).status_code == 404
    client.force_login(staff)
    client.post(url, {"reason": "双胞胎"})
    assert NotDuplicate.objects.filter(first=first, second=second, decided_by=staff).exists()
    assert AuditEntry.objects.filter(child=second, summary__startswith="核实不是重复").exists()
