"""Visits at scale: 1,000,000 children and 5,000,000 visits; the nightly due/overdue job and the work list.

    .venv/bin/python bench/load_children.py --database-url postgres://postgres@127.0.0.1:5432/dzw_bench_visits
    .venv/bin/python bench/visits_bench.py              # loads the visits once (COPY), then measures

Loads --visits synthetic visits by COPY (once; about 5 per child, the latest one's date spread over its
risk tier's interval so that some are overdue), a caseworker per township plus two with villages, then:

1. the nightly job (visits.schedule.run_nightly) timed cold (no schedules: a million built from the
   latest of five million visits), again at once (idempotent: nothing to change), the next night, and
   after the low-risk interval changes (the worst case: most rows re-dated);
2. the work list page (/visits/) under gunicorn with production settings, logged in through /login/
   as county staff and as a township caseworker: --requests sequential requests per scenario after a
   warm-up, and --clients concurrent clients for --duration seconds; p50/p95/p99 (target p99 < 150 ms);
3. the queries of one work-list page in-process, with the plan of its main query.
"""

import argparse
import datetime
import functools
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from types import SimpleNamespace

from common import BASE_DIR, BENCH_PASSWORD, CASEWORKER_USERNAME, STAFF_USERNAME, setup_django
from list_bench import concurrent, log_in, sequential, start_gunicorn, stop_gunicorn
from load_children import copy_rows, ensure_user, secondary_indexes

print = functools.partial(print, flush=True)  # figures appear as they come, also into a file
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_bench_visits"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
TARGET_P99_MS = 150.0
DIMENSIONS = ["health", "mental", "education", "hygiene", "living", "guardianship"]
VISIT_COLUMNS = [
    "child_id", "visitor_id", "kind", "visited_on", "present", "present_other",
    *[f"{d}_{part}" for d in DIMENSIONS for part in ("rating", "note")],
    "problems", "actions", "referrals", "suspected_harm", "harm_description", "next_visit_due",
    "risk_level", "risk_reasons", "status", "reviewed_by_id", "reviewed_at", "review_comment",
    "created_at", "updated_at",
]  # fmt: skip
# Risk of a synthetic visit: its ratings and the rule that gives it (visits/risk.py), by level.
LEVELS = [("low", 0.70), ("medium", 0.22), ("high", 0.08)]
RATINGS = {
    "low": ("good\t\t" * 6, "[]"),
    "medium": ("good\t\t" * 4 + "poor\t屋顶渗漏\t" + "good\t\t", '["one_poor"]'),
    "high": ("good\t\t" * 5 + "poor\t照料人年迈体弱\t", '["guardianship_poor"]'),
}


@dataclass
class Page:
    key: str
    label: str
    user: str
    url: str
    rows: int  # the page must hold this many children

    def problem(self, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"status {status}"
        if b'id="worklist"' not in body:
            return "no work list in the page"
        found = body.count(b'<a class="button" href="/visits/child/')
        return None if found == self.rows else f"{found} rows, expected {self.rows}"


@dataclass
class Healthz:
    """No database, no template: what Django and gunicorn cost on this machine at this moment."""

    key: str = "healthz"
    label: str = "/healthz/ (calibration: no database)"
    user: str = ""
    url: str = "/healthz/"

    def problem(self, status: int, body: bytes) -> str | None:
        return None if status == 200 and body == b"ok" else f"status {status}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] * 1000


def ensure_caseworkers() -> dict[int, int]:
    """A caseworker per township (the bench one for 清风店镇) and two with three villages each."""
    from django.contrib.auth import get_user_model

    from children.models import Township, Village
    from dingzhou_welfare.models import Role
    from dingzhou_welfare.services import save_staff_user

    User = get_user_model()
    by_township = {}
    for township in Township.objects.order_by("code"):
        username = CASEWORKER_USERNAME if township.code == "130682101" else f"bench_cw_{township.code}"
        ensure_user(username, Role.CASEWORKER, [township])
        by_township[township.pk] = User.objects.get(username=username).pk
    for n, township in enumerate(Township.objects.order_by("code")[:2]):
        username = f"bench_cw_villages_{n}"
        user = User.objects.filter(username=username).first()
        save_staff_user(
            actor=None,
            user=user,
            data={
                "username": username,
                "full_name": username,
                "role": Role.CASEWORKER,
                "password": BENCH_PASSWORD,
                "townships": [township],
                "villages": list(Village.objects.filter(township=township).order_by("pk")[:3]),
                "is_active": True,
            },
        )
    return by_township


def visit_counts(children: int, total: int, rng: random.Random) -> list[int]:
    """Visits per child: uneven (0 to about twice the mean), summing to exactly `total`."""
    mean = total / children
    counts = [int(rng.random() * 2 * mean + 0.5) for _ in range(children)]
    made = sum(counts)
    index = 0
    while made != total:  # the rounding leaves a few too many or too few: spread the difference
        step = 1 if made < total else -1
        if step > 0 or counts[index % children] > 0:
            counts[index % children] += step
            made += step
        index += 1
    return counts


def visit_lines(children, caseworkers, reviewer_id, total, today, days, seed):
    """Text-format COPY lines, in chunks, for exactly `total` visits over the given children."""
    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    chunk = []
    levels, weights = [name for name, _w in LEVELS], [w for _n, w in LEVELS]
    for (child_id, township_id), count in zip(children, visit_counts(len(children), total, rng), strict=True):
        if count == 0:
            continue
        visitor = caseworkers[township_id]
        level = rng.choices(levels, weights=weights)[0]
        day = today - datetime.timedelta(days=1 + int(rng.random() * days[level] * 1.25))
        for index in range(count):
            if index:
                day -= datetime.timedelta(days=rng.randint(30, 120))
                level = rng.choices(levels, weights=weights)[0]
            ratings, reasons = RATINGS[level]
            recent = (today - day).days <= 20
            due = day + datetime.timedelta(days=days[level])
            reviewed = "\\N\t\\N" if recent else f"{reviewer_id}\t{day}T08:00:00+00:00"
            chunk.append(
                f'{child_id}\t{visitor}\troutine\t{day}\t["child"]\t\t{ratings}\t\t[]\tf\t\t{due}\t'
                f"{level}\t{reasons}\t{'submitted' if recent else 'accepted'}\t{reviewed}\t\t{now}\t{now}\n"
            )
        if len(chunk) >= 20000:
            yield "".join(chunk).encode()
            chunk = []
    if chunk:
        yield "".join(chunk).encode()


def load_visits(target: int, seed: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from visits.models import Visit
    from visits.schedule import intervals

    have = Visit.objects.count()
    if have >= target:
        print(f"visits: {have:,} already loaded")
        return
    caseworkers = ensure_caseworkers()
    reviewer = get_user_model().objects.get(username=STAFF_USERNAME).pk
    today = datetime.date.today()  # noqa: DTZ011 - synthetic dates
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, township_id FROM children_child WHERE status = 'active' ORDER BY id")
        children = cursor.fetchall()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL session_replication_role = replica")  # the references are checked below
        dropped = []
        if have == 0:
            for name, definition in secondary_indexes(cursor, "visits_visit"):
                dropped.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
        rows = copy_rows(
            cursor,
            "visits_visit",
            VISIT_COLUMNS,
            visit_lines(children, caseworkers, reviewer, target - have, today, intervals(), seed),
        )
        copied = time.perf_counter() - started
        print(f"visits: {rows:,} rows by COPY in {copied:.1f} s ({rows / copied:,.0f} rows/s)")
        index_started = time.perf_counter()
        for definition in dropped:
            cursor.execute(definition)
        print(f"rebuilt {len(dropped)} indexes of visits_visit in {time.perf_counter() - index_started:.1f} s")
        cursor.execute(
            "SELECT COUNT(*) FROM visits_visit v LEFT JOIN children_child c ON c.id = v.child_id "
            "LEFT JOIN auth_user u ON u.id = v.visitor_id WHERE c.id IS NULL OR u.id IS NULL"
        )
        if cursor.fetchone()[0]:
            raise SystemExit("visits reference a missing child or user")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visits_visit")
    print(f"visits loaded in {time.perf_counter() - started:.1f} s including indexes and ANALYZE")


def timed(label: str, work) -> float:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    counts = f"added {result.added:,}, removed {result.removed:,}, moved {result.moved:,}, re-dated {result.redated:,}"
    steps = ", ".join(f"{step} {value:.1f}" for step, value in result.seconds.items())
    print(f"  {label:<58} {seconds:7.2f} s   {counts}; steps (s): {steps}")
    return seconds


def nightly_figures() -> dict:
    from django.db import connection

    from visits.models import VisitInterval
    from visits.schedule import run_nightly

    today = datetime.date.today()  # noqa: DTZ011 - the job's own day
    figures = {}
    print("\nnightly job (visits.schedule.run_nightly: schedules, then figures per township and caseworker)")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_visitschedule, visits_visitworkload")
    figures["cold"] = timed("cold: no schedules, built from the latest visits", lambda: run_nightly(today=today))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visits_visitschedule")
    figures["again"] = timed("again at once (idempotent)", lambda: run_nightly(today=today))
    figures["next"] = timed("the next night", lambda: run_nightly(today=today + datetime.timedelta(days=1)))
    low = VisitInterval.objects.get(tier="low")
    before = low.days
    VisitInterval.objects.filter(tier="low").update(days=before - 30)
    figures["redate"] = timed(
        f"after the low-risk interval changes {before} -> {before - 30} days", lambda: run_nightly(today=today)
    )
    VisitInterval.objects.filter(tier="low").update(days=before)
    figures["restore"] = timed("and back", lambda: run_nightly(today=today))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visits_visitschedule")
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN due_on < %s THEN 1 ELSE 0 END), SUM(CASE WHEN patrol THEN 1 ELSE 0 END) "
            "FROM visits_visitschedule",
            [today],
        )
        total, overdue, patrol = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM visits_visitworkload WHERE day = %s", [today])
        rows = cursor.fetchone()[0]
    print(f"  schedules {total:,}, overdue {overdue:,}, key patrol targets {patrol:,}; {rows} figure rows today")
    figures.update(schedules=total, overdue=overdue, patrol=patrol, workload_rows=rows)
    return figures


def pages() -> list[Page]:
    from children.models import Township

    township = Township.objects.get(code="130682105")
    return [
        Page("staff-todo", "staff, county: overdue and due in 14 days", STAFF_USERNAME, "/visits/", 25),
        Page(
            "staff-overdue-p40", "staff, county: overdue, page 40", STAFF_USERNAME, "/visits/?show=overdue&page=40", 25
        ),
        Page(
            "staff-patrol-township",
            "staff, one township's key patrol targets",
            STAFF_USERNAME,
            f"/visits/?show=patrol&township={township.pk}",
            25,
        ),
        Page("caseworker-todo", "caseworker, one township: to do", CASEWORKER_USERNAME, "/visits/", 25),
        Page("caseworker-all", "caseworker, one township: all", CASEWORKER_USERNAME, "/visits/?show=all&page=3", 25),
    ]


def in_process(page: Page) -> None:
    """Queries and CPU of one page, and the plan of its main query (the 25 schedule rows)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=page.user))
    client.get(page.url)
    walls, cpus = [], []
    for _n in range(20):  # CPU time of this process: what the page costs whatever else the machine runs
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(page.url)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    ms = percentile(walls, 0.5)
    cpu_ms = percentile(cpus, 0.5)
    db_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    assert response.status_code == 200, response.status_code
    main = next(
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "visits_visitschedule"."child_id"')
    )
    slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    print(
        f"\n{page.label}: {len(queries)} queries ({db_ms:.0f} ms in PostgreSQL), median {ms:.0f} ms in-process "
        f"of which {cpu_ms:.0f} ms CPU in Django; slowest queries: "
        + ", ".join(f"{float(q['time']) * 1000:.1f} ms" for q in slow)
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) " + main)
        for (line,) in cursor.fetchall():
            if any(word in line for word in ("Scan", "Join", "Loop", "Limit", "Sort", "Execution")):
                print("   ", line.strip()[:140])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--visits", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per page")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8712)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--skip-nightly", action="store_true")
    parser.add_argument("--json", help="write the figures here as JSON too")
    args = parser.parse_args()

    setup_django(args.database_url, args.redis_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load_visits(args.visits, args.seed)
    ensure_caseworkers()
    figures = {"nightly": None if args.skip_nightly else nightly_figures(), "pages": {}}

    # The bench's STATIC_ROOT is shared with the other benchmarks: collect again so visits.css is in the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    for page in pages():
        in_process(page)

    from common import bench_environment

    env = bench_environment(args.database_url, args.redis_url)
    server = start_gunicorn(
        SimpleNamespace(port=args.port, workers=args.workers, worker_class="sync", threads=1, app_dir=BASE_DIR), env
    )
    try:
        cookies = {user: log_in(args.port, user) for user in (STAFF_USERNAME, CASEWORKER_USERNAME)}
        print(
            f"\nwork list over HTTP (gunicorn {args.workers} sync workers, DEBUG=false); "
            f"target p99 < {TARGET_P99_MS:.0f} ms"
        )
        print(
            f"  {'page':<44} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6}   {args.clients} clients: rps, p99"
        )
        print(f"  load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (the machine is shared)")
        cookies[""] = ""
        for page in [Healthz(), *pages()]:
            sequential(args.port, cookies[page.user], page, 20, 60)  # warm-up: caches, connections
            one = sequential(args.port, cookies[page.user], page, args.requests, 300)
            many = concurrent(args.port, cookies[page.user], page, args.clients, 2, 1.0, args.duration)
            row = {
                "p50": percentile(one.latencies, 0.50),
                "p95": percentile(one.latencies, 0.95),
                "p99": percentile(one.latencies, 0.99),
                "errors": one.errors + many.errors,
                "concurrent_rps": len(many.latencies) / many.seconds,
                "concurrent_p99": percentile(many.latencies, 0.99),
                "first_error": one.first_error or many.first_error,
            }
            figures["pages"][page.key] = row
            print(
                f"  {page.label:<44} {len(one.latencies):>5} {row['p50']:>6.1f}  {row['p95']:>6.1f}  {row['p99']:>6.1f}"
                f"  {row['errors']:>6}   {row['concurrent_rps']:.0f} rps, {row['concurrent_p99']:.0f} ms"
                + (f"  ({row['first_error']})" if row["first_error"] else "")
            )
    finally:
        stop_gunicorn(server)
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    worst = max(row["p99"] for key, row in figures["pages"].items() if key != "healthz")
    print(
        f"\nworst single-client p99 {worst:.1f} ms: "
        f"{'within' if worst < TARGET_P99_MS else 'OVER'} the {TARGET_P99_MS:.0f} ms target"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2, default=str)


if __name__ == "__main__":
    sys.exit(main())
