"""Roster and summary exports (DESIGN.md section 3): read back, masked by role, audited, streamed as jobs."""

import csv
import datetime
import io
import os
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from dingzhou_welfare.spreadsheets import neutralise
from subsidies import exports
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Batch, ExportJob, Line
from subsidies.resources import LineResource
from subsidies.services import set_standard
from tests.factories import make_user

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date

FORMULA = '=HYPERLINK("http://example.invalid","点我")'
HEADERS = [
    "序号",
    "乡镇（街道）",
    "村（社区）",
    "儿童姓名",
    "身份证号",
    "保障项目",
    "保障标准（元/月）",
    "所属期",
    "发放方式",
    "金额（元）",
    "领取人",
    "领取人身份证号",
    "与儿童关系",
    "开户银行",
    "银行账号",
    "备注",
]
COL = {name: i for i, name in enumerate(HEADERS)}
MASKED_ID = re.compile(r"^1306\*{10}\d{3}[\dX]$")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def batch(frozen, child_a, child_a2, child_b, township_b, staff, staff2, supervisor_a, programmes):
    """April 2026: arrears for February and March plus April's money, for three children in two townships.

    child_b also holds rural dibao (400), so the orphan allowance tops up to 1000 (600): amounts differ.
    One payee's name looks like a formula.
    """
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    for month in (M(2026, 2, 1), M(2026, 3, 1)):
        approve_batch(batch=compute_month(month=month, actor=staff), actor=staff2)
    set_standard(actor=staff, programme=programmes["rural_dibao"], effective_month=M(2026, 1, 1), amount=Decimal("400"))
    for child, checker in ((child_a, supervisor_a), (child_a2, supervisor_a), (child_b, supervisor_b)):
        make_orphan(child, staff)
        codes = ["orphan_scattered", "rural_dibao"] if child == child_b else ["orphan_scattered"]
        for code in codes:
            enrol(
                child,
                programmes[code],
                applicant=staff,
                checker=checker,
                confirmer=staff2,
                applied_on=M(2026, 1, 5),
                confirmed_on=M(2026, 1, 20),
            )
    child_a2.payment_account.payee_name = FORMULA
    child_a2.payment_account.save()
    return compute_month(month=M(2026, 4, 1), actor=staff)


def export(client, batch, **data):
    response = client.post(reverse("subsidies:export", kwargs={"month": batch.month}), {"kind": "roster", **data})
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content), response


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def roster_parts(rows):
    header = rows.index(tuple(HEADERS))
    lines = [r for r in rows[header + 1 :] if isinstance(r[0], int)]
    subtotals = [r for r in rows if isinstance(r[1], str) and r[1].endswith("小计")]
    total = next(r for r in rows if r[1] == "合计")
    return header, lines, subtotals, total


def fen(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_roster_xlsx_masked_with_subtotals_total_and_signatures(client, batch, staff, child_a, child_b):
    client.force_login(staff)
    content, response = export(client, batch, format="xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = workbook_rows(content)
    assert rows[0][0] == "定州市民政局2026年4月儿童福利资金发放花名册"
    assert "身份证号、银行账号已脱敏" in rows[1][0]
    _header, lines, subtotals, total = roster_parts(rows)

    assert len(lines) == Line.objects.filter(batch=batch).count() == 12
    assert [r[0] for r in lines] == list(range(1, 13))
    for row in lines:
        assert MASKED_ID.match(row[COL["身份证号"]]), row
        assert row[COL["银行账号"]] == "************5678"
    assert child_a.id_number not in str(rows)

    # Ordered by township, village, child; one subtotal per township, equal to its lines to the fen.
    assert [r[COL["乡镇（街道）"]] for r in lines] == ["清风店镇"] * 6 + ["庞村镇"] * 6
    assert [r[1] for r in subtotals] == ["清风店镇 小计", "庞村镇 小计"]
    for row in subtotals:
        township = row[1].removesuffix(" 小计")
        expected = sum(fen(r[COL["金额（元）"]]) for r in lines if r[COL["乡镇（街道）"]] == township)
        in_db = sum(line.amount for line in Line.objects.filter(batch=batch, township__name=township))
        assert fen(row[COL["金额（元）"]]) == expected == in_db
    assert subtotals[0][COL["儿童姓名"]] == "2人，6条"
    assert fen(total[COL["金额（元）"]]) == batch.total_amount == Decimal("9000.00")
    assert total[COL["儿童姓名"]] == "3人，12条"
    b_amounts = sorted(fen(r[COL["金额（元）"]]) for r in lines if r[COL["儿童姓名"]] == child_b.name)
    assert b_amounts == [Decimal("400.00")] * 3 + [Decimal("600.00")] * 3

    # Labels, not codes.
    assert {r[COL["发放方式"]] for r in lines} == {"补发", "正常发放"}
    assert {r[COL["与儿童关系"]] for r in lines} == {"祖父母"}
    assert lines[0][COL["所属期"]] == "2026-02"

    signature = rows[-1]
    for label in ("经办人（签章）：", "审核人（签章）：", "审批（签章）：", "制表日期：2026年5月20日"):
        assert label in signature

    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == staff
    assert (entry.object_type, entry.object_id) == ("batch", str(batch.pk))
    assert entry.changes == {
        "batch": batch.number,
        "batch_id": batch.pk,
        "kind": "roster",
        "format": "xlsx",
        "masked": True,
        "rows": 12,
    }


def test_amounts_are_numbers_with_two_decimals_and_ids_text(client, batch, staff):
    client.force_login(staff)
    content, _response = export(client, batch, format="xlsx", full_numbers="on")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    first = next(r for r in sheet.iter_rows() if r[0].value == 1)
    amount, identity = first[COL["金额（元）"]], first[COL["身份证号"]]
    assert amount.data_type == "n" and amount.number_format == "0.00"
    assert identity.data_type == "s" and len(identity.value) == 18
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"  # the header repeats on every printed page
    merged = {str(r) for r in sheet.merged_cells.ranges}
    total_row = next(r[0].row for r in sheet.iter_rows() if r[1].value == "合计")
    assert {"A1:P1", "A2:P2", f"B{total_row}:C{total_row}", f"D{total_row}:E{total_row}"} <= merged


def test_formula_like_values_come_out_as_text(client, batch, staff):
    client.force_login(staff)
    content, _response = export(client, batch, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    payees = [r[COL["领取人"]] for r in sheet.iter_rows() if isinstance(r[0].value, int)]
    formulas = [cell for cell in payees if "HYPERLINK" in str(cell.value)]
    assert len(formulas) == 3
    for cell in formulas:
        assert cell.value == "'" + FORMULA
        assert cell.data_type == "s"


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_bureau_staff_and_leader_may_export_full_numbers(request, client, batch, role, child_a):
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get(reverse("subsidies:export", kwargs={"month": batch.month}))
    assert "可以导出完整的身份证号和银行账号" in page.content.decode()
    content, _response = export(client, batch, format="xlsx", full_numbers="on")
    rows = workbook_rows(content)
    assert "含完整身份证号、银行账号" in rows[1][0]
    _header, lines, _subtotals, _total = roster_parts(rows)
    assert child_a.id_number in {r[COL["身份证号"]] for r in lines}
    assert "6217000012345678" in {r[COL["银行账号"]] for r in lines}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.changes["masked"], entry.changes["rows"]) == (user, False, 12)
    assert "未脱敏" in entry.summary


def test_csv_is_utf8_with_bom_header_first(client, batch, staff):
    client.force_login(staff)
    content, response = export(client, batch, format="csv")
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    lines = [r for r in rows[1:] if r and r[0].isdigit()]
    assert len(lines) == 12
    assert all(MASKED_ID.match(r[COL["身份证号"]]) for r in lines)
    assert "'" + FORMULA in {r[COL["领取人"]] for r in lines}
    assert sum(Decimal(r[COL["金额（元）"]]) for r in lines) == Decimal("9000.00")
    total = next(r for r in rows if r and r[1] == "合计")
    assert total[COL["金额（元）"]] == "9000.00"
    assert "经办人（签章）：" in rows[-1]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.changes["format"], entry.changes["rows"]) == ("csv", 12)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_summary_has_counts_and_amounts_but_no_names_or_ids(client, batch, staff, child_a, child_a2, child_b, fmt):
    client.force_login(staff)
    content, _response = export(client, batch, kind="summary", format=fmt)
    if fmt == "xlsx":
        rows = [[("" if v is None else v) for v in r] for r in workbook_rows(content)]
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    text = str(rows)
    for child in (child_a, child_a2, child_b):
        assert child.name not in text
        assert child.id_number not in text
        assert child.id_number[-4:] not in text
    for secret in ("1306*", "张大爷", "HYPERLINK", "5678", "定州农商银行"):
        assert secret not in text
    by_township = {r[0]: r for r in rows if r and r[0] in ("清风店镇", "庞村镇", "合计")}
    header = next(r for r in rows if r and r[0] == "乡镇（街道）")
    orphan = header.index("散居孤儿基本生活费")
    dibao = header.index("农村最低生活保障")
    assert [str(v) for v in by_township["清风店镇"][orphan : orphan + 2]] == [
        "2",
        "6000" if fmt == "xlsx" else "6000.00",
    ]
    assert fen(by_township["庞村镇"][dibao + 1]) == Decimal("1200.00")
    assert fen(by_township["合计"][-1]) == Decimal("9000.00")
    assert str(by_township["合计"][-2]) == "3"
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()  # no personal data in it
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD)
    assert entry.changes["kind"] == "summary"


def test_resource_export_gives_the_same_cells_as_the_stream(batch):
    """The admin-style export() and the streamed rows come from the same fields and dehydrate methods."""
    queryset = Line.objects.filter(batch=batch).order_by(*exports.ROSTER_ORDER)
    dataset = LineResource(masked=True).export(queryset)
    streamed = [cells[1:] for kind, cells in exports.roster_rows(batch, masked=True) if kind == "line"]
    assert dataset.headers == HEADERS[1:]
    assert [list(row) for row in dataset] == streamed


@pytest.mark.parametrize("role", ["caseworker_a", "supervisor_a", "administrator", "outsider"])
def test_other_roles_get_404_everywhere(request, client, batch, staff, role):
    client.force_login(staff)
    job = exports.start_export_job(batch=batch, actor=staff, fmt="xlsx")
    exports.run_export_job(job_id=job.pk)
    client.force_login(request.getfixturevalue(role))
    before = AuditEntry.objects.count()
    urls = [
        ("get", reverse("subsidies:export", kwargs={"month": batch.month})),
        ("post", reverse("subsidies:export", kwargs={"month": batch.month})),
        ("get", reverse("subsidies:export_job", args=[job.pk])),
        ("get", reverse("subsidies:export_download", args=[job.pk])),
        ("post", reverse("subsidies:export_retry", args=[job.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url, {"kind": "roster", "format": "xlsx"} if method == "post" else {})
        assert response.status_code == 404, (method, url)
    assert AuditEntry.objects.count() == before


def test_anonymous_is_sent_to_login(client, batch):
    response = client.get(reverse("subsidies:export", kwargs={"month": batch.month}))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_big_batch_runs_as_a_job_with_a_page_and_a_download(
    client, batch, staff, staff2, leader, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "INLINE_MAX_LINES", 5)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 3)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subsidies:export", kwargs={"month": batch.month}), {"kind": "roster", "format": "xlsx"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("subsidies:export_job", args=[job.pk])
    assert (job.status, job.row_count, job.total, job.masked, job.requested_by) == ("done", 12, 12, True, staff)
    assert job.file.name == f"exports/202604-roster-{job.pk}.xlsx"
    export_entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert export_entry.changes["job"] == job.pk and export_entry.actor == staff

    page = client.get(response.url).content.decode()
    assert "已完成" in page and reverse("subsidies:export_download", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page

    download = client.get(reverse("subsidies:export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert "attachment" in download["Content-Disposition"]
    _header, lines, _subtotals, total = roster_parts(workbook_rows(content))
    assert len(lines) == 12 and fen(total[COL["金额（元）"]]) == Decimal("9000.00")
    downloaded = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOAD)
    assert (downloaded.actor, downloaded.object_type, downloaded.object_id) == (staff, "exportjob", str(job.pk))

    # Other bureau staff may see it; the leader sees only their own jobs.
    client.force_login(staff2)
    assert client.get(reverse("subsidies:export_job", args=[job.pk])).status_code == 200
    client.force_login(leader)
    assert client.get(reverse("subsidies:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("subsidies:export_download", args=[job.pk])).status_code == 404


def test_job_page_shows_progress_and_survives_a_reload(client, batch, staff):
    job = ExportJob.objects.create(batch=batch, requested_by=staff, total=10)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", progress=4, progress_at=datetime.datetime.now(datetime.UTC)
    )
    client.force_login(staff)
    for _reload in range(2):
        page = client.get(reverse("subsidies:export_job", args=[job.pk])).content.decode()
        assert "正在导出" in page and 'value="40"' in page and "4 / 10 条" in page
        assert 'http-equiv="refresh"' in page
    assert client.get(reverse("subsidies:export_download", args=[job.pk])).status_code == 404
    # Still running and not stale: a retry does nothing.
    client.post(reverse("subsidies:export_retry", args=[job.pk]))
    assert ExportJob.objects.get(pk=job.pk).status == "running"


def test_a_stuck_job_can_be_restarted(client, batch, staff, time_machine, django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(batch=batch, requested_by=staff, total=10)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", progress=4, progress_at=datetime.datetime.now(datetime.UTC)
    )
    time_machine.shift(datetime.timedelta(minutes=11))
    client.force_login(staff)
    page = client.get(reverse("subsidies:export_job", args=[job.pk])).content.decode()
    assert "可能已中断" in page and "重新导出" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("subsidies:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("done", 12)
    assert exports.run_export_job(job_id=job.pk) is None  # a duplicate delivery does nothing
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1


def test_a_failed_job_says_why_and_leaves_no_file(batch, staff, monkeypatch):
    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_export", broken)
    job = exports.start_export_job(batch=batch, actor=staff, fmt="csv", masked=False)
    assert exports.run_export_job(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name) == ("failed", "disk full", "")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
    monkeypatch.undo()
    assert exports.restart_export_job(job=job)
    exports.run_export_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.row_count) == ("done", 12)
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).changes["masked"] is False


def test_computing_batch_cannot_be_exported(client, batch, staff):
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.COMPUTING)
    client.force_login(staff)
    response = client.post(
        reverse("subsidies:export", kwargs={"month": batch.month}), {"kind": "roster", "format": "xlsx"}
    )
    assert response.status_code == 400
    assert "正在计算" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_old_export_files_are_purged(batch, staff, time_machine):
    job = exports.start_export_job(batch=batch, actor=staff, fmt="xlsx")
    exports.run_export_job(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    time_machine.shift(datetime.timedelta(days=8))
    assert exports.purge_old_exports() == 1
    job.refresh_from_db()
    assert job.file.name == ""
    assert not os.path.exists(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("张大爷", "张大爷"),
        ("a=b", "a=b"),
        (Decimal("-1000.00"), Decimal("-1000.00")),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_full_roster_of_an_approved_batch_marks_it_exported_once(client, batch, staff, staff2):
    client.force_login(staff)
    export(client, batch, format="xlsx", full_numbers="on")  # a draft's roster is a preview
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DRAFT
    approve_batch(batch=batch, actor=staff2)
    export(client, batch, format="xlsx")  # masked: not the bank's copy
    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED
    export(client, batch, format="xlsx", full_numbers="on")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.EXPORTED
    assert batch.is_frozen
    export(client, batch, format="csv", full_numbers="on")
    marks = AuditEntry.objects.filter(object_type="batch", summary__contains="交银行发放")
    assert marks.count() == 1
    assert marks.get().changes == {"status": ["已审批", "已导出发放"]}


# `manage.py export_roster`: the page's workbook and audit entry, from the command line (DESIGN.md section 4).


def run_export_roster(*args) -> None:
    call_command("export_roster", *args)


@pytest.mark.parametrize("full", [False, True])
def test_the_command_writes_the_pages_workbook(client, batch, staff, tmp_path, full):
    client.force_login(staff)
    page, _response = export(client, batch, format="xlsx", **({"full_numbers": "on"} if full else {}))
    path = tmp_path / "花名册.xlsx"
    run_export_roster("2026-04", "--user", "staff", "-o", str(path), *(["--full-numbers"] if full else []))
    assert workbook_rows(path.read_bytes()) == workbook_rows(page)
    page_entry, command_entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).order_by("id")
    assert command_entry.actor == staff
    assert command_entry.changes == page_entry.changes
    assert command_entry.summary == page_entry.summary


def test_csv_too(batch, staff, tmp_path):
    path = tmp_path / "roster.csv"
    run_export_roster("2026-04", "--user", "staff", "-o", str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).changes["format"] == "csv"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13", "--user", "staff"], "月份格式应为 YYYY-MM"),
        (["2026-04", "--user", "nobody"], "没有用户 'nobody'"),
        (["2026-04", "--user", "supervisor_a"], "只有儿童福利股和局领导可以导出"),
        (["2026-09", "--user", "staff"], "2026-09 还没有发放批次"),
    ],
)
def test_operator_errors_are_plain_sentences(batch, staff, supervisor_a, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run_export_roster(*args, "-o", str(tmp_path / "a.xlsx"))
    assert not (tmp_path / "a.xlsx").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_bad_path_is_refused(batch, staff, tmp_path):
    with pytest.raises(CommandError, match=r"应以 \.xlsx 或 \.csv 结尾"):
        run_export_roster("2026-04", "--user", "staff", "-o", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="不存在"):
        run_export_roster("2026-04", "--user", "staff", "-o", str(tmp_path / "missing" / "a.xlsx"))
