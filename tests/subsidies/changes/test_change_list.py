"""The month's change list (增员/减员): `manage.py export_changes`, the page and its download, in a
layout that is data; scoped to the user's townships, ID numbers masked unless asked for by a role
that may see them, every export audited."""

import datetime
import io
from io import StringIO

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Carer, Classification
from children.services import end_classification
from dingzhou_welfare.models import AuditEntry
from subsidies.changes.models import ChangeListColumn, ChangeListLayout
from tests.factories import CarerFactory

from ..conftest import make_orphan

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat
NATIONAL_HEADERS = [
    "序号", "变动类型", "变动日期", "类别代码", "儿童类别", "保障项目", "公民身份号码", "姓名", "性别", "出生日期",
    "乡镇（街道）代码", "乡镇（街道）", "村（社区）", "监护人姓名", "与儿童关系", "变动原因代码", "变动原因", "说明",
]  # fmt: skip


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 4, 20, 10, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def april(child_a, child_b, staff, programmes):
    """April 2026: child A (township A) classified an orphan; child B (township B) classified and ended."""
    CarerFactory(child=child_a, name="王大爷", is_guardian=True, relationship=Carer.Relationship.PATERNAL_GRANDPARENT)
    make_orphan(child_a, staff, since=D("2026-04-02"))
    make_orphan(child_b, staff, since=D("2026-04-03"))
    end_classification(
        actor=staff,
        classification=child_b.classifications.get(),
        end_date=D("2026-04-15"),
        reason=Classification.EndReason.DIED,
        note="病故",
    )
    return child_a, child_b


def run(*args) -> str:
    out = StringIO()
    call_command("export_changes", *args, stdout=out)
    return out.getvalue()


def sheet_rows(source) -> list[list]:
    workbook = openpyxl.load_workbook(source, read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_command_writes_the_national_layout(april, staff, tmp_path):
    child_a, child_b = april
    path = tmp_path / "changes.xlsx"
    output = run("2026-04", "--user", "staff", "-o", str(path))
    assert "3 条" in output and "含完整身份证号" in output
    rows = sheet_rows(path)
    assert rows[0] == NATIONAL_HEADERS
    by_name = {(r[7], r[1]): dict(zip(NATIONAL_HEADERS, r, strict=True)) for r in rows[1:]}
    assert set(by_name) == {(child_a.name, "增员"), (child_b.name, "增员"), (child_b.name, "减员")}
    added = by_name[(child_a.name, "增员")]
    assert added["公民身份号码"] == child_a.id_number  # full, for the national system
    assert (added["类别代码"], added["儿童类别"], added["变动日期"]) == ("201", "社会散居孤儿", "2026-04-02")
    assert (added["性别"], added["出生日期"]) == (child_a.get_sex_display(), child_a.birth_date.isoformat())
    assert (added["乡镇（街道）代码"], added["乡镇（街道）"]) == (child_a.township.code, child_a.township.name)
    assert (added["监护人姓名"], added["与儿童关系"], added["变动原因代码"]) == ("王大爷", "祖父母", "classified")
    removed = by_name[(child_b.name, "减员")]
    assert (removed["变动原因代码"], removed["变动原因"], removed["变动日期"]) == ("died", "死亡", "2026-04-15")
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert [r[1] for r in rows[1:]] == ["增员", "增员", "减员"]  # additions first
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, actor=staff)
    assert entry.changes == {"month": "2026-04", "layout": "national", "masked": False, "rows": 3}


def test_command_masked_and_scoped_to_the_users_townships(april, caseworker_a, tmp_path):
    child_a, _child_b = april
    path = tmp_path / "a.xlsx"
    run("2026-04", "--user", "caseworker_a", "-o", str(path), "--masked")
    rows = sheet_rows(path)
    assert [r[7] for r in rows[1:]] == [child_a.name]
    assert rows[1][6] == child_a.id_number[:4] + "*" * 10 + child_a.id_number[-4:]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, actor=caseworker_a)
    assert entry.changes["masked"] is True and entry.changes["rows"] == 1


def test_command_in_a_layout_kept_as_data(april, staff, tmp_path):
    layout = ChangeListLayout.objects.create(code="short", name="简表", sheet_title="名单")
    for n, (field, header) in enumerate([("name", "儿童"), ("reason_code", ""), ("national_code", "代码")], 1):
        ChangeListColumn.objects.create(layout=layout, position=n, field=field, header=header)
    path = tmp_path / "short.xlsx"
    run("2026-04", "--user", "staff", "-o", str(path), "--layout", "short")
    rows = sheet_rows(path)
    assert rows[0] == ["儿童", "变动原因代码", "代码"]
    assert sorted(r[1] for r in rows[1:]) == ["classified", "classified", "died"]
    assert openpyxl.load_workbook(path).sheetnames == ["名单"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13", "--user", "staff"], "月份格式应为 YYYY-MM"),
        (["1999-01", "--user", "staff"], "超出范围"),
        (["2026-04", "--user", "nobody"], "没有用户"),
        (["2026-04", "--user", "administrator"], "没有查看儿童信息的角色"),
        (["2026-04", "--user", "staff", "--layout", "nope"], "没有启用的增减员名单格式“nope”"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(april, administrator, tmp_path, args, message):
    path = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match=message):
        run(*args, "-o", str(path))
    assert not path.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()
    with pytest.raises(CommandError, match="不存在"):
        run("2026-04", "--user", "staff", "-o", str(tmp_path / "no" / "x.xlsx"))


def test_page_lists_the_month_masked_and_links_the_download(april, client, staff):
    child_a, child_b = april
    client.force_login(staff)
    page = client.get(reverse("subsidies:change_list"), {"month": "2026-04"})
    assert page.status_code == 200
    html = page.content.decode()
    assert child_a.name in html and child_b.name in html and "王大爷" in html
    assert child_a.id_number not in html and child_a.id_number[-4:] in html
    download = reverse("subsidies:change_list_download", args=["2026-04"])
    assert f'action="{download}"' in html
    assert reverse("subsidies:change_list") in client.get(reverse("subsidies:changes")).content.decode()
    masked = client.get(download, {"layout": "national"})
    assert masked.status_code == 200 and "attachment" in masked["Content-Disposition"]
    rows = sheet_rows(io.BytesIO(b"".join(masked.streaming_content)))
    assert len(rows) == 4 and child_a.id_number not in {r[6] for r in rows}
    full = client.get(download, {"layout": "national", "full": "1"})
    rows = sheet_rows(io.BytesIO(b"".join(full.streaming_content)))
    assert child_a.id_number in {r[6] for r in rows}
    audits = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=staff).order_by("id")
    assert [a.changes["masked"] for a in audits] == [True, False]


def test_page_and_download_are_scoped(april, client, caseworker_b):
    child_a, child_b = april
    client.force_login(caseworker_b)
    html = client.get(reverse("subsidies:change_list"), {"month": "2026-04"}).content.decode()
    assert child_b.name in html and child_a.name not in html
    response = client.get(reverse("subsidies:change_list_download", args=["2026-04"]))
    names = {r[7] for r in sheet_rows(io.BytesIO(b"".join(response.streaming_content)))[1:]}
    assert names == {child_b.name}


def test_roles_without_children_find_no_page(client, administrator, outsider):
    for user in (administrator, outsider):
        client.force_login(user)
        assert client.get(reverse("subsidies:change_list")).status_code == 404
        assert client.get(reverse("subsidies:change_list_download", args=["2026-04"])).status_code == 404


def test_page_refuses_a_bad_month_and_an_unknown_layout(client, staff, april):
    client.force_login(staff)
    response = client.get(reverse("subsidies:change_list"), {"month": "2026-4x"})
    assert response.status_code == 400 and "请按“年-月”填写月份" in response.content.decode()
    response = client.get(reverse("subsidies:change_list_download", args=["2026-04"]), {"layout": "nope"})
    assert response.status_code == 400 and "nope" in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_page_lists_changes_entered_late_for_earlier_months(april, client, staff, child_a2):
    make_orphan(child_a2, staff, since=D("2026-02-10"))  # recorded in April, belongs to February
    client.force_login(staff)
    html = client.get(reverse("subsidies:change_list"), {"month": "2026-04"}).content.decode()
    late = html[html.index('id="late"') :]
    assert child_a2.name in late and "2026-02-10" in late and 'href="?month=2026-02"' in late
    assert child_a2.name not in html[: html.index('id="late"')]  # not in April's list
    february = client.get(reverse("subsidies:change_list"), {"month": "2026-02"}).content.decode()
    assert child_a2.name in february and 'id="late"' not in february
