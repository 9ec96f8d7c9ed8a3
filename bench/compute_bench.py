"""Compute one month's disbursement for a million enrolled children, beside its floor.

    .venv/bin/python bench/load_children.py            # once: 1,000,000 children in dzw_bench
    .venv/bin/python bench/compute_bench.py             # enrols them, then measures

What it measures, in one run on the same data (PostgreSQL, Redis):
- floor: one set-based INSERT ... SELECT writing the same lines (standard in force, payee snapshot,
  the eligibility check: an active file, under the age limit, a qualifying category held that month);
- engine in-process: subsidies.disbursement.compute_month (every township, one process);
- engine through Celery: compute_month_task fanning out per township to a real worker with
  --concurrency 2 (this machine's cores), timed from .delay() to the batch becoming a draft.
Each engine run is checked against the floor: same number of lines, same total to the fen.
Enrolments are one per child with no stacking pair and no arrears, so the floor is the same work.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BASE_DIR, DEFAULT_DATABASE_URL, bench_environment, setup_django

MONTH = "2026-11"
PROGRAMME_MIX = [("orphan_scattered", 30), ("de_facto_scattered", 30), ("rural_dibao", 25), ("urban_dibao", 15)]


def enrol_everyone(cursor) -> int:
    """One confirmed enrolment and one payment account per child, as an import would leave them."""
    cursor.execute("SELECT count(*) FROM subsidies_enrolment")
    if cursor.fetchone()[0]:
        return 0
    cursor.execute("SELECT id, code FROM subsidies_programme")
    ids = {code: pk for pk, code in cursor.fetchall()}
    cases, low = [], 0
    for code, share in PROGRAMME_MIX:
        cases.append(f"WHEN c.id % 100 < {low + share} THEN {ids[code]}")
        low += share
    cursor.execute(
        f"""
        INSERT INTO subsidies_enrolment (child_id, programme_id, status, applied_on, evidence, check_note,
            refusal_reason, start_month, end_reason, prior_paid_through, needs_reconcile, created_at, end_note,
            school_name, suspension_reason)
        SELECT c.id, CASE {" ".join(cases)} END, 'confirmed', DATE '2024-01-01', '', '', '',
            DATE '2024-01-01', '', DATE '2026-10-01', false, now(), '', '', ''
        FROM children_child c
        """  # noqa: S608 - ids from this database
    )
    enrolled = cursor.rowcount
    # Each enrolment whose programme needs a category holds it (subsidies.eligibility), as a confirmed one would.
    cursor.execute(
        """
        INSERT INTO children_classification (child_id, kind, start_date, end_date, end_reason, note, created_at)
        SELECT e.child_id, p.eligible_kinds ->> 0, DATE '2024-01-01', NULL, '', '', now()
        FROM subsidies_enrolment e JOIN subsidies_programme p ON p.id = e.programme_id
        WHERE jsonb_array_length(p.eligible_kinds::jsonb) > 0
          AND NOT EXISTS (SELECT 1 FROM children_classification k
                          WHERE k.child_id = e.child_id AND k.kind = p.eligible_kinds ->> 0 AND k.end_date IS NULL)
        """
    )
    cursor.execute(
        """
        INSERT INTO children_paymentaccount (child_id, method, payee_name, payee_id_number, payee_relationship,
            bank_name, account_number)
        SELECT c.id, 'one_card', c.name || '之监护人', '', 'paternal_grandparent', '定州农商银行',
            lpad((6217000000000000 + c.id)::text, 16, '0')
        FROM children_child c
        WHERE NOT EXISTS (SELECT 1 FROM children_paymentaccount a WHERE a.child_id = c.id)
        """
    )
    for code, amount in (("rural_dibao", "530.00"), ("urban_dibao", "710.00")):
        cursor.execute(
            """INSERT INTO subsidies_standard (programme_id, effective_month, amount, note, created_at)
               VALUES (%s, DATE '2020-01-01', %s, 'bench', now()) ON CONFLICT DO NOTHING""",
            [ids[code], amount],
        )
    cursor.execute("ANALYZE subsidies_enrolment; ANALYZE children_paymentaccount; ANALYZE children_classification")
    return enrolled


def clear_batches(cursor) -> None:
    cursor.execute("TRUNCATE subsidies_line, subsidies_batchtownship, subsidies_exportjob, subsidies_batch CASCADE")


FLOOR = """
INSERT INTO subsidies_line (batch_id, enrolment_id, child_id, programme_id, township_id, village_name, period,
    kind, standard, amount, note, payee_name, payee_relationship, payee_id_number, bank_name, account_number)
SELECT %(batch)s, e.id, e.child_id, e.programme_id, c.township_id, coalesce(v.name, ''), %(month)s, 'normal',
    s.amount, s.amount, '', coalesce(a.payee_name, ''), coalesce(a.payee_relationship, ''),
    coalesce(a.payee_id_number, ''), coalesce(a.bank_name, ''), coalesce(a.account_number, '')
FROM subsidies_enrolment e
JOIN children_child c ON c.id = e.child_id
JOIN subsidies_programme p ON p.id = e.programme_id
LEFT JOIN children_village v ON v.id = c.village_id
LEFT JOIN children_paymentaccount a ON a.child_id = c.id
JOIN LATERAL (
    SELECT amount FROM subsidies_standard s
    WHERE s.programme_id = e.programme_id AND s.effective_month <= %(month)s
    ORDER BY s.effective_month DESC LIMIT 1
) s ON s.amount > 0
WHERE e.status IN ('confirmed', 'ended') AND e.start_month <= %(month)s
  AND (e.end_month IS NULL OR e.end_month >= %(month)s)
  AND (e.prior_paid_through IS NULL OR e.prior_paid_through < %(month)s)
  AND (p.age_limit IS NULL OR c.birth_date >= %(month)s::date - make_interval(years => p.age_limit))
  AND (c.status <> 'closed' OR c.closed_on >= %(month)s)
  AND (jsonb_array_length(p.eligible_kinds::jsonb) = 0 OR EXISTS (
      SELECT 1 FROM children_classification k
      WHERE k.child_id = c.id AND p.eligible_kinds::jsonb ? k.kind
        AND k.start_date < (%(month)s::date + interval '1 month')
        AND (k.end_date IS NULL OR k.end_date >= %(month)s)))
"""


def floor(connection, month) -> tuple[float, int, object]:
    with connection.cursor() as cursor:
        clear_batches(cursor)
        cursor.execute(
            "INSERT INTO subsidies_batch (month, status, townships_total, townships_done, line_count,"
            " total_amount, error) VALUES (%s, 'draft', 0, 0, 0, 0, '') RETURNING id",
            [month],
        )
        batch = cursor.fetchone()[0]
        began = time.perf_counter()
        cursor.execute(FLOOR, {"batch": batch, "month": month})
        seconds = time.perf_counter() - began
        cursor.execute("SELECT count(*), sum(amount) FROM subsidies_line WHERE batch_id = %s", [batch])
        count, total = cursor.fetchone()
        clear_batches(cursor)
    return seconds, count, total


def in_process(month) -> tuple[float, int, object]:
    from django.db import connection

    from subsidies.disbursement import compute_month

    with connection.cursor() as cursor:
        clear_batches(cursor)
    began = time.perf_counter()
    batch = compute_month(month=month)
    return time.perf_counter() - began, batch.line_count, batch.total_amount


def through_celery(month, database_url, redis_url, concurrency) -> tuple[float, int, object]:
    from django.db import connection

    from subsidies.models import Batch
    from subsidies.tasks import compute_month_task

    with connection.cursor() as cursor:
        clear_batches(cursor)
    env = {**os.environ, **bench_environment(database_url, redis_url)}
    worker = subprocess.Popen(
        [str(BASE_DIR / ".venv/bin/celery"), "-A", "dingzhou_welfare", "worker", "--concurrency", str(concurrency),
         "--loglevel", "WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    try:
        time.sleep(5)  # the worker's start is not part of the month's computation
        began = time.perf_counter()
        compute_month_task.delay(month.strftime("%Y-%m"))
        deadline = began + 900
        while time.perf_counter() < deadline:
            batch = Batch.objects.filter(month=month).first()
            if batch and batch.status == Batch.Status.DRAFT:
                return time.perf_counter() - began, batch.line_count, batch.total_amount
            time.sleep(0.2)
        raise SystemExit("the Celery computation did not finish within 15 minutes")
    finally:
        worker.terminate()
        worker.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url)
    from django.core.management import call_command
    from django.db import connection

    from subsidies.months import parse_month

    call_command("migrate", verbosity=0)
    month = parse_month(MONTH)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        enrolled = enrol_everyone(cursor)
        if enrolled:
            print(f"enrolled {enrolled:,} children in {time.perf_counter() - began:.1f} s")
        cursor.execute("SELECT count(*) FROM subsidies_enrolment")
        print(f"{cursor.fetchone()[0]:,} enrolments; month {MONTH}; {os.cpu_count()} cores")

    rows = [("floor: one INSERT ... SELECT", *floor(connection, month))]
    if not args.skip_in_process:
        rows.append(("engine, one process", *in_process(month)))
    rows.append((f"engine through Celery (fan-out, {args.concurrency} worker processes)",
                 *through_celery(month, args.database_url, args.redis_url, args.concurrency)))  # fmt: skip
    base_seconds, base_count, base_total = rows[0][1:]
    print(f"\n{'run':<55} {'seconds':>8} {'x floor':>8} {'lines':>10} {'total (yuan)':>16}  same as floor")
    for label, seconds, count, total in rows:
        same = "yes" if (count, total) == (base_count, base_total) else "NO"
        print(f"{label:<55} {seconds:>8.1f} {seconds / base_seconds:>8.2f} {count:>10,} {total:>16,.2f}  {same}")


if __name__ == "__main__":
    main()
