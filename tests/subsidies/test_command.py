"""`manage.py compute_month`: the same computation from the command line, for operators and cron."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command, execute_from_command_line

from subsidies.disbursement import compute_month
from subsidies.models import Batch
from subsidies.tasks import scheduled_month_task

from .conftest import enrol, make_orphan

pytestmark = pytest.mark.django_db
D = datetime.date.fromisoformat


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(D("2026-04-20")):
        yield


@pytest.fixture
def paid_orphan(child_a, caseworker_a, supervisor_a, staff, programmes):
    make_orphan(child_a, staff)
    return enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=D("2026-02-01"),
        confirmed_on=D("2026-02-10"),
    )


def run(*args) -> str:
    out = StringIO()
    call_command("compute_month", *args, stdout=out)
    return out.getvalue()


def test_prints_the_batch_summary(paid_orphan, staff):
    output = run("2026-03", "--user", "staff")
    batch = Batch.objects.get(month=D("2026-03-01"))
    assert output == f"{batch.number} 2026-03 待审批: 1 lines, 1000.00 元\n"
    assert batch.number.startswith("FF202603-")
    assert (batch.status, batch.run_by, batch.line_count) == ("draft", staff, 1)
    # Run again: the same draft, recomputed, not a second batch.
    assert run("2026-03", "--user", "staff") == output
    assert Batch.objects.count() == 1


def test_without_user_the_batch_has_no_runner(paid_orphan):
    run("2026-03")
    assert Batch.objects.get().run_by is None


# Committed data (a transactional test), as in the command's own process: the township tasks are handed
# over on commit, and the command waits until the batch is no longer computing.
@pytest.mark.django_db(transaction=True)
def test_queue_waits_for_the_workers_and_prints_the_batch(paid_orphan, staff):
    output = run("2026-03", "--user", "staff", "--queue", "--timeout", "30")
    batch = Batch.objects.get()
    queued, summary = output.splitlines()
    assert queued.startswith("queued ")
    assert summary == f"{batch.number} 2026-03 待审批: 1 lines, 1000.00 元"
    assert (batch.status, batch.line_count, batch.run_by) == ("draft", 1, staff)


def test_queue_no_wait_returns_once_queued(paid_orphan, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("2026-03", "--user", "staff", "--queue", "--no-wait")
    assert output.startswith("queued ")
    assert len(output.splitlines()) == 1


def test_queue_checks_the_refusal_before_queueing(paid_orphan, staff, monkeypatch):
    compute_month(month=D("2026-03-01"), actor=staff)  # March left as a draft
    queued = []
    monkeypatch.setattr("subsidies.tasks.compute_month_task.delay", lambda *args: queued.append(args))
    with pytest.raises(CommandError, match="请先审批之前月份的批次（2026-03），再计算2026-04。"):
        run("2026-04", "--user", "staff", "--queue")
    assert queued == []  # nothing reached the broker
    assert not Batch.objects.filter(month=D("2026-04-01")).exists()


@pytest.mark.parametrize("month", ["2026-13", "2026/03", "202603", "三月", "2026-3"])
def test_a_bad_month_is_refused_in_chinese(month):
    with pytest.raises(CommandError, match="月份格式应为 YYYY-MM，例如 2026-11"):
        run(month)
    assert not Batch.objects.exists()


def test_a_bad_month_exits_non_zero(capsys):
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "compute_month", "2026-13"])
    assert exit_.value.code == 1
    assert "月份格式应为 YYYY-MM，例如 2026-11，而不是 '2026-13'" in capsys.readouterr().err


def test_an_unknown_user_is_refused(db):
    with pytest.raises(CommandError, match="没有用户 'nobody'"):
        run("2026-03", "--user", "nobody")


def test_a_refusal_of_the_service_is_the_command_error(paid_orphan, staff):
    compute_month(month=D("2026-03-01"), actor=staff)  # March left as a draft
    with pytest.raises(CommandError, match="请先审批之前月份的批次（2026-03），再计算2026-04。"):
        run("2026-04", "--user", "staff")
    assert not Batch.objects.filter(month=D("2026-04-01")).exists()


@pytest.mark.parametrize(("day", "computed"), [("2026-04-05", True), ("2026-04-06", False)])
def test_the_daily_beat_job_computes_the_month_on_the_configured_day(
    paid_orphan, settings, django_capture_on_commit_callbacks, day, computed
):
    settings.DISBURSEMENT_DAY, settings.DISBURSEMENT_MONTH_OFFSET = 5, -1  # on the 5th, for last month
    with time_machine.travel(D(day)), django_capture_on_commit_callbacks(execute=True):
        result = scheduled_month_task()
    if computed:
        batch = Batch.objects.get()
        assert (result, batch.month, batch.status, batch.line_count, batch.run_by) == (
            batch.pk,
            D("2026-03-01"),
            "draft",
            1,
            None,
        )
    else:
        assert result is None
        assert not Batch.objects.exists()
