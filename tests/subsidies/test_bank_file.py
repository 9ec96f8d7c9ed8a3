"""The bank payment file of an approved batch (issue 15 item 1, DESIGN.md 3.2): the layout is data,
each file type's bytes, the total line, payments left out and listed, 已送银行, the checksum and a
byte-identical regeneration, the audited download, scope, and the command."""

import csv
import datetime
import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dingzhou_welfare.models import AuditEntry, Role
from subsidies import bank
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import BankFileJob, BankLayout, BankLayoutColumn, Batch, Line
from subsidies.problems import waive_problem
from tests.factories import make_user

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
M = datetime.date
Field = BankLayoutColumn.Field
CAPTURE = None


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False)
    return time_machine


@pytest.fixture
def staff2(db):
    return make_user("staff2", Role.STAFF)


@pytest.fixture
def draft(frozen, child_a, child_a2, child_b, township_b, staff, staff2, supervisor_a, programmes):
    """April 2026 for three children in two townships (February and March in arrears); child_a2 has no account."""
    supervisor_b = make_user("supervisor_b", Role.SUPERVISOR, townships=[township_b])
    for child, checker in ((child_a, supervisor_a), (child_a2, supervisor_a), (child_b, supervisor_b)):
        make_orphan(child, staff)
        enrol(
            child,
            programmes["orphan_scattered"],
            applicant=staff,
            checker=checker,
            confirmer=staff2,
            applied_on=M(2026, 1, 5),
            confirmed_on=M(2026, 1, 20),
        )
    child_a2.payment_account.account_number = ""
    child_a2.payment_account.save()
    child_b.payment_account.account_number = "6217000099998888"
    child_b.payment_account.payee_name = "李四"
    child_b.payment_account.save()
    return compute_month(month=M(2026, 4, 1), actor=staff)


@pytest.fixture
def batch(draft, staff2):
    """Approved with child_a2's missing account waived (the problem list), so the bank file leaves it out."""
    waive_problem(batch=draft, kind="no_account", reason="账户待补录，下月补发", actor=staff2)
    return approve_batch(batch=draft, actor=staff2)


def paid(batch, child) -> Decimal:
    return sum(Line.objects.filter(batch=batch, child=child).values_list("amount", flat=True))


def layout(code, file_type, *, encoding="utf-8", total_line="none", total_format="", header=True, columns=()):
    made = BankLayout.objects.create(
        code=code,
        name=code,
        file_type=file_type,
        encoding=encoding,
        header_line=header,
        total_line=total_line,
        total_format=total_format,
        file_name_pattern="{code}-{month}.{ext}",
        line_ending="lf",
    )
    for position, (field, header_text, width, align, padding) in enumerate(columns, start=1):
        BankLayoutColumn.objects.create(
            layout=made, position=position, field=field, header=header_text, width=width, align=align, padding=padding
        )
    return made


CSV_COLUMNS = [
    (Field.ACCOUNT, "账号", None, "left", " "),
    (Field.PAYEE_NAME, "户名", None, "left", " "),
    (Field.AMOUNT, "金额", None, "left", " "),
    (Field.REMARK, "摘要", None, "left", " "),
]


@pytest.fixture(autouse=True)
def on_commit(django_capture_on_commit_callbacks):
    """The page queues the job on commit; the test's transaction never commits, so run them here."""
    global CAPTURE
    CAPTURE = django_capture_on_commit_callbacks


def start(client, batch, code):
    with CAPTURE(execute=True):
        return client.post(
            reverse("subsidies:bank_file_start", kwargs={"month": batch.month}),
            {"layout": BankLayout.objects.get(code=code).pk},
        )


def generate(client, batch, code) -> BankFileJob:
    response = start(client, batch, code)
    assert response.status_code == 302, response.content[:500]
    job = BankFileJob.objects.latest("id")
    assert response.url == reverse("subsidies:bank_job", args=[job.pk])
    assert job.status == BankFileJob.Status.DONE, job.error
    return job


def download(client, job) -> bytes:
    response = client.get(reverse("subsidies:bank_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_generic_workbook_holds_one_payment_per_child_and_the_total(client, batch, staff, child_a, child_b):
    client.force_login(staff)
    job = generate(client, batch, "generic")
    rows = list(openpyxl.load_workbook(io.BytesIO(download(client, job))).active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "银行账号", "户名", "身份证号", "金额（元）", "备注")
    lines = rows[1:-1]
    amounts = {row[1]: Decimal(str(row[4])).quantize(Decimal("0.01")) for row in lines}
    assert amounts == {"6217000012345678": paid(batch, child_a), "6217000099998888": paid(batch, child_b)}
    assert [row[0] for row in lines] == [1, 2]
    assert {row[2] for row in lines} == {"张大爷", "李四"}
    assert lines[0][5] == f"{child_a.name} 2026-02至2026-04"
    total = paid(batch, child_a) + paid(batch, child_b)
    assert rows[-1][0] == f"合计：2笔，{total:.2f}元"
    assert (job.row_count, job.amount) == (2, total)
    assert job.file_name == f"202604代发_{batch.number}.xlsx"


def test_left_out_payments_are_listed_on_the_page(client, batch, staff, child_a2):
    client.force_login(staff)
    job = generate(client, batch, "generic")
    assert job.left_out_count == 1
    assert job.left_out == [
        {
            "child": child_a2.name,
            "township": child_a2.township.name,
            "payee": "张大爷",
            "amount": f"{paid(batch, child_a2):.2f}",
            "period": "2026-02至2026-04",
            "reason": "无银行账号",
        }
    ]
    page = client.get(reverse("subsidies:bank_job", args=[job.pk])).content.decode()
    assert 'id="left-out"' in page
    assert child_a2.name in page
    assert "无银行账号" in page


def test_csv_in_utf8_and_gbk_decode_to_the_same_rows(client, batch, staff, child_a, child_b):
    client.force_login(staff)
    layout("csv-utf8", "csv", columns=CSV_COLUMNS, total_line="last", total_format="TOTAL,{count},{total}")
    layout(
        "csv-gbk", "csv", encoding="gbk", columns=CSV_COLUMNS, total_line="last", total_format="TOTAL,{count},{total}"
    )
    utf8 = download(client, generate(client, batch, "csv-utf8"))
    gbk = download(client, generate(client, batch, "csv-gbk"))
    assert not utf8.startswith(b"\xef\xbb\xbf")  # no BOM: the bank's program reads the first field
    assert utf8 != gbk
    assert utf8.decode("utf-8") == gbk.decode("gbk")
    rows = list(csv.reader(io.StringIO(gbk.decode("gbk"))))
    total = paid(batch, child_a) + paid(batch, child_b)
    assert rows == [
        ["账号", "户名", "金额", "摘要"],
        ["6217000012345678", "张大爷", f"{paid(batch, child_a):.2f}", f"{child_a.name} 2026-02至2026-04"],
        ["6217000099998888", "李四", f"{paid(batch, child_b):.2f}", f"{child_b.name} 2026-02至2026-04"],
        ["TOTAL", "2", f"{total:.2f}"],
    ]


def test_rural_bank_fixed_width_gbk_with_the_total_first(client, batch, staff, child_a, child_b):
    client.force_login(staff)
    job = generate(client, batch, "rcb-fixed")
    content = download(client, job)
    assert job.file_name == "DF202604.txt"
    lines = content.split(b"\r\n")
    assert lines[-1] == b""
    total = paid(batch, child_a) + paid(batch, child_b)
    assert lines[0] == b"00000002" + f"{total:.2f}".encode().rjust(17, b"0")
    widths = [32, 20, 18, 17, 40]
    for line in lines[1:-1]:
        assert len(line) == sum(widths)
    first = lines[1]
    assert first[:32] == b"6217000012345678".ljust(32)
    assert first[32:52] == "张大爷".encode("gbk").ljust(20)
    assert first[70:87] == f"{paid(batch, child_a):.2f}".encode().rjust(17, b"0")
    assert first[87:].decode("gbk").rstrip() == f"{child_a.name} 2026-02至2026-04"


def test_generating_marks_the_batch_sent_to_bank_and_audits_it(client, batch, staff):
    client.force_login(staff)
    job = generate(client, batch, "generic")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SENT_TO_BANK
    assert batch.is_frozen
    export = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, object_type="batch")
    assert export.actor == staff
    assert export.changes["sha256"] == job.sha256
    decision = AuditEntry.objects.get(action=AuditEntry.Action.DECISION, summary__contains="已送银行")
    assert decision.changes == {"status": ["已审批", "已送银行"]}
    generate(client, batch, "generic")  # a second file changes the status no more
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DECISION, summary__contains="已送银行").count() == 1


def test_the_checksum_is_recorded_and_a_regenerated_file_has_the_same_bytes(client, batch, staff, frozen):
    client.force_login(staff)
    for code in ("generic", "rcb-fixed"):
        first = generate(client, batch, code)
        frozen.move_to(datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC), tick=False)
        client.force_login(staff)  # the session of May has expired
        again = generate(client, batch, code)
        one, two = download(client, first), download(client, again)
        assert one == two
        assert first.sha256 == again.sha256 == hashlib.sha256(one).hexdigest()


def test_each_download_is_audited(client, batch, staff, leader):
    client.force_login(staff)
    job = generate(client, batch, "generic")
    client.force_login(leader)
    download(client, job)
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOAD).get()
    assert entry.actor == leader
    assert entry.object_type == "bankfilejob"
    assert entry.changes["sha256"] == job.sha256


def test_a_draft_batch_gets_no_bank_file(client, draft, staff):
    client.force_login(staff)
    response = start(client, draft, "generic")
    assert response.status_code == 400
    assert "审批通过后才能生成银行代发文件" in response.content.decode()
    assert not BankFileJob.objects.exists()
    draft.refresh_from_db()
    assert draft.status == Batch.Status.DRAFT


def test_a_character_gbk_lacks_fails_the_job_naming_the_child_and_writes_nothing(client, batch, staff, child_a):
    child_a_line = Line.objects.filter(batch=batch, child=child_a)
    child_a_line.update(payee_name="张𠀀")  # outside GBK (CJK extension B)
    client.force_login(staff)
    start(client, batch, "rcb-fixed")
    job = BankFileJob.objects.get()
    assert job.status == BankFileJob.Status.FAILED
    assert child_a.name in job.error
    assert "GBK 编码无法表示的字符“𠀀”" in job.error
    assert not job.file
    assert job.sha256 == ""
    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_value_wider_than_its_column_is_refused(client, batch, staff):
    layout(
        "narrow",
        "fixed",
        header=False,
        columns=[(Field.ACCOUNT, "账号", 8, "left", " "), (Field.AMOUNT, "金额", 12, "right", "0")],
    )
    client.force_login(staff)
    start(client, batch, "narrow")
    job = BankFileJob.objects.get()
    assert job.status == BankFileJob.Status.FAILED
    assert "超过该列宽度 8 字节" in job.error


def test_layout_errors_are_in_the_clerks_words():
    fixed = BankLayout(
        code="x", file_type="fixed", encoding="gbk", total_line="first", total_format="{count.__class__}"
    )
    errors = bank.layout_errors(fixed, [BankLayoutColumn(position=1, field=Field.ACCOUNT, padding="　")])
    assert any("没有宽度" in e for e in errors)
    assert any("填充字符应为一个半角字符" in e for e in errors)
    assert any("不能使用 {count.__class__}" in e for e in errors)
    assert any("没有银行账号列" in e for e in bank.layout_errors(fixed, []))


@pytest.mark.parametrize("role", ["caseworker_a", "supervisor_a", "administrator", "outsider"])
def test_others_get_404_everywhere(request, client, batch, staff, role):
    client.force_login(staff)
    job = generate(client, batch, "generic")
    client.force_login(request.getfixturevalue(role))
    audits = AuditEntry.objects.count()
    for url in (
        reverse("subsidies:bank_file", kwargs={"month": batch.month}),
        reverse("subsidies:bank_job", args=[job.pk]),
        reverse("subsidies:bank_download", args=[job.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("subsidies:bank_retry", args=[job.pk])).status_code == 404
    assert AuditEntry.objects.count() == audits


def test_the_leader_sees_and_downloads_but_does_not_start(client, batch, leader):
    client.force_login(leader)
    page = client.get(reverse("subsidies:bank_file", kwargs={"month": batch.month}))
    assert page.status_code == 200
    assert "bank_file_start" not in page.content.decode()
    response = start(client, batch, "generic")
    assert response.status_code == 404
    assert not BankFileJob.objects.exists()


def test_the_batch_page_links_to_the_bank_file(client, batch, staff):
    client.force_login(staff)
    page = client.get(reverse("subsidies:batch", kwargs={"month": batch.month})).content.decode()
    assert reverse("subsidies:bank_file", kwargs={"month": batch.month}) in page


# The command


def test_command_writes_the_kept_file_and_lists_the_left_out(batch, staff, child_a2, tmp_path):
    out = io.StringIO()
    path = tmp_path / "DF.txt"
    call_command("export_bank_file", "2026-04", "--user", "staff", "-o", str(path), "--layout", "rcb-fixed", stdout=out)
    job = BankFileJob.objects.get()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == job.sha256
    text = out.getvalue()
    assert "2 笔" in text
    assert "未列入文件 1 笔" in text
    assert child_a2.name in text
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SENT_TO_BANK


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13", "--user", "staff"], "月份格式应为 YYYY-MM"),
        (["2026-03", "--user", "staff"], "2026-03 还没有发放批次"),
        (["2026-04", "--user", "nobody"], "没有用户 'nobody'"),
        (["2026-04", "--user", "leader"], "只有儿童福利股可以生成"),
        (
            ["2026-04", "--user", "staff", "--layout", "nosuch"],
            "没有启用的银行文件格式 'nosuch'；可用：generic、rcb-fixed",
        ),
    ],
)
def test_command_refuses_in_chinese_and_writes_nothing(batch, staff, leader, tmp_path, args, message):
    path = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command("export_bank_file", *args, "-o", str(path))
    assert not path.exists()
    assert not BankFileJob.objects.exists()


def test_command_refuses_a_batch_not_yet_approved(draft, staff, tmp_path):
    path = tmp_path / "out.xlsx"
    with pytest.raises(CommandError, match="状态为“待审批”，审批通过后才能生成银行代发文件"):
        call_command("export_bank_file", "2026-04", "--user", "staff", "-o", str(path))
    assert not path.exists()


# A bank's layout added in the admin, without a code change


def admin_layout(admin_client, *, file_type, widths):
    data = {
        "code": "xian-bank",
        "name": "某县银行",
        "file_type": file_type,
        "encoding": "gbk",
        "delimiter": "|",
        "header_line": "",
        "total_line": "last",
        "total_format": "{count}|{total}",
        "file_name_pattern": "{code}_{month}.{ext}",
        "line_ending": "crlf",
        "active": "on",
        "columns-TOTAL_FORMS": "2",
        "columns-INITIAL_FORMS": "0",
        "columns-MIN_NUM_FORMS": "0",
        "columns-MAX_NUM_FORMS": "1000",
    }
    for i, (field, width) in enumerate(zip(("account", "amount_fen"), widths, strict=True)):
        data |= {
            f"columns-{i}-position": str(i + 1),
            f"columns-{i}-field": field,
            f"columns-{i}-header": "",
            f"columns-{i}-width": width,
            f"columns-{i}-align": "left",
            f"columns-{i}-padding": " ",
        }
    return admin_client.post(reverse("admin:subsidies_banklayout_add"), data)


def test_a_fixed_width_layout_without_widths_is_refused_in_the_admin(admin_client):
    response = admin_layout(admin_client, file_type="fixed", widths=("", ""))
    assert response.status_code == 200
    assert "定长文本的第1列（银行账号）没有宽度" in response.content.decode()
    assert not BankLayout.objects.filter(code="xian-bank").exists()


def test_a_layout_added_in_the_admin_makes_its_file(admin_client, client, batch, staff, child_a, child_b):
    response = admin_layout(admin_client, file_type="csv", widths=("", ""))
    assert response.status_code == 302
    client.force_login(staff)
    job = generate(client, batch, "xian-bank")
    assert job.file_name == "xian-bank_202604.csv"
    fen = [int(paid(batch, child) * 100) for child in (child_a, child_b)]
    assert download(client, job).decode("gbk").split("\r\n") == [
        f"6217000012345678|{fen[0]}",
        f"6217000099998888|{fen[1]}",
        f"2|{(paid(batch, child_a) + paid(batch, child_b)):.2f}",
        "",
    ]
