"""Backups: one archive with the PostgreSQL dump, the media files and a manifest; and their restore.

The archive (`dzw-backup-YYYYmmdd-HHMMSS.tar`) holds:

- `database.dump`: pg_dump's custom format, taken in the same snapshot as the counts;
- `media/...`: every file under MEDIA_ROOT;
- `manifest.json`: the app version, the applied migrations, the row count of every table and the
  sha256 of every other member;
- `manifest.sha256`: the sha256 of manifest.json.

A restore checks every checksum, that the archive was made by this version of the code (the same
migrations), and that the target database is empty, before it writes anything; it ends by
comparing the restored tables' counts with the manifest. Retention keeps the newest BACKUP_KEEP
archives of the directory.
"""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path, PurePosixPath

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from psycopg import sql

from .databases import connection_params, is_postgresql

FORMAT = 1
PREFIX = "dzw-backup-"
DUMP, MANIFEST, MANIFEST_SUM = "database.dump", "manifest.json", "manifest.sha256"


class BackupError(Exception):
    """One plain sentence for the operator."""


def app_version() -> str:
    with (settings.BASE_DIR / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def code_migrations() -> list[list[str]]:
    """Every migration this code has, as [app, name]: a backup must come from the same set."""
    return sorted([app, name] for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def table_names() -> list[str]:
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    return sorted(tables | {"django_migrations"})


def _pg_env(database: dict) -> dict:
    env = {**os.environ}
    for key, setting in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(setting):
            env[key] = str(database[setting])
    return env


def _run(command: list[str], database: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(database), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client-15）"
        ) from None
    if done.returncode != 0:
        detail = " ".join(line.strip() for line in done.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what}失败：{detail}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count(conn, table: str) -> int:
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]


def _require_postgresql(database: dict) -> None:
    if not is_postgresql(database):
        raise BackupError("备份与恢复只支持 PostgreSQL（DATABASE_URL）；SQLite 数据库请直接复制 var/db.sqlite3 文件。")


def create_backup(*, directory: Path, keep: int, database: dict | None = None, media_root: Path | None = None) -> Path:
    """Write one archive into `directory` and delete all but the newest `keep`; returns its path."""
    database = database or connection.settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _require_postgresql(database)
    if keep < 1:
        raise BackupError("保留份数（BACKUP_KEEP）至少为 1")
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.localtime()
    path = directory / f"{PREFIX}{now:%Y%m%d-%H%M%S}.tar"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        try:
            conn = psycopg.connect(**connection_params(database))
        except psycopg.OperationalError as error:
            raise BackupError(f"无法连接数据库 {database['NAME']}：{str(error).strip().splitlines()[-1]}") from None
        with conn:
            # One snapshot for the dump and the counts, so the manifest describes exactly the dump.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={dump}",
                    f"--dbname={database['NAME']}",
                ],
                database,
                "pg_dump ",
            )
            present = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
            counts = {table: _count(conn, table) for table in table_names() if table in present}
            migrations = sorted([app, name] for app, name in conn.execute("SELECT app, name FROM django_migrations"))
        media = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.is_dir() else []
        files = {DUMP: _sha256(dump)}
        files.update({f"media/{p.relative_to(media_root).as_posix()}": _sha256(p) for p in media})
        manifest = {
            "format": FORMAT,
            "app_version": app_version(),
            "created_at": now.isoformat(),
            "database": database["NAME"],
            "migrations": migrations,
            "counts": counts,
            "files": files,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        partial = path.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, manifest_bytes)
            _add_bytes(tar, MANIFEST_SUM, hashlib.sha256(manifest_bytes).hexdigest().encode())
            tar.add(dump, arcname=DUMP)
            for file in media:
                tar.add(file, arcname=f"media/{file.relative_to(media_root).as_posix()}")
        partial.rename(path)
    prune_backups(directory=directory, keep=keep)
    return path


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives (their names sort by time); returns the deleted."""
    archives = sorted(directory.glob(f"{PREFIX}*.tar"))
    old = archives[:-keep] if len(archives) > keep else []
    for archive in old:
        archive.unlink()
    return old


def read_manifest(archive: Path) -> dict:
    """The archive's manifest after checking every checksum and that this code can restore it."""
    if not archive.is_file():
        raise BackupError(f"备份文件 {archive} 不存在")
    try:
        with tarfile.open(archive, "r") as tar:
            manifest_bytes = _member(tar, MANIFEST)
            expected = _member(tar, MANIFEST_SUM).decode().strip()
            if hashlib.sha256(manifest_bytes).hexdigest() != expected:
                raise BackupError("备份文件已损坏：清单（manifest.json）的校验和不符")
            manifest = json.loads(manifest_bytes)
            names = {m.name for m in tar.getmembers() if m.isfile()} - {MANIFEST, MANIFEST_SUM}
            if names != set(manifest["files"]):
                raise BackupError("备份文件已损坏：包含的文件与清单不符")
            for member in tar.getmembers():
                if member.name in manifest["files"]:
                    digest = hashlib.sha256()
                    with tar.extractfile(member) as data:
                        for chunk in iter(lambda: data.read(1 << 20), b""):
                            digest.update(chunk)
                    if digest.hexdigest() != manifest["files"][member.name]:
                        raise BackupError(f"备份文件已损坏：{member.name} 的校验和不符")
    except (tarfile.TarError, EOFError, OSError, UnicodeDecodeError, ValueError, KeyError) as error:
        raise BackupError(f"备份文件已损坏或不是本系统的备份：{error}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不是本版本的格式 {FORMAT}")
    if manifest["migrations"] != code_migrations():
        theirs, ours = {tuple(m) for m in manifest["migrations"]}, {tuple(m) for m in code_migrations()}
        extra, missing = sorted(theirs - ours), sorted(ours - theirs)
        raise BackupError(
            f"备份来自另一版本（{manifest.get('app_version')}，本系统 {app_version()}）：迁移状态不同"
            f"（备份多 {len(extra)} 个{'，如 ' + '.'.join(extra[0]) if extra else ''}；"
            f"少 {len(missing)} 个{'，如 ' + '.'.join(missing[0]) if missing else ''}）；请用相同版本的代码恢复。"
        )
    return manifest


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"备份文件已损坏或不是本系统的备份：缺少 {name}") from None
    with tar.extractfile(member) as data:
        return data.read()


def restore_backup(*, archive: Path, database: dict | None = None, media_root: Path | None = None) -> dict:
    """Restore `archive` into an empty database and an empty media directory; returns the manifest."""
    database = database or connection.settings_dict
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _require_postgresql(database)
    manifest = read_manifest(archive)
    try:
        conn = psycopg.connect(**connection_params(database), autocommit=True)
    except psycopg.OperationalError as error:
        raise BackupError(
            f"无法连接数据库 {database['NAME']}：{str(error).strip().splitlines()[-1]}；"
            "请先建一个空库（createdb）并让 DATABASE_URL 指向它"
        ) from None
    with conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    if tables:
        raise BackupError(
            f"数据库 {database['NAME']} 不是空的（已有 {tables} 张表）；恢复只写入空数据库，请新建一个空库再恢复。"
        )
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(f"文件目录 {media_root}（MEDIA_ROOT）不是空的；请指向一个空目录再恢复。")
    with tempfile.TemporaryDirectory(prefix="dzw-restore-") as work, tarfile.open(archive, "r") as tar:
        dump = Path(work) / DUMP
        with tar.extractfile(DUMP) as data, dump.open("wb") as out:
            shutil.copyfileobj(data, out)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={database['NAME']}",
                str(dump),
            ],
            database,
            "pg_restore ",
        )
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("media/"):
                relative = PurePosixPath(member.name).relative_to("media")
                if relative.is_absolute() or ".." in relative.parts:
                    raise BackupError(f"备份文件中的路径不安全：{member.name}")
                target = media_root.joinpath(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as data, target.open("wb") as out:
                    shutil.copyfileobj(data, out)
    with psycopg.connect(**connection_params(database)) as conn:
        wrong = {t: (n, _count(conn, t)) for t, n in manifest["counts"].items() if _count(conn, t) != n}
    if wrong:
        table, (want, got) = next(iter(wrong.items()))
        raise BackupError(f"恢复后 {len(wrong)} 张表的行数与清单不符，如 {table}：应为 {want}，实为 {got}")
    return manifest
