"""The monthly report for a province-sized registry: time to compute the figures and time to render, apart.

    .venv/bin/python bench/load_children.py --database-url postgres://postgres@127.0.0.1:5432/dzw_bench_report
    .venv/bin/python bench/report_bench.py --database-url postgres://postgres@127.0.0.1:5432/dzw_bench_report

The first run prepares the data once (kept in the database for later runs):
- every child with an open category (about 35% of a million) gets one confirmed enrolment in the programme
  of its first category, with a payment account; 4% of those enrolments end during the year (by reason),
  5% start during it; 3% of the categories end during the year, 5% start during it;
- twelve approved batches (the year up to REPORT_MONTH) written with set-based INSERT ... SELECT as the
  disbursement would leave them: one normal line per enrolment paying in the month at the standard in
  force, plus an arrears line for the month before for every enrolment starting in the month, with the
  per-township rows (BatchTownship) and the batch totals.
Then it measures, each scenario three times (the best is reported, the others shown): the county for one
month (the year to date read with it), the county for the range January to REPORT_MONTH, and one
township for one month. "figures" is reports.figures.compute_report with every section the installed
apps add (reports.documents.build_monthly_report); "render" is reports.documents.render_monthly_report_pdf.
The money is checked against a plain SUM over the approved batches' lines.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEFAULT_DATABASE_URL, setup_django

REPORT_MONTH = datetime.date(2026, 11, 1)
FIRST_BATCH = datetime.date(2025, 12, 1)
# The programme of a child's first category (the order of ClassificationKind).
PROGRAMME_OF_KIND = {
    "orphan_scattered": "orphan_scattered",
    "orphan_institutional": "orphan_institutional",
    "de_facto_scattered": "de_facto_scattered",
    "de_facto_institutional": "de_facto_institutional",
    "left_behind": "rural_dibao",
    "disabled": "severe_disability_care",
    "hardship_poverty": "rural_dibao",
    "hardship_disability": "poor_disabled_living",
    "hardship_guardianship": "extreme_poverty",
}
EXTRA_STANDARDS = {
    "extreme_poverty": "920.00",
    "urban_dibao": "710.00",
    "rural_dibao": "530.00",
    "severe_disability_care": "90.00",
    "poor_disabled_living": "90.00",
}

LINES = """
INSERT INTO subsidies_line (batch_id, enrolment_id, child_id, programme_id, township_id, village_name, period,
    kind, standard, amount, note, payee_name, payee_relationship, payee_id_number, bank_name, account_number)
SELECT %(batch)s, e.id, e.child_id, e.programme_id, c.township_id, coalesce(v.name, ''), %(period)s, %(kind)s,
    s.amount, s.amount, '', coalesce(a.payee_name, ''), coalesce(a.payee_relationship, ''),
    coalesce(a.payee_id_number, ''), coalesce(a.bank_name, ''), coalesce(a.account_number, '')
FROM subsidies_enrolment e
JOIN children_child c ON c.id = e.child_id
LEFT JOIN children_village v ON v.id = c.village_id
LEFT JOIN children_paymentaccount a ON a.child_id = c.id
JOIN LATERAL (
    SELECT amount FROM subsidies_standard s
    WHERE s.programme_id = e.programme_id AND s.effective_month <= %(period)s
    ORDER BY s.effective_month DESC LIMIT 1
) s ON s.amount > 0
WHERE e.status IN ('confirmed', 'ended') AND {where}
"""
NORMAL = "e.start_month <= %(month)s AND (e.end_month IS NULL OR e.end_month >= %(month)s)"
ARREARS = "e.start_month = %(month)s"


def prepare(cursor) -> None:
    cursor.execute("SELECT count(*) FROM subsidies_batch WHERE status = 'approved'")
    if cursor.fetchone()[0] >= 12:
        return
    began = time.perf_counter()
    cursor.execute("TRUNCATE subsidies_line, subsidies_batchtownship, subsidies_exportjob, subsidies_batch CASCADE")
    cursor.execute("DELETE FROM subsidies_enrolment")
    cursor.execute("SELECT id, code FROM subsidies_programme")
    programmes = {code: pk for pk, code in cursor.fetchall()}
    for code, amount in EXTRA_STANDARDS.items():
        cursor.execute(
            """INSERT INTO subsidies_standard (programme_id, effective_month, amount, note, created_at)
               VALUES (%s, DATE '2020-01-01', %s, 'bench', now()) ON CONFLICT DO NOTHING""",
            [programmes[code], amount],
        )
    rank = " ".join(f"WHEN '{kind}' THEN {i}" for i, kind in enumerate(PROGRAMME_OF_KIND))
    programme = " ".join(f"WHEN {i} THEN {programmes[code]}" for i, code in enumerate(PROGRAMME_OF_KIND.values()))
    # Categories: 3% end during the year (by reason), 5% start during it (once: a rerun leaves them).
    cursor.execute("SELECT count(*) FROM children_classification WHERE end_date IS NOT NULL")
    already = cursor.fetchone()[0] > 0
    cursor.execute(
        "SELECT 1"
        if already
        else """
        UPDATE children_classification SET
            end_date = GREATEST(start_date, DATE '2026-01-10' + (id % 300)::int),
            end_reason = (ARRAY['turned_18', 'situation_changed', 'moved_away', 'died'])[1 + id % 4]
        WHERE end_date IS NULL AND id % 100 < 3
        """
    )
    cursor.execute(
        "SELECT 1"
        if already
        else "UPDATE children_classification SET start_date = DATE '2026-01-05' + (id % 300)::int"
        " WHERE end_date IS NULL AND id % 100 BETWEEN 3 AND 7"
    )
    cursor.execute(
        f"""
        INSERT INTO subsidies_enrolment (child_id, programme_id, status, applied_on, evidence, check_note,
            refusal_reason, start_month, end_month, end_reason, ended_on, needs_reconcile, created_at)
        SELECT f.child_id, CASE f.r {programme} END,
            CASE WHEN f.child_id % 100 < 4 THEN 'ended' ELSE 'confirmed' END,
            DATE '2024-01-01', '', '', '',
            CASE WHEN f.child_id % 100 BETWEEN 4 AND 8
                 THEN DATE '2026-01-01' + make_interval(months => (f.child_id % 11)::int)
                 ELSE DATE '2024-01-01' END,
            CASE WHEN f.child_id % 100 < 4
                 THEN DATE '2026-01-01' + make_interval(months => (f.child_id % 10)::int) END,
            CASE WHEN f.child_id % 100 < 4
                 THEN (ARRAY['turned_18', 'situation_changed', 'moved_away', 'died'])[1 + f.child_id % 4]
                 ELSE '' END,
            CASE WHEN f.child_id % 100 < 4
                 THEN DATE '2026-01-15' + make_interval(months => (f.child_id % 10)::int) END,
            false, now()
        FROM (
            SELECT child_id, min(CASE kind {rank} END) AS r FROM children_classification
            WHERE end_date IS NULL GROUP BY child_id
        ) f
        """  # noqa: S608 - ids from this database
    )
    enrolled = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO children_paymentaccount (child_id, method, payee_name, payee_id_number, payee_relationship,
            bank_name, account_number)
        SELECT c.id, 'one_card', c.name || '之监护人', '', 'paternal_grandparent', '定州农商银行',
            lpad((6217000000000000 + c.id)::text, 16, '0')
        FROM children_child c
        WHERE EXISTS (SELECT 1 FROM subsidies_enrolment e WHERE e.child_id = c.id)
          AND NOT EXISTS (SELECT 1 FROM children_paymentaccount a WHERE a.child_id = c.id)
        """
    )
    cursor.execute("ANALYZE subsidies_enrolment; ANALYZE children_paymentaccount; ANALYZE children_classification")
    print(f"enrolled {enrolled:,} children in {time.perf_counter() - began:.1f} s")

    month = FIRST_BATCH
    while month <= REPORT_MONTH:
        began = time.perf_counter()
        cursor.execute(
            "INSERT INTO subsidies_batch (month, status, townships_total, townships_done, line_count, total_amount,"
            " error, approved_at) VALUES (%s, 'approved', 0, 0, 0, 0, '', now()) RETURNING id",
            [month],
        )
        batch = cursor.fetchone()[0]
        cursor.execute(LINES.format(where=NORMAL), {"batch": batch, "period": month, "month": month, "kind": "normal"})
        previous = (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        cursor.execute(
            LINES.format(where=ARREARS), {"batch": batch, "period": previous, "month": month, "kind": "arrears"}
        )
        cursor.execute(
            """
            INSERT INTO subsidies_batchtownship (batch_id, township_id, status, line_count, total_amount, computed_at)
            SELECT %s, t.id, 'done', count(l.id), coalesce(sum(l.amount), 0), now()
            FROM children_township t LEFT JOIN subsidies_line l ON l.township_id = t.id AND l.batch_id = %s
            GROUP BY t.id
            """,
            [batch, batch],
        )
        cursor.execute(
            """
            UPDATE subsidies_batch b SET line_count = s.n, total_amount = s.total,
                townships_total = (SELECT count(*) FROM children_township), computed_at = now()
            FROM (SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM subsidies_line WHERE batch_id = %s) s
            WHERE b.id = %s
            """,
            [batch, batch],
        )
        cursor.execute(
            "UPDATE subsidies_batch SET townships_done = townships_total WHERE id = %s RETURNING line_count",
            [batch],
        )
        print(f"batch {month:%Y-%m}: {cursor.fetchone()[0]:,} lines in {time.perf_counter() - began:.1f} s")
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    cursor.execute("VACUUM ANALYZE subsidies_line")


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine, from /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def measure(label, period, scope, runs, check) -> None:
    """Wall time of the figures and of the render, and the CPU each took (what an idle core would need).

    The figures' CPU is this process's plus the database backend's; parallel query is off in the CPU
    runs so that all the database's work is in the one backend.
    """
    from reports.documents import build_monthly_report, render_monthly_report_pdf

    compute, render, compute_cpu, render_cpu = [], [], [], []
    for _ in range(runs):
        began, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
        report = build_monthly_report(period, scope)
        compute.append(time.perf_counter() - began)
        compute_cpu.append(time.process_time() - cpu + backend_cpu() - db)
        began, cpu = time.perf_counter(), time.process_time()
        content = render_monthly_report_pdf(report)
        render.append(time.perf_counter() - began)
        render_cpu.append(time.process_time() - cpu)
    check(report)
    load = os.getloadavg()[0]
    print(
        f"{label:<40} {min(compute):>7.2f} {min(render):>7.2f} {min(compute) + min(render):>7.2f}"
        f" {min(compute_cpu):>7.2f} {min(render_cpu):>7.2f} {min(compute_cpu) + min(render_cpu):>7.2f} {load:>5.1f}"
    )
    print(
        f"{'':<40} runs: figures {' '.join(f'{s:.2f}' for s in compute)};"
        f" render {' '.join(f'{s:.2f}' for s in render)};"
        f" {len(content) / 1024:,.0f} KB; {report.classified_children:,} classified children,"
        f" {report.programmes_total.year.total:,} yuan this year"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--serial", action="store_true", help="no parallel query: the backend's CPU is then all the database's work"
    )
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url)
    from django.core.management import call_command
    from django.db import connection

    from children.models import Child, Township
    from reports.figures import Period, Scope

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        prepare(cursor)
        cursor.execute("SELECT count(*), sum(line_count) FROM subsidies_batch WHERE status = 'approved'")
        batches, lines = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM children_classification")
        classifications = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM subsidies_enrolment")
        enrolments = cursor.fetchone()[0]
    print(
        f"{Child.objects.count():,} children, {classifications:,} classifications, {enrolments:,} enrolments, "
        f"{batches} approved batches with {lines:,} lines; {os.cpu_count()} cores"
    )
    if args.serial:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")

    def money_matches(first, last, township_ids=None):
        def check(report):
            with connection.cursor() as cursor:
                sql = (
                    "SELECT coalesce(sum(l.amount), 0) FROM subsidies_line l JOIN subsidies_batch b"
                    " ON b.id = l.batch_id WHERE b.status IN ('approved', 'exported') AND b.month BETWEEN %s AND %s"
                )
                params = [first, last]
                if township_ids is not None:
                    sql += " AND l.township_id = ANY(%s)"
                    params.append(list(township_ids))
                cursor.execute(sql, params)
                expected = cursor.fetchone()[0] or Decimal("0.00")
            got = report.programmes_total.period.total
            assert got == expected, f"money {got} != {expected}"
            assert report.townships_total.period.total == expected

        return check

    township = Township.objects.get(code="130682101")
    year_start = REPORT_MONTH.replace(month=1)
    print(
        f"\n{'':<40} {'wall time (s)':^23} {'CPU time (s)':^23}\n"
        f"{'scenario (best of ' + str(args.runs) + ')':<40} {'figures':>7} {'render':>7} {'total':>7}"
        f" {'figures':>7} {'render':>7} {'total':>7} {'load':>5}"
    )
    measure(
        f"county, {REPORT_MONTH:%Y-%m}",
        Period(REPORT_MONTH, REPORT_MONTH),
        Scope(label="全市"),
        args.runs,
        money_matches(REPORT_MONTH, REPORT_MONTH),
    )
    measure(
        f"county, {year_start:%Y-%m} to {REPORT_MONTH:%Y-%m}",
        Period(year_start, REPORT_MONTH),
        Scope(label="全市"),
        args.runs,
        money_matches(year_start, REPORT_MONTH),
    )
    measure(
        f"one township ({township.name}), {REPORT_MONTH:%Y-%m}",
        Period(REPORT_MONTH, REPORT_MONTH),
        Scope((township.pk,), label=township.name),
        args.runs,
        money_matches(REPORT_MONTH, REPORT_MONTH, [township.pk]),
    )


if __name__ == "__main__":
    main()
