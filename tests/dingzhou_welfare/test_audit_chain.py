"""The audit trail is append-only and chained: each row holds the hash of the one before (issue 19, item 10)."""

import datetime
import itertools
import threading
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from children.models import Child
from dingzhou_welfare.audit import first_broken_entry, log_action
from dingzhou_welfare.models import AuditEntry

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger and the advisory lock are PostgreSQL's"
)


def tamper(sql: str, params=()) -> None:
    """Change the table behind the application's back, as someone with the owner's rights could."""
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, run now
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER dzw_audit_append_only")
        cursor.execute(sql.format(table=table), params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER dzw_audit_append_only")


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def three(staff, child_a):
    return [
        log_action(actor=staff, action=AuditEntry.Action.REVEAL, obj=child_a, child=child_a, summary="查看"),
        log_action(actor=staff, action=AuditEntry.Action.EXPORT, obj="roster", summary="导出", changes={"n": [1, 2]}),
        log_action(actor=None, action=AuditEntry.Action.DECISION, obj=child_a, child=child_a, summary="决定"),
    ]


def test_each_row_holds_the_hash_of_the_one_before(three):
    rows = list(AuditEntry.objects.order_by("id"))
    assert rows[0].prev_hash == ""
    for before, row in itertools.pairwise(rows):
        assert row.prev_hash == before.hash
        assert len(row.hash) == 64
    assert "审计链完好" in verify()


def test_values_are_hashed_as_the_database_gives_them_back(staff, child_a):
    """Dates and Decimals in `changes` are stored as strings: the hash is of what is stored."""
    from decimal import Decimal

    log_action(
        actor=staff,
        action=AuditEntry.Action.UPDATE,
        obj=child_a,
        changes={"出生日期": [datetime.date(2015, 3, 14), None], "金额": [Decimal("1.50"), (1, 2)]},
    )
    assert first_broken_entry()[0] is None


def test_a_changed_row_is_named(three):
    tamper("UPDATE {table} SET summary = %s WHERE id = %s", ["改过", three[1].pk])
    with pytest.raises(CommandError, match=rf"第 {three[1].pk} 号记录.*写入后被改动"):
        verify()


def test_a_deleted_row_breaks_the_link_of_the_next(three):
    tamper("DELETE FROM {table} WHERE id = %s", [three[1].pk])
    with pytest.raises(CommandError, match=rf"第 {three[2].pk} 号记录.*删除、插入或改动"):
        verify()


def test_a_row_slipped_in_without_the_chain_is_found(three):
    AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, object_type="user", summary="伪造")
    entry, reason, checked = first_broken_entry()
    assert (entry.summary, reason, checked) == ("伪造", "prev", AuditEntry.objects.count() - 1)


@postgresql_only
def test_the_trigger_refuses_update_and_delete(three):
    entry = three[0]
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(summary="改过")
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "查看"


def test_deleting_a_child_leaves_its_trail_as_it_was(three, child_a):
    """Children are closed, not deleted; only the demo's --reset deletes its own. The rows stay, unchanged."""
    before = list(AuditEntry.objects.filter(child_id=child_a.pk).values_list("id", "hash"))
    Child.objects.filter(pk=child_a.pk).delete()
    assert list(AuditEntry.objects.filter(child_id=child_a.pk).values_list("id", "hash")) == before
    assert first_broken_entry()[0] is None


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_entries_written_at_the_same_moment_stay_one_chain(staff):
    """Without the lock, two transactions would read the same last hash and fork the chain."""
    start = threading.Barrier(4)
    errors = []

    def write():
        try:
            start.wait(timeout=10)
            for n in range(10):
                with transaction.atomic():
                    log_action(actor=staff, action=AuditEntry.Action.EXPORT, obj="roster", summary=str(n))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.filter(object_type="roster").count() == 40
    assert first_broken_entry() == (None, "", AuditEntry.objects.count())


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_chain_get_their_hashes(staff):
    """The data migration links the rows that were there: data entered must survive the migration."""
    executor = MigrationExecutor(connection)
    before = [("dingzhou_welfare", "0008_auditentry_hash_chain")]
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("dingzhou_welfare", "AuditEntry")
        old.objects.all().delete()
        for n in range(3):
            old.objects.create(action="export", object_type="roster", summary=f"旧{n}", changes={"n": n})
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    rows = list(AuditEntry.objects.order_by("id"))
    assert [r.summary for r in rows] == ["旧0", "旧1", "旧2"]
    assert all(r.hash for r in rows)
    assert first_broken_entry() == (None, "", 3)


# -------------------------------------------------------------------------------------------------
# Retention: at least 180 days, by design. Nothing in the code deletes audit rows, whatever a setting says.


def test_no_scheduled_job_removes_an_audit_row(three):
    from django.utils.module_loading import import_string

    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=181)):
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            import_string(entry["task"]).apply().get()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in three]).count() == 3
    assert first_broken_entry()[0] is None


def test_no_code_deletes_audit_rows():
    """A source check: no module outside the tests and migrations deletes or rewrites audit rows."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"(AuditEntry|audit_entries)\b[^\n]*\.(delete|update|_raw_delete|bulk_update)\(")
    found = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in ("tests", ".venv", "var", "bench") or "migrations" in parts:
            continue
        found += [
            f"{path.relative_to(root)}: {line.strip()}"
            for line in path.read_text().splitlines()
            if pattern.search(line)
        ]
    assert found == []
