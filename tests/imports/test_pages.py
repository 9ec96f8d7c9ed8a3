"""The import pages: who may use them, the templates, progress, confirming twice, the command line."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child
from imports.models import ImportJob
from imports.roster import COLUMNS, OPTIONAL_COLUMNS
from imports.services import is_stale, restart_import
from tests.factories import make_id_number

from .conftest import confirm, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


@pytest.mark.parametrize("role", ["caseworker_a", "supervisor_a", "leader", "administrator", "outsider"])
def test_only_bureau_staff_may_import(request, client, role, township_a, django_capture_on_commit_callbacks):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("imports:index")).status_code == 404
    response, job = upload(
        client, "花名册.xlsx", xlsx_bytes([roster_row()]), capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 404 and job is None
    assert "数据导入" not in client.get(reverse("dashboard")).content.decode()


def test_staff_sees_the_page_and_the_nav_link(client, staff):
    client.force_login(staff)
    page = client.get(reverse("imports:index")).content.decode()
    assert "上传并检查" in page and reverse("imports:template", args=["children"]) in page
    assert reverse("imports:index") in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize(
    ("kind", "columns"),
    [("children", COLUMNS + OPTIONAL_COLUMNS), ("standards", ["保障项目", "月标准（元）", "起始月份"])],
)
def test_templates_download_with_the_headers_and_help(client, staff, township_a, kind, columns):
    client.force_login(staff)
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in workbook.worksheets[0][1]] == columns
    notes = " ".join(str(c.value) for row in workbook.worksheets[1].iter_rows() for c in row if c.value)
    assert "必填" in notes
    if kind == "children":
        assert "清风店镇" in notes and "散居孤儿基本生活费" in notes
    assert client.get(reverse("imports:template", args=["other"])).status_code == 404


def test_the_template_itself_imports_once_filled(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    response = client.get(reverse("imports:template", args=["children"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    row = roster_row()
    workbook.worksheets[0].append([row[c] or None for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    _response, job = upload(client, "模板.xlsx", out.getvalue(), capture=django_capture_on_commit_callbacks)
    assert (job.status, job.rows_new) == (ImportJob.Status.READY, 1)


def test_progress_and_a_second_confirm(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(
        client, "花名册.xlsx", xlsx_bytes([roster_row()]), capture=django_capture_on_commit_callbacks
    )
    state = client.get(reverse("imports:progress", args=[job.pk])).json()
    assert state == {"status": "ready", "label": "检查通过，待确认导入", "done": 1, "total": 1, "working": False}
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    response = confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Child.objects.count() == 1
    page = client.get(reverse("imports:job", args=[job.pk]), follow=True).content.decode()
    assert "已导入" in page and "新建档案 1 份" in page


def test_a_queued_job_shows_progress_and_a_stuck_one_can_be_restarted(
    client, staff, township_a, time_machine, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.services import start_import

    job = start_import(
        actor=staff, kind="children", upload=SimpleUploadedFile("a.xlsx", xlsx_bytes([roster_row()])), enqueue=False
    )
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "排队等待检查" in page and 'id="progress"' in page and "imports.js" in page
    assert not is_stale(job)
    time_machine.move_to(datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC), tick=False)
    job.refresh_from_db()
    assert is_stale(job)
    client.force_login(staff)  # the session of an hour ago has expired
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert restart_import(job=job) is False


def test_the_job_page_filters_rows_by_result(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = [roster_row(姓名=f"王{i}", 身份证号=make_id_number(datetime.date(2015, 3, 14), "F")) for i in range(3)]
    _response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    page = client.get(reverse("imports:job", args=[job.pk]) + "?show=new").content.decode()
    assert page.count('class="row-new"') == 3
    assert client.get(reverse("imports:job", args=[job.pk]) + "?show=invalid").content.decode().count("row-new") == 0


def test_command_dry_run_prints_errors_and_fails(staff, township_a, tmp_path):
    path = tmp_path / "花名册.xlsx"
    bad = roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M", **{"乡镇（街道）": "火星镇"})
    path.write_bytes(xlsx_bytes([roster_row(), bad]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_children", str(path), "--user", "staff", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "新增 1，修改 0，无变化 0，有错误 1" in text
    assert "第3行 乡镇（街道）：没有名称或代码为“火星镇”" in text
    assert not Child.objects.exists()


def test_command_dry_run_then_import(staff, township_a, tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx_bytes([roster_row()]))
    out = io.StringIO()
    call_command("import_children", str(path), "--user", "staff", "--dry-run", stdout=out)
    assert "新增 1" in out.getvalue() and "--dry-run" in out.getvalue()
    assert "将新建村（社区）：清风店镇东村，共 1 个" in out.getvalue()
    assert not Child.objects.exists()
    with pytest.raises(CommandError, match="--create-villages"):
        call_command("import_children", str(path), "--user", "staff", stdout=out)
    assert not Child.objects.exists()
    call_command("import_children", str(path), "--user", "staff", "--create-villages", stdout=out)
    assert Child.objects.get().name == "王小花"
    job = ImportJob.objects.filter(status="done").get()
    assert job.confirmed_by == staff


def test_command_refuses_non_staff(caseworker_a, tmp_path):
    path = tmp_path / "标准.csv"
    path.write_text("保障项目,月标准（元）,起始月份\n城镇低保,800,2026-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="只有民政局儿童福利股"):
        call_command("import_standards", str(path), "--user", "caseworker_a")


def test_import_standards_command(staff, tmp_path):
    path = tmp_path / "标准.csv"
    path.write_text("保障项目,月标准（元）,起始月份\n城镇低保,800,2026-01\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_standards", str(path), "--user", "staff", stdout=out)
    assert "已导入" in out.getvalue()


def test_the_page_states_the_limits(client, staff, settings):
    settings.IMPORT_MAX_MB, settings.IMPORT_MAX_ROWS = 20, 150_000
    client.force_login(staff)
    page = client.get(reverse("imports:index")).content.decode()
    assert "每个文件不超过 20 MB、150000 行" in page


def test_uploaded_files_and_previews_are_purged_after_30_days_and_the_job_stays(
    client, staff, township_a, time_machine, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from imports.services import purge_old_files

    client.force_login(staff)
    _response, job = upload(
        client, "花名册.xlsx", xlsx_bytes([roster_row()]), capture=django_capture_on_commit_callbacks
    )
    path = Path(job.file.path)
    cache = Path(job.file.path + ".rows")
    assert path.exists() and cache.exists()
    assert purge_old_files() == 0
    time_machine.move_to(datetime.datetime(2026, 7, 16, 2, 0, tzinfo=datetime.UTC), tick=False)
    assert purge_old_files() == 1
    job.refresh_from_db()
    assert not job.file and not path.exists() and not cache.exists()
    assert job.rows.count() == 0  # the preview held the full ID number
    assert job.preview_purged_at is not None
    assert (job.total_rows, job.rows_new) == (1, 1)
    client.force_login(staff)  # a month later
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'id="preview-purged"' in page and "已于 2026-07-16" in page
    assert 'id="rows"' not in page
    assert purge_old_files() == 0  # nothing left to purge
