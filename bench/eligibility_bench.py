"""Issue 14's two targets at a million enrolments, measured in one run on PostgreSQL.

    DB=postgres://postgres@127.0.0.1:5432/dzw_bench_elig
    .venv/bin/python bench/load_children.py --children 1000000 --database-url $DB --reset
    .venv/bin/python bench/eligibility_bench.py --database-url $DB
    .venv/bin/python bench/eligibility_bench.py --database-url $DB --page-only   # computes the batch if none

The page-only mode (after a run, or on its own: it then runs the engine once, without the floor)
also times the summary tables as the page computed them before they were kept with the batch
(`summary_bench.py`), on the same batch, and prints the ratio.

- (a) the month's computation with the eligibility check (`compute_month`: the engine asks
  `subsidies.eligibility.qualifies_in` for every month it pays, then `finish_batch` writes the
  problem list in the same transaction) beside the INSERT ... SELECT floor of `compute_bench.py`
  (the same lines, with the same eligibility check in SQL), one after the other on the same data;
  the ratio is the figure (target: within 2x). `--celery` adds the fan-out to a real worker.
- (b) the problem list: `detect_problems` alone on the computed batch (what the computation
  pays for it), then the batch page that shows it, as a county-wide user sees it (target: the
  list for 1,000,000 enrolments renders in under 5 s; it is read from the batch's kept rows).

The data is `compute_bench.enrol_everyone`'s (every child enrolled once, categories and accounts
as a confirmed enrolment would have them) plus the parents' situations 62号 asks about, so the
problem list has real work: both parents dead for orphans; for de-facto children the mother dead
and the father imprisoned (five-year term), lost contact only four months before the month (1 in
20: not supported yet), or imprisoned with no term recorded (1 in 20: to check); one child in 200
without a payment account. Everything is bulk SQL; nothing goes through the ORM row by row.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import summary_bench
from common import DEFAULT_DATABASE_URL, STAFF_USERNAME, collect_static, setup_django
from compute_bench import MONTH, enrol_everyone, floor, in_process, through_celery

SITUATIONS = """
INSERT INTO children_parentsituation (child_id, parent, name, id_number, situation, start_date, term_months,
    evidence, work_place, note, recorded_at)
SELECT child_id, 'mother', '', '', 'dead', DATE '2018-03-01', NULL, '', '', '', now() FROM parents
UNION ALL
SELECT child_id, 'father', '', '',
    CASE WHEN orphan THEN 'dead' WHEN child_id % 20 = 0 THEN 'lost_contact' ELSE 'imprisoned' END,
    CASE WHEN orphan THEN DATE '2019-05-01' WHEN child_id % 20 = 0 THEN DATE '2026-07-15' ELSE DATE '2022-01-01' END,
    CASE WHEN orphan OR child_id % 20 = 0 OR child_id % 20 = 1 THEN NULL ELSE 60 END,
    '', '', '', now()
FROM parents
"""
PARENTS = """
CREATE TEMP TABLE parents AS
SELECT child_id, bool_or(kind LIKE 'orphan%%') AS orphan FROM children_classification
WHERE end_date IS NULL AND kind IN ('orphan_scattered', 'orphan_institutional', 'de_facto_scattered',
    'de_facto_institutional')
GROUP BY child_id
"""


def add_situations(cursor) -> None:
    cursor.execute("SELECT count(*) FROM children_parentsituation")
    if cursor.fetchone()[0]:
        return
    began = time.perf_counter()
    cursor.execute(PARENTS)
    cursor.execute(SITUATIONS)
    added = cursor.rowcount
    cursor.execute("DROP TABLE parents")
    cursor.execute("DELETE FROM children_paymentaccount WHERE child_id % 200 = 7")
    cursor.execute("ANALYZE children_parentsituation; ANALYZE children_paymentaccount")
    print(f"parents' situations: {added:,} rows in {time.perf_counter() - began:.1f} s")


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def problem_list(month, *, detect=True):
    """detect_problems on the computed batch (rolled back: the engine's own run kept its list), then the page."""
    from django.db import transaction

    from subsidies.models import Batch
    from subsidies.problems import detect_problems, problem_counts

    batch = Batch.objects.get(month=month)
    collect_static()  # production settings serve hashed static names
    detect_seconds, found = 0.0, batch.problems.count()
    if not detect:
        return found, None, _pages(month), problem_counts(batch)
    with transaction.atomic():
        began = time.perf_counter()
        found = detect_problems(batch)
        detect_seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    return found, detect_seconds, _pages(month), problem_counts(batch)


def _pages(month):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=STAFF_USERNAME))
    url = reverse("subsidies:batch", kwargs={"month": month})
    pages = []
    for _round in range(3):
        began = time.perf_counter()
        response = client.get(url)
        pages.append(time.perf_counter() - began)
        if response.status_code != 200 or "问题清单" not in response.text:
            raise SystemExit(f"the batch page answered {response.status_code} without its problem list")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--celery", action="store_true", help="also compute through a Celery worker")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--page-only", action="store_true", help="only the batch page of the batch left by a run")
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url)
    from django.core.management import call_command
    from django.db import connection

    from subsidies.months import parse_month

    call_command("migrate", verbosity=0)
    month = parse_month(MONTH)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        if enrolled := enrol_everyone(cursor):
            print(f"enrolled {enrolled:,} children in {time.perf_counter() - began:.1f} s")
        add_situations(cursor)
        cursor.execute("SELECT count(*) FROM subsidies_enrolment")
        print(f"{cursor.fetchone()[0]:,} enrolments; month {MONTH}; {os.cpu_count()} cores")
    print(f"load before: {load_average()}")

    if args.page_only:
        from subsidies.models import Batch

        if not Batch.objects.filter(month=month, status=Batch.Status.DRAFT).exists():
            seconds, count, total = in_process(month)  # no batch left by a run: the engine alone, no floor
            print(f"engine, one process (compute_month + problem list): {seconds:.1f} s, {count:,} lines, "
                  f"{total:,.2f} yuan")  # fmt: skip
        found, _none, pages, counts = problem_list(month, detect=False)
        print(f"problem list kept with the batch: {found:,} rows")
        for entry in counts:
            print(f"  {entry['kind']:<28} {entry['count']:>8,}  {entry['severity']}")
        print("batch page (county-wide user, kept list and totals): " + ", ".join(f"{s:.2f} s" for s in pages))
        summary_bench.report(summary_bench.measure(Batch.objects.get(month=month)), pages)
        print(f"load after:  {load_average()}")
        return
    rows = [("floor: one INSERT ... SELECT (eligibility in SQL)", *floor(connection, month))]
    if args.celery:
        rows.append((f"engine through Celery ({args.concurrency} worker processes)",
                     *through_celery(month, args.database_url, args.redis_url, args.concurrency)))  # fmt: skip
    rows.append(("engine, one process (compute_month + problem list)", *in_process(month)))
    found, detect_seconds, pages, counts = problem_list(month)
    print(f"load after:  {load_average()}")

    base_seconds, base_count, base_total = rows[0][1:]
    print(f"\n{'run':<55} {'seconds':>8} {'x floor':>8} {'lines':>10} {'total (yuan)':>16}  same as floor")
    for label, seconds, count, total in rows:
        same = "yes" if (count, total) == (base_count, base_total) else "NO"
        print(f"{label:<55} {seconds:>8.1f} {seconds / base_seconds:>8.2f} {count:>10,} {total:>16,.2f}  {same}")
    print(f"\nproblem list: {found:,} rows; detect_problems alone {detect_seconds:.1f} s "
          f"({detect_seconds / base_seconds:.2f} x floor)")  # fmt: skip
    for entry in counts:
        print(f"  {entry['kind']:<28} {entry['count']:>8,}  {entry['severity']}")
    print("batch page (county-wide user, kept list and totals): " + ", ".join(f"{s:.2f} s" for s in pages))
    from subsidies.models import Batch

    summary_bench.report(summary_bench.measure(Batch.objects.get(month=month)), pages)


if __name__ == "__main__":
    main()
