"""New villages are named in the preview and created only after a separate tick; a near-name is a likely typo."""

import datetime

import pytest
from django.urls import reverse

from children.models import Child, Village
from imports.models import ImportJob
from imports.roster.parse import within_one_edit

from .conftest import confirm, roster_row, upload, xlsx_bytes

pytestmark = pytest.mark.usefixtures("frozen", "programmes")


@pytest.fixture
def job(client, staff, village_a, django_capture_on_commit_callbacks):
    """A file naming 东村 (there), 东材 (a typo of it) and 李家庄 (new) in 清风店镇."""
    client.force_login(staff)
    rows = [
        roster_row(),
        roster_row(姓名="刘小川", birth=datetime.date(2014, 6, 1), sex="M", **{"村（社区）": "东材"}),
        roster_row(姓名="赵小雨", birth=datetime.date(2016, 8, 8), **{"村（社区）": "李家庄"}),
    ]
    _response, job = upload(client, "新村.xlsx", xlsx_bytes(rows), capture=django_capture_on_commit_callbacks)
    return job


def test_the_preview_names_the_new_villages_and_the_likely_typo(client, job):
    assert job.status == ImportJob.Status.READY
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "将新建村（社区）：清风店镇东材<strong>（可能是笔误：已有东村）</strong>、清风店镇李家庄，共 2 个" in page
    assert 'name="confirm_villages"' in page
    row = job.rows.get(line=3)
    assert ["可能笔误", "", "将新建村（社区）“东材”，与已有的“东村”只差一个字"] in row.changes
    assert not [c for c in job.rows.get(line=4).changes if c[0] == "可能笔误"]


def test_without_the_tick_nothing_is_written(client, job, django_capture_on_commit_callbacks):
    response = confirm(client, job, capture=django_capture_on_commit_callbacks, villages=False)
    assert response.status_code == 302
    assert job.status == ImportJob.Status.READY
    assert not Child.objects.exists()
    assert list(Village.objects.values_list("name", flat=True)) == ["东村"]
    page = client.get(response.url).content.decode()
    assert "请先勾选确认新建" in page


def test_with_the_tick_the_villages_are_created(client, job, django_capture_on_commit_callbacks):
    confirm(client, job, capture=django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert set(Village.objects.values_list("name", flat=True)) == {"东村", "东材", "李家庄"}
    assert job.written["villages_created"] == 2


def test_a_file_of_known_villages_needs_no_tick(client, staff, village_a, django_capture_on_commit_callbacks):
    client.force_login(staff)
    _response, job = upload(client, "老村.xlsx", xlsx_bytes([roster_row()]), capture=django_capture_on_commit_callbacks)
    assert 'name="confirm_villages"' not in client.get(reverse("imports:job", args=[job.pk])).content.decode()
    confirm(client, job, capture=django_capture_on_commit_callbacks, villages=False)
    assert job.status == ImportJob.Status.DONE


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("东村", "东材", True),
        ("东村", "东二村", True),
        ("东二村", "东村", True),
        ("东村", "村", True),
        ("东村", "西材", False),
        ("东村", "东村村村", False),
        ("东村", "东村", True),
    ],
)
def test_one_edit_away(a, b, near):
    assert within_one_edit(a, b) is near
