"""manage.py backup and restore: a populated PostgreSQL database into a new one, counts and an approved
batch's total compared; corrupted, foreign and non-empty cases refused with the reason."""

import datetime
import hashlib
import json
import tarfile
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from dingzhou_welfare import backups
from dingzhou_welfare.databases import connection_params, is_postgresql
from subsidies.disbursement import approve_batch, compute_month
from subsidies.models import Programme
from tests.factories import ensure_reference_data
from tests.subsidies.conftest import enrol, make_orphan

pytestmark = [
    pytest.mark.skipif(
        not is_postgresql(connection.settings_dict), reason="backups are pg_dump archives: PostgreSQL only"
    ),
    pytest.mark.django_db(transaction=True),
]
D = datetime.date


@pytest.fixture
def populated(child_a, caseworker_a, supervisor_a, staff, leader, tmp_path, settings):
    """An approved March batch for one orphan, and an uploaded file in MEDIA_ROOT."""
    ensure_reference_data()
    programmes = {p.code: p for p in Programme.objects.all()}
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "户口本.pdf").write_bytes(b"%PDF-1.7 scan")
    make_orphan(child_a, staff)
    enrol(
        child_a,
        programmes["orphan_scattered"],
        applicant=caseworker_a,
        checker=supervisor_a,
        confirmer=staff,
        applied_on=D(2026, 2, 1),
        confirmed_on=D(2026, 2, 10),
    )
    return approve_batch(batch=compute_month(month=D(2026, 3, 1), actor=staff), actor=leader)


@pytest.fixture
def new_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    admin = connection_params(connection.settings_dict, dbname="postgres")
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**connection.settings_dict, "NAME": name}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_backup_then_restore_into_a_new_database(populated, new_database, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    call_command("backup")
    (archive,) = settings.BACKUP_DIR.glob("dzw-backup-*.tar")
    manifest = backups.read_manifest(archive)
    assert manifest["counts"]["subsidies_batch"] == 1
    assert manifest["counts"]["children_child"] >= 1
    assert manifest["app_version"] == backups.app_version()
    assert "media/documents/户口本.pdf" in manifest["files"]

    restored_media = tmp_path / "restored-media"
    backups.restore_backup(archive=archive, database=new_database, media_root=restored_media)
    with psycopg.connect(**connection_params(new_database)) as conn:
        for table, count in manifest["counts"].items():
            assert backups._count(conn, table) == count, table
        total = conn.execute(
            "SELECT total_amount, status FROM subsidies_batch WHERE month = %s", [D(2026, 3, 1)]
        ).fetchone()
    assert total == (populated.total_amount, "approved")
    assert populated.total_amount == Decimal("1000.00")
    assert (restored_media / "documents" / "户口本.pdf").read_bytes() == b"%PDF-1.7 scan"

    # Restoring again: the database is no longer empty.
    with pytest.raises(backups.BackupError, match=r"不是空的（已有 \d+ 张表）"):
        backups.restore_backup(archive=archive, database=new_database, media_root=tmp_path / "other")


def test_restore_into_the_populated_database_is_refused(populated, tmp_path):
    archive = backups.create_backup(directory=tmp_path, keep=3)
    with pytest.raises(CommandError, match=r"未恢复：数据库 .* 不是空的"):
        call_command("restore", str(archive))


def test_a_corrupted_archive_is_refused(populated, new_database, tmp_path):
    archive = backups.create_backup(directory=tmp_path, keep=3)
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        dump = tar.getmember("database.dump")
    data[dump.offset_data + dump.size // 2] ^= 0xFF  # one flipped byte in the middle of the dump
    archive.write_bytes(bytes(data))
    with pytest.raises(backups.BackupError, match=r"备份文件已损坏：database\.dump 的校验和不符"):
        backups.restore_backup(archive=archive, database=new_database, media_root=tmp_path / "m")
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(bytes(data[:700]))
    with pytest.raises(backups.BackupError, match="备份文件已损坏"):
        backups.restore_backup(archive=truncated, database=new_database, media_root=tmp_path / "m")
    with psycopg.connect(**connection_params(new_database)) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)


def test_an_archive_of_another_version_is_refused(populated, new_database, tmp_path):
    archive = backups.create_backup(directory=tmp_path, keep=3)
    foreign = tmp_path / "foreign.tar"
    with tarfile.open(archive) as source, tarfile.open(foreign, "w") as target:
        manifest = json.loads(source.extractfile("manifest.json").read())
        manifest["migrations"].append(["subsidies", "9999_from_the_future"])
        manifest["app_version"] = "9.0.0"
        body = json.dumps(manifest).encode()
        backups._add_bytes(target, "manifest.json", body)
        backups._add_bytes(target, "manifest.sha256", hashlib.sha256(body).hexdigest().encode())
        for member in source.getmembers():
            if member.name not in ("manifest.json", "manifest.sha256"):
                target.addfile(member, source.extractfile(member))
    with pytest.raises(CommandError, match=r"备份来自另一版本（9\.0\.0.*迁移状态不同.*subsidies\.9999_from_the_future"):
        call_command("restore", str(foreign), "--check")


def test_retention_keeps_the_newest(populated, tmp_path, time_machine):
    start = datetime.datetime(2026, 5, 1, 1, 15, tzinfo=datetime.UTC)
    for day in range(4):
        time_machine.move_to(start + datetime.timedelta(days=day), tick=False)
        backups.create_backup(directory=tmp_path, keep=2)
    names = sorted(p.name for p in Path(tmp_path).glob("dzw-backup-*.tar"))
    assert names == ["dzw-backup-20260503-091500.tar", "dzw-backup-20260504-091500.tar"]


def test_the_nightly_beat_entry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["backup-nightly"]
    assert entry["task"] == "dingzhou_welfare.tasks.backup_task"
