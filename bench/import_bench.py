"""Children import benchmark: preview and commit of a roster on PostgreSQL, beside an openpyxl read.

    .venv/bin/python bench/import_bench.py                 # 100,000 rows
    .venv/bin/python bench/import_bench.py --rows 20000
    .venv/bin/python bench/import_bench.py --csv           # the same rows as a UTF-8 CSV

The data lives in its own PostgreSQL database (dzw_bench_import by default): created if missing,
migrated, the 25 townships loaded, one bureau staff user. Before each run the registry tables are
emptied, so the first import creates every child. The roster is a synthetic file written by
`imports.samples` (valid ID numbers that belong to nobody), cached under /tmp.

Each measurement runs in a child process of its own and reports its wall time and peak RSS
(ru_maxrss), so one step's memory does not hide in another's:

- read: openpyxl `load_workbook(read_only=True)` and `iter_rows(values_only=True)` over every row,
  doing nothing with the cells: the floor for getting the cells out of the file;
- preview: `imports.services.run_check` (the Celery task's code): every cell checked, each chunk
  compared with the registry, the preview stored row by row (ImportRow);
- commit: `imports.services.run_commit`: the file checked again and written with bulk inserts in
  one transaction (children, villages, carers, accounts, classifications, enrolments, audit entries);
- re-import: the same file again, preview and commit: every row unchanged, nothing written.

Target (issue 4): preview + commit within 5x of the read, peak memory under 300 MB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_bench_import"


def setup(database_url: str) -> None:
    os.chdir(BASE_DIR)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "dingzhou_welfare.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-for-production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
            "MEDIA_ROOT": "/tmp/dzw-bench-import-media",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(database_url: str, rows: int, fmt: str) -> Path:
    ensure_database(database_url)
    setup(database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from children.models import Township
    from dingzhou_welfare.models import StaffProfile
    from imports.samples import roster_rows, write_roster_csv, write_roster_xlsx

    call_command("migrate", verbosity=0)
    if not Township.objects.exists():
        call_command("loaddata", "dingzhou_townships", verbosity=0)
    user, created = get_user_model().objects.get_or_create(username="bench_import_staff")
    if created:
        StaffProfile.objects.create(user=user, role="staff")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE subsidies_line, subsidies_batchtownship, subsidies_batch, subsidies_exportjob, "
            "subsidies_enrolment, children_classification, children_carer, children_paymentaccount, "
            "children_parentsituation, children_childdocument, imports_importrow, imports_importjob, "
            "dingzhou_welfare_auditentry, children_child CASCADE"
        )
        cursor.execute("DELETE FROM children_village")
    path = Path(f"/tmp/dzw-import-bench-{rows}.{fmt}")
    if not path.exists():
        with path.open("wb") as out:
            data = roster_rows(rows, seed=2026)
            (write_roster_csv if fmt == "csv" else write_roster_xlsx)(out, data)
    return path


def child(step: str, database_url: str, path: str, job_id: int | None) -> dict:
    start = time.perf_counter()
    result: dict = {}
    if step == "read":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        n = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        result["rows"] = n - 1
    else:
        setup(database_url)
        from django.contrib.auth import get_user_model
        from django.core.files import File

        from imports import services
        from imports.models import ImportJob

        user = get_user_model().objects.get(username="bench_import_staff")
        if step == "preview":
            with open(path, "rb") as handle:
                upload = File(handle, name=Path(path).name)
                upload.size = os.path.getsize(path)
                job = services.start_import(actor=user, kind="children", upload=upload, enqueue=False)
            result["job"] = job.pk
            result["status"] = services.run_check(job_id=job.pk)
        else:
            job = ImportJob.objects.get(pk=job_id)
            services.confirm_import(actor=user, job=job, villages_confirmed=True, enqueue=False)
            result["status"] = services.run_commit(job_id=job.pk)
        job = ImportJob.objects.get(pk=result.get("job", job_id))
        result.update(
            rows=job.total_rows,
            new=job.rows_new,
            changed=job.rows_changed,
            unchanged=job.rows_unchanged,
            invalid=job.rows_invalid,
            written=job.written,
            error=job.error[:200],
        )
    result["seconds"] = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["peak_mb"] = usage.ru_maxrss / 1024
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def run(step: str, database_url: str, path: Path, job_id: int | None = None) -> dict:
    command = [sys.executable, __file__, "--child", step, "--database-url", database_url, "--path", str(path)]
    if job_id:
        command += ["--job", str(job_id)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--child")
    parser.add_argument("--path")
    parser.add_argument("--job", type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.database_url, args.path, args.job)))
        return
    fmt = "csv" if args.csv else "xlsx"
    path = prepare(args.database_url, args.rows, fmt)
    size = path.stat().st_size / 1024 / 1024
    print(f"{args.rows:,} rows, {fmt}, {size:.1f} MB, PostgreSQL {args.database_url.rsplit('/', 1)[1]}")
    results = {}
    if fmt == "xlsx":
        results["read"] = run("read", args.database_url, path)
    results["preview"] = run("preview", args.database_url, path)
    results["commit"] = run("commit", args.database_url, path, results["preview"]["job"])
    results["re-import preview"] = run("preview", args.database_url, path)
    results["re-import commit"] = run("commit", args.database_url, path, results["re-import preview"]["job"])
    print(f"{'step':<20}{'seconds':>9}{'cpu s':>8}{'rows/s':>10}{'peak MB':>9}  result")
    for name, r in results.items():
        rate = args.rows / r["seconds"] if r["seconds"] else 0
        detail = r.get("status", "")
        if "new" in r:
            detail += (
                f" new {r['new']:,} changed {r['changed']:,} unchanged {r['unchanged']:,} invalid {r['invalid']:,}"
            )
        if r.get("error"):
            detail += f" ({r['error']})"
        print(f"{name:<20}{r['seconds']:>9.1f}{r['cpu']:>8.1f}{rate:>10,.0f}{r['peak_mb']:>9.0f}  {detail}")
    if "read" in results:
        whole = results["preview"]["seconds"] + results["commit"]["seconds"]
        cpu = results["preview"]["cpu"] + results["commit"]["cpu"]
        print(
            f"preview + commit: {whole:.1f} s = {whole / results['read']['seconds']:.2f}x the openpyxl read "
            f"(CPU of this process: {cpu / results['read']['cpu']:.2f}x; target 5x); "
            f"peak {max(r['peak_mb'] for r in results.values()):.0f} MB (target 300 MB)"
        )
    print("written:", json.dumps(results["commit"].get("written", {}), ensure_ascii=False))


if __name__ == "__main__":
    main()
