"""The children roster import: preview, then all or nothing; re-import; a change file; CSV encodings."""

import datetime

import pytest
from django.urls import reverse

from children.models import Carer, Child, Classification, PaymentAccount, Village
from dingzhou_welfare.models import AuditEntry
from imports.models import ImportJob, ImportRow
from subsidies.disbursement import compute_month
from subsidies.models import Enrolment, Line

from .conftest import confirm, csv_bytes, errors_of, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


def three_rows():
    return [
        roster_row(),
        roster_row(
            姓名="李小军",
            sex="M",
            birth=datetime.date(2012, 8, 1),
            **{"村（社区）": "新建村"},
            儿童类别="留守儿童",
            保障项目="",
            保障起始月份="",
        ),
        roster_row(
            姓名="赵小丽",
            birth=datetime.date(2016, 1, 20),
            **{"乡镇（街道）": "130682102", "村（社区）": "南村"},
            儿童类别="残疾儿童、困境儿童",
            保障项目="困难残疾生活补贴",
            保障起始月份="2025-03",
            残疾类别="肢体",
            残疾等级="二级",
            残疾证号="13068220160120002X42",
        ),
    ]


@pytest.fixture
def rows(township_a, township_b, village_a, village_b):
    return three_rows()


def test_preview_lists_every_row_and_writes_nothing(client, staff, rows, django_capture_on_commit_callbacks):
    client.force_login(staff)
    children_before, audit_before = Child.objects.count(), AuditEntry.objects.count()
    response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.READY
    assert (job.total_rows, job.rows_new, job.rows_invalid) == (3, 3, 0)
    assert Child.objects.count() == children_before
    assert not Enrolment.objects.exists()
    assert AuditEntry.objects.count() == audit_before + 1  # the upload only
    page = client.get(reverse("imports:job", args=[job.pk]))
    text = page.content.decode()
    assert "确认导入" in text
    assert "王小花" in text and "李小军" in text and "赵小丽" in text
    assert "新建村" in text  # the village the import will create
    assert list(job.rows.values_list("line", "status")) == [(2, "new"), (3, "new"), (4, "new")]


def test_confirm_writes_everything_in_one_go(client, staff, rows, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    response = confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.DONE
    assert job.confirmed_by == staff
    assert job.written["children_created"] == 3
    girl = Child.objects.get(name="王小花")
    assert girl.sex == "F" and girl.birth_date == datetime.date(2015, 3, 14)
    assert girl.village.name == "东村" and girl.township.name == "清风店镇"
    assert girl.classifications.get().kind == "orphan_scattered"
    carer = Carer.objects.get(child=girl)
    assert (carer.name, carer.relationship, carer.is_primary, carer.is_guardian) == (
        "王大山",
        "paternal_grandparent",
        True,
        True,
    )
    account = PaymentAccount.objects.get(child=girl)
    assert (account.payee_name, account.account_number) == ("王大山", "6217000012345678")
    enrolment = Enrolment.objects.get(child=girl)
    assert enrolment.status == Enrolment.Status.CONFIRMED
    assert enrolment.start_month == datetime.date(2024, 1, 1)
    assert enrolment.prior_paid_through == datetime.date(2026, 5, 1)  # the month before the import
    assert enrolment.confirmed_by == staff
    boy = Child.objects.get(name="李小军")
    assert boy.village.name == "新建村" and Village.objects.filter(name="新建村").count() == 1
    assert not boy.enrolments.exists()
    third = Child.objects.get(name="赵小丽")
    assert third.township.code == "130682102"
    assert (third.disability_type, third.disability_grade) == ("physical", 2)
    assert set(third.classifications.values_list("kind", flat=True)) == {"disabled", "hardship_disability"}
    entry = AuditEntry.objects.filter(object_type="importjob", action="decision").get()
    assert entry.actor == staff
    assert entry.changes["file"] == "花名册.xlsx"
    assert entry.changes["rows"] == 3 and entry.changes["new"] == 3
    assert entry.changes["confirmed_by"] == "staff"
    child_entry = AuditEntry.objects.get(child=girl)
    assert "导入新建儿童档案" in child_entry.summary
    assert child_entry.changes["身份证号"][1].startswith("1306") and "*" in child_entry.changes["身份证号"][1]


def test_imported_enrolment_is_paid_from_the_import_month_without_arrears(
    client, staff, rows, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows[:1]), capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    batch = compute_month(month=datetime.date(2026, 6, 1), actor=staff)
    lines = list(Line.objects.filter(batch=batch).values_list("period", "kind"))
    assert lines == [(datetime.date(2026, 6, 1), "normal")]


def test_reimporting_the_same_file_changes_nothing(client, staff, rows, django_capture_on_commit_callbacks):
    client.force_login(staff)
    content = xlsx_bytes(rows)
    _response, job = upload(client, "花名册.xlsx", content, capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    counts = [m.objects.count() for m in (Child, Carer, PaymentAccount, Classification, Enrolment, Village)]
    child_entries = AuditEntry.objects.exclude(child=None).count()
    _response, again = upload(client, "花名册.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 3)
    confirm(client, again, capture=django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.DONE
    assert [m.objects.count() for m in (Child, Carer, PaymentAccount, Classification, Enrolment, Village)] == counts
    assert AuditEntry.objects.exclude(child=None).count() == child_entries


def test_a_second_file_changing_a_phone_changes_only_that(client, staff, rows, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    girl = Child.objects.get(name="王小花")
    before = Child.objects.values().get(pk=girl.pk)
    rows[0]["监护人电话"] = "13912345678"
    _response, change = upload(client, "更正.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert (change.rows_changed, change.rows_unchanged) == (1, 2)
    row = change.rows.get(status=ImportRow.Status.CHANGED)
    assert row.changes == [["监护人电话", "138****1234", "139****5678"]]
    confirm(client, change, capture=django_capture_on_commit_callbacks)
    assert Carer.objects.get(child=girl).phone == "13912345678"
    assert Carer.objects.filter(child=girl).count() == 1
    assert Child.objects.values().get(pk=girl.pk) == before  # the child's own fields untouched
    entry = AuditEntry.objects.filter(child=girl, action="update").get()
    assert entry.changes == {"监护人电话": ["138****1234", "139****5678"]}


def test_empty_optional_cells_keep_what_the_registry_holds(client, staff, rows, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(client, "花名册.xlsx", xlsx_bytes(rows[:1]), capture=django_capture_on_commit_callbacks)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    Child.objects.filter(name="王小花").update(note="在校表现良好")
    sparse = {c: rows[0][c] for c in ("姓名", "身份证号", "乡镇（街道）", "户籍性质")}
    _response, again = upload(client, "简表.xlsx", xlsx_bytes([sparse]), capture=django_capture_on_commit_callbacks)
    assert again.rows_unchanged == 1
    assert Child.objects.get(name="王小花").note == "在校表现良好"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_and_gbk(client, staff, rows, encoding, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(
        client, "花名册.csv", csv_bytes(rows, encoding=encoding), capture=django_capture_on_commit_callbacks
    )
    assert (job.status, job.rows_new) == (ImportJob.Status.READY, 3)
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert set(Child.objects.values_list("name", flat=True)) >= {"王小花", "李小军", "赵小丽"}


def test_aliases_and_canonical_names(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    rows = [
        roster_row(儿童类别="社会散居孤儿", 保障项目="散居孤儿基本生活保障"),
        roster_row(
            姓名="孙小宝",
            birth=datetime.date(2014, 2, 2),
            儿童类别="事实无人抚养",
            保障项目="集中供养事实无人抚养儿童基本生活补贴",
        ),
    ]
    _response, job = upload(client, "别名.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert job.rows_new == 2, list(job.rows.values_list("errors", flat=True))
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert Child.objects.get(name="孙小宝").classifications.get().kind == "de_facto_institutional"
    assert Enrolment.objects.get(child__name="王小花").programme.code == "orphan_scattered"


def test_a_title_row_above_the_header_is_skipped(client, staff, township_a, django_capture_on_commit_callbacks):
    client.force_login(staff)

    def title(sheet):
        sheet.insert_rows(1)
        sheet["A1"] = "清风店镇2026年困境儿童花名册"

    bad = roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M", 保障起始月份="2024/1")
    content = xlsx_bytes([roster_row(), bad], raw=title)
    _response, job = upload(client, "带标题.xlsx", content, capture=django_capture_on_commit_callbacks)
    assert (job.rows_new, job.rows_invalid) == (1, 1)
    assert job.rows.get(status="invalid").line == 4  # the row number Excel shows


def test_minority_names_with_a_middle_dot_and_latin_names_are_names(
    client, staff, township_a, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    rows = [
        roster_row(姓名="阿依古丽·买买提"),
        roster_row(姓名="Anna 王", birth=datetime.date(2014, 6, 1), sex="M"),
    ]
    _response, job = upload(client, "少数民族.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    assert errors_of(job) == []
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert set(Child.objects.values_list("name", flat=True)) == {"阿依古丽·买买提", "Anna 王"}
