"""The report pages, the print jobs and the command, end to end through the client."""

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from reports import jobs, views
from reports.models import ReportJob
from tests.factories import make_user
from tests.pdf_support import pdf_text

M = datetime.date


def packed(content: bytes) -> str:
    return pdf_text(content).replace(" ", "")


def test_the_report_page_shows_the_figures_and_charts(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:index"), {"month": "2026-01", "to": "2026-05"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.programmes_total.period.total == Decimal("14650.00")
    html = response.text
    assert "14,650.00" in html
    assert html.count("<svg") == 2
    assert "全市儿童福利工作月报（2026年1—5月）" in html


def test_the_report_page_defaults_to_last_month(client, world, staff):
    client.force_login(staff)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    assert response.context["report"].period.label == "2026年5月"


def test_a_supervisor_reports_on_their_own_township_only(client, world, supervisor_a, township_b):
    client.force_login(supervisor_a)
    response = client.get(reverse("reports:index"), {"month": "2026-05"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.scope.label == "清风店镇"
    assert report.programmes_total.period.total == Decimal("1530.00")
    response = client.get(reverse("reports:index"), {"month": "2026-05", "township": township_b.code})
    assert response.status_code == 400  # not a choice for this user
    assert "report" not in response.context
    assert "庞村镇" not in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2026-05", "to": "2026-03"}, "结束月份不能早于起始月份。"),
        ({"month": "2026-07"}, "不能统计未来的月份。"),
        ({"month": "2026-13"}, "请按“年-月”填写月份"),
        ({"month": "2023-01", "to": "2026-05"}, "一次最多统计36个月。"),
    ],
)
def test_bad_months_are_explained(client, world, staff, data, message):
    client.force_login(staff)
    response = client.get(reverse("reports:index"), data)
    assert response.status_code == 400
    assert message in response.text


def test_the_report_page_links_its_pdf_by_a_get_address_in_a_new_tab(client, world, staff):
    client.force_login(staff)
    page = client.get(reverse("reports:index"), {"month": "2026-03", "to": "2026-05", "township": "130682101"})
    address = reverse("reports:monthly_print") + "?month=2026-03&amp;to=2026-05&amp;township=130682101"
    assert f'href="{address}" target="_blank" rel="noopener"' in page.text
    assert client.post(reverse("reports:monthly_print"), {"month": "2026-05"}).status_code == 405


def test_printing_the_monthly_report(client, world, leader):
    client.force_login(leader)
    response = client.get(reverse("reports:monthly_print"), {"month": "2026-05"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "4,530.00" in packed(response.content)


def test_a_large_report_becomes_a_job_with_a_download(
    client, world, staff, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(views, "INLINE_REPORT_LINES", 3)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("reports:monthly_print"), {"month": "2026-05"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    again = client.get(reverse("reports:monthly_print"), {"month": "2026-05"})  # a reload, or a bookmark
    assert again.url == response.url and ReportJob.objects.count() == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert job.progress == job.total == 2
    page = client.get(reverse("reports:job", args=[job.pk]))
    assert "下载" in page.text
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert "4,530.00" in packed(content)
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_roster_prints_for_signature_and_is_audited(client, world, supervisor_a):
    client.force_login(supervisor_a)
    assert client.get(reverse("reports:print")).status_code == 200
    response = client.post(reverse("reports:roster"), {"month": "2026-05", "township": "130682101"})
    assert response.status_code == 200
    text = packed(response.content)
    assert "清风店镇合计" in text and "1,530.00" in text
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("id")
    assert entry.changes["document"] == "roster" and entry.changes["masked"] is True
    # Another township is not a choice for the supervisor.
    response = client.post(reverse("reports:roster"), {"month": "2026-05", "township": "130682102"})
    assert response.status_code == 400


def test_the_roster_of_a_month_without_a_batch_is_explained(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("reports:roster"), {"month": "2025-11", "township": "130682101"})
    assert response.status_code == 400
    assert "2025年11月还没有发放批次。" in response.text


def test_a_long_roster_becomes_a_job(client, world, staff, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(views, "INLINE_ROSTER_LINES", 1)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:roster"), {"month": "2026-05", "township": "130682102", "full_numbers": "on"}
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.kind, job.status, job.masked, job.total) == ("roster", "done", False, 3)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    text = packed(b"".join(download.streaming_content))
    assert world["b1"].id_number in text
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=str(job.pk)).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD, object_id=str(job.pk)).exists()


def test_a_townships_case_files_come_as_a_zip_of_pdfs(client, world, supervisor_a, django_capture_on_commit_callbacks):
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:case_files"), {"township": "130682101"})
    job = ReportJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.total == 3 and job.progress == 3
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 3 and all(n.startswith("清风店镇/") and n.endswith(".pdf") for n in names)
    assert any("/东村/甲一-" in n for n in names)
    first = archive.read(next(n for n in names if "甲一" in n))
    assert "儿童档案（一人一档）" in packed(first)
    assert world["a1"].id_number not in packed(first)


def test_jobs_are_seen_by_their_requester_and_staff(client, world, supervisor_a, leader, staff):
    job = jobs.start_case_files_job(township=world["a1"].township, actor=supervisor_a)
    jobs.run_report_job(job_id=job.pk)
    other = make_user("supervisor_a2", Role.SUPERVISOR, townships=[world["a1"].township])
    for user, status in ((supervisor_a, 200), (staff, 200), (leader, 404), (other, 404)):
        client.force_login(user)
        assert client.get(reverse("reports:job", args=[job.pk])).status_code == status
        download = client.get(reverse("reports:job_download", args=[job.pk]))
        if download.streaming:
            b"".join(download.streaming_content)  # read, so the file is closed
        assert download.status_code == status


def test_a_job_runs_once_and_a_failed_one_can_be_restarted(world, staff, django_capture_on_commit_callbacks):
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.ROSTER, params={"month": "2019-01", "township_id": 0}, title="坏任务", requested_by=staff
    )
    assert jobs.run_report_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.error
    assert jobs.run_report_job(job_id=job.pk) is None  # not claimed again until restarted
    with django_capture_on_commit_callbacks(execute=False):
        assert jobs.restart_job(job=job)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.QUEUED


def test_the_command_prints_the_report_to_a_file(world, tmp_path, township_a):
    out = tmp_path / "月报.pdf"
    call_command("print_report", "--month", "2026-01", "--to", "2026-05", "-o", str(out), stdout=io.StringIO())
    text = packed(out.read_bytes())
    assert "14,650.00" in text and "统计期：2026年1—5月" in text
    call_command(
        "print_report", "--month", "2026-05", "--township", township_a.code, "-o", str(out), stdout=io.StringIO()
    )
    text = packed(out.read_bytes())
    assert "范围：清风店镇" in text and "1,530.00" in text
    with pytest.raises(CommandError, match="没有代码为"):
        call_command("print_report", "--month", "2026-05", "--township", "999999999", "-o", str(out))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("print_report", "--month", "May", "-o", str(out))


def test_the_dashboard_shows_the_months_figures_for_the_users_scope(client, world, staff, caseworker_b):
    client.force_login(staff)
    response = client.get(reverse("dashboard"))
    figures = response.context["figures"]
    assert figures["report"].period.label == "2026年6月"
    assert figures["report"].programmes_total.year.total == Decimal("14650.00")
    assert response.text.count("<svg") == 2
    assert "2026年6月（待审批）" in response.text
    client.force_login(caseworker_b)
    figures = client.get(reverse("dashboard")).context["figures"]
    assert figures["report"].scope.label == "庞村镇"
    assert figures["report"].programmes_total.year.total == Decimal("3000.00")


def test_old_files_are_purged_and_the_job_stays(world, staff, time_machine):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    job = ReportJob.objects.create(
        kind=ReportJob.Kind.ROSTER, title="花名册", requested_by=staff, status=ReportJob.Status.DONE
    )
    job.file.save("old-roster.pdf", ContentFile(b"%PDF-1.7"), save=False)
    ReportJob.objects.filter(pk=job.pk).update(file=job.file.name, finished_at=timezone.now())
    path = job.file.path
    assert jobs.purge_old_files() == 0
    time_machine.move_to(datetime.datetime(2026, 6, 28, 10, tzinfo=datetime.UTC), tick=False)
    assert jobs.purge_old_files() == 1
    job.refresh_from_db()
    assert job.file.name == "" and not Path(path).exists()
