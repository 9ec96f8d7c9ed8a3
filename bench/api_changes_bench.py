"""API changes endpoint benchmark: page through 1,000,000 change events, queries and time per page.

    .venv/bin/python bench/api_changes_bench.py                      # 1,000,000 events, pages of 500
    .venv/bin/python bench/api_changes_bench.py --full               # ... every page, first to last
    .venv/bin/python bench/api_changes_bench.py --events 100000 --page-size 1000
    .venv/bin/python bench/api_changes_bench.py --reset              # drop and recreate the bench database

The events live in a PostgreSQL database of their own (dzw_bench_api by default): created if
missing, migrated, the 25 townships loaded, then 100,000 children (one guardian each) and N change
events written with COPY; fifty events share each recorded_at, as a bulk import's do, so the cursor
meets ties. Events of that count already loaded are reused.

One client pages /api/v1/changes/ through Django's test client with its token (the whole request:
the token, the throttle, the page, the guardians, serialising, the audit entry), following each
page's `next`: by default 10 pages from each tenth of the table (the cursor for a depth is made from
the event at that position, as a client that had paged there would hold it), or with --full every
page from the first to the last. Each page's queries are counted (CaptureQueriesContext) and timed.
Baselines in the same run:

- raw: the page's own SQL (the events joined to child, township, village and programme, keyset on
  (recorded_at, id), LIMIT page size) through psycopg, with no Django: the floor for one page;
- offset: the same SQL with OFFSET instead of a cursor, at the same depths, to show what a page
  number would cost deep in the table.

Everything here is synthetic: no ID number belongs to a real person.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench as loader

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_bench_api"
CHILDREN = 100_000
CHUNK = 50_000  # rows per COPY round
TIES = 50  # events sharing one recorded_at
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def setup_django(database_url: str) -> None:
    os.environ.update(loader.environment(database_url))
    os.environ.update({"ALLOWED_HOSTS": "testserver", "HTTPS": "false", "API_THROTTLE_RATE": "1000000/min"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def load(events: int, seed: int = 20261204) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from children.models import Carer, Child, ClassificationKind, Township, Village
    from dingzhou_welfare.idnumbers import check_char
    from subsidies.changes.codes import NATIONAL_CATEGORY_CODES, Reason
    from subsidies.changes.models import ChangeEvent

    have = ChangeEvent.objects.count()
    if have == events:
        print(f"reusing {have:,} events")
        return
    if have:
        sys.exit(f"the bench database holds {have:,} events, not {events:,}: run with --reset")
    if not Township.objects.exists():
        call_command("loaddata", "dingzhou_townships", verbosity=0)
    rng = random.Random(seed)
    townships = list(Township.objects.order_by("code"))
    if not Village.objects.exists():
        Village.objects.bulk_create(Village(township=t, name=f"{t.name}{n}村") for t in townships for n in range(20))
    villages = list(Village.objects.values_list("id", "township_id"))
    kinds = [ClassificationKind.ORPHAN_SCATTERED, ClassificationKind.DE_FACTO_SCATTERED, ClassificationKind.LEFT_BEHIND]
    started = time.perf_counter()
    with transaction.atomic():
        first_child = loader.next_id(Child)
        if not Child.objects.exists():
            births = [datetime.date(2009, 1, 1) + datetime.timedelta(days=d) for d in range(6000)]
            for low in range(0, CHILDREN, CHUNK):
                children, carers = [], []
                for n in range(low, min(low + CHUNK, CHILDREN)):
                    child_id = first_child + n
                    village_id, township_id = villages[n % len(villages)]
                    birth = births[n % len(births)]
                    first17 = f"130682{birth:%Y%m%d}{(n // len(births)) % 1000:03d}"
                    name = rng.choice(loader.SURNAMES) + rng.choice(loader.GIVEN) + rng.choice(loader.GIVEN)
                    sex = "M" if n % 2 else "F"
                    row = (child_id, name, sex, first17 + check_char(first17), birth, "rural", township_id, village_id)
                    children.append(row)
                    carers.append((child_id, name[0] + "大爷", "paternal_grandparent", True))
                loader.copy_rows(
                    Child,
                    children,
                    ["id", "name", "sex", "id_number", "birth_date", "hukou_type", "township_id", "village_id"],
                )
                loader.copy_rows(Carer, carers, ["child_id", "name", "relationship", "is_guardian"])
        child_ids = list(Child.objects.values_list("id", flat=True))
        columns = [
            "recorded_at",
            "effective_date",
            "month",
            "direction",
            "child_id",
            "category",
            "national_category_code",
            "reason_code",
            "reason",
        ]
        for low in range(0, events, CHUNK):
            rows = []
            for n in range(low, min(low + CHUNK, events)):
                recorded = START + datetime.timedelta(seconds=n // TIES)
                day = recorded.date()
                kind = kinds[n % len(kinds)]
                add = n % 3 != 2
                rows.append(
                    (
                        recorded,
                        day,
                        day.replace(day=1),
                        "add" if add else "remove",
                        child_ids[n % len(child_ids)],
                        kind,
                        NATIONAL_CATEGORY_CODES.get(kind, ""),
                        Reason.CLASSIFIED if add else Reason.TURNED_18,
                        "",
                    )
                )
            loader.copy_rows(ChangeEvent, rows, columns)
    with connection.cursor() as cursor:
        for model in (Child, Carer, ChangeEvent):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    print(f"loaded {CHILDREN:,} children, {events:,} events in {time.perf_counter() - started:.1f} s")


RAW_SQL = """
SELECT e.id, e.recorded_at, e.effective_date, e.month, e.direction, e.category, e.national_category_code,
       e.reason_code, e.reason, c.id, c.name, c.id_number, c.sex, c.birth_date, t.code, t.name, v.name, p.code
FROM subsidies_changeevent e
JOIN children_child c ON c.id = e.child_id
JOIN children_township t ON t.id = c.township_id
LEFT JOIN children_village v ON v.id = c.village_id
LEFT JOIN subsidies_programme p ON p.id = e.programme_id
{where}
ORDER BY e.recorded_at, e.id
LIMIT %s {offset}
"""


def raw_page(cursor, key, size: int) -> tuple:
    if key is None:
        cursor.execute(RAW_SQL.format(where="", offset=""), [size])
    else:
        where = "WHERE e.recorded_at >= %s AND (e.recorded_at > %s OR e.id > %s)"
        cursor.execute(RAW_SQL.format(where=where, offset=""), [key[0], key[0], key[1], size])
    rows = cursor.fetchall()
    return rows, ((rows[-1][1], rows[-1][0]) if len(rows) == size else None)


def offset_page(cursor, offset: int, size: int) -> int:
    cursor.execute(RAW_SQL.format(where="", offset="OFFSET %s"), [size, offset])
    return len(cursor.fetchall())


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    median = statistics.median(ordered)
    return f"median {median * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms  max {ordered[-1] * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_API_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--full", action="store_true", help="walk every page (default: 10 pages at each tenth)")
    parser.add_argument("--pages", type=int, default=10, help="pages at each tenth without --full")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    loader.ensure_database(args.database_url, args.reset)
    setup_django(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.models import ApiClient
    from api.pagination import _encode
    from api.services import create_client
    from dingzhou_welfare.models import AuditEntry, Role, StaffProfile
    from subsidies.changes.models import ChangeEvent

    call_command("migrate", verbosity=0)
    load(args.events)
    admin, created = get_user_model().objects.get_or_create(username="bench_api_admin")
    if created:
        StaffProfile.objects.create(user=admin, role=Role.ADMINISTRATOR)
    ApiClient.objects.filter(name="bench").delete()
    _client, token = create_client(actor=admin, name="bench", granted_personal_data=False)
    cache.clear()
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    audits_before = AuditEntry.objects.filter(object_type="apiclient").count()

    # The API: every page, or --pages pages from each tenth of the table.
    base = f"/api/v1/changes/?page_size={args.page_size}"
    keys = [(0, None)]
    if not args.full:
        events_in_order = ChangeEvent.objects.order_by("recorded_at", "id").values_list("recorded_at", "id")
        keys += [(t * args.events // 10, events_in_order[t * args.events // 10 - 1]) for t in range(1, 10)]
    starts = [(p, f"{base}&cursor={_encode([k[0].isoformat(), str(k[1])])}" if k else base) for p, k in keys]
    times, queries, seen, depth_of = [], [], 0, []
    walk_started = time.perf_counter()
    for position, address in starts:
        pages, last_id = 0, None
        while address and (args.full or pages < args.pages):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = http.get(address)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            queries.append(len(captured))
            depth_of.append(position)
            results = body["results"]
            assert len(results) == args.page_size or body["next"] is None
            if results:
                assert last_id is None or results[0]["id"] != last_id
                last_id = results[-1]["id"]
            seen += len(results)
            pages += 1
            address = body["next"]
            if len(times) % 200 == 0:
                print(f"  page {len(times):,}: {seen:,} events, {times[-1] * 1000:.0f} ms, {queries[-1]} queries")
    walk = time.perf_counter() - walk_started
    if args.full:
        assert seen == ChangeEvent.objects.count() == args.events, seen
    audits = AuditEntry.objects.filter(object_type="apiclient").count() - audits_before
    assert audits == len(times), (audits, len(times))

    # The raw page query over the same pages, and OFFSET at each tenth.
    raw_times = []
    with connection.cursor() as cursor:
        raw_started = time.perf_counter()
        for _position, key in keys:
            pages = 0
            while (pages == 0 or key is not None) and (args.full or pages < args.pages):
                started = time.perf_counter()
                _rows, key = raw_page(cursor.cursor, key, args.page_size)
                raw_times.append(time.perf_counter() - started)
                pages += 1
        raw_walk = time.perf_counter() - raw_started
        offset_times, depths = [], []
        for tenth in range(10):
            started = time.perf_counter()
            offset_page(cursor.cursor, tenth * args.events // 10, args.page_size)
            offset_times.append(time.perf_counter() - started)
            depths.append(tenth * args.events // 10)

    deciles = [times[i * len(times) // 10 : (i + 1) * len(times) // 10] for i in range(10)]
    walked = "every page" if args.full else f"{args.pages} pages at each tenth"
    print(f"\n{args.events:,} events, {len(times):,} pages of {args.page_size} ({walked}), {audits:,} audit entries")
    print(f"queries per page: min {min(queries)}, max {max(queries)} (first page {queries[0]}, last {queries[-1]})")
    print(f"API page   : {summary(times)}   {len(times):,} pages {walk:6.1f} s")
    print(f"raw SQL    : {summary(raw_times)}   {len(raw_times):,} pages {raw_walk:6.1f} s")
    print(f"API / raw  : {statistics.median(times) / statistics.median(raw_times):.1f}x per page (medians)")
    print("API median per tenth of the pages (ms): " + " ".join(f"{statistics.median(d) * 1000:.0f}" for d in deciles))
    print(
        "OFFSET page at the same depths (ms):   "
        + " ".join(f"{d:,}:{t * 1000:.0f}" for d, t in zip(depths, offset_times, strict=True))
    )


if __name__ == "__main__":
    main()
