"""Queries per list page at page sizes 10, 25 and 100, and EXPLAIN ANALYZE of each list query.

    .venv/bin/python bench/query_counts.py                  # against dzw_bench (1M children)
    .venv/bin/python bench/query_counts.py --database-url postgres://postgres@127.0.0.1/dzw_bench_small

Renders children:list through Django's test client with the production settings
(DEBUG=false, sessions in Redis), so the count is what a real request costs.
"""

import argparse
import os
import re
import time
from pathlib import Path
from unittest import mock

from common import BASE_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, collect_static, scenarios, setup_django

PAGE_SIZES = (10, 25, 100)
BIG_TABLES = re.compile(r'FROM "children_(child|classification)"')


def render(client, scenario, page_size):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with mock.patch("children.views.PAGE_SIZE", page_size), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(scenario.url)
        elapsed = time.perf_counter() - started
    return response, list(queries.captured_queries), elapsed


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--app-dir", type=Path, default=BASE_DIR, help="import the app from this source tree")
    args = parser.parse_args()
    setup_django(args.database_url, args.redis_url, args.app_dir)
    collect_static()

    from django.contrib.auth import get_user_model
    from django.test import Client

    users = {}
    for scenario in scenarios():
        if scenario.user and scenario.user not in users:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(get_user_model().objects.get(username=scenario.user))
            users[scenario.user] = client

    print("Queries per request of children:list (sessions in Redis, so none for the session)")
    print(f"{'scenario':<48} " + " ".join(f"{f'size {n}':>14}" for n in PAGE_SIZES) + "  constant")
    problems = []
    by_size = {page_size: scenarios(page_size) for page_size in PAGE_SIZES}
    for index, scenario in enumerate(by_size[25]):
        if scenario.user is None:
            continue
        counts = []
        for page_size in PAGE_SIZES:
            sized = by_size[page_size][index]  # the same page, expecting page_size rows
            client = users[scenario.user]
            render(client, sized, page_size)  # warm: first-use caches, connection
            response, queries, elapsed = render(client, sized, page_size)
            problem = sized.problem(response.status_code, response.content)
            if problem:
                problems.append(f"{scenario.key} size {page_size}: {problem}")
            counts.append(f"{len(queries)} q {elapsed * 1000:5.1f} ms")
        constant = len({c.split()[0] for c in counts}) == 1
        print(f"{scenario.label:<48} " + " ".join(f"{c:>14}" for c in counts) + f"  {'yes' if constant else 'NO'}")
    for problem in problems:
        print("CONTENT PROBLEM:", problem)

    if args.no_explain:
        return
    for scenario in scenarios():
        if scenario.user is None:
            continue
        _response, queries, _elapsed = render(users[scenario.user], scenario, 25)
        print(f"\n=== {scenario.label}: {scenario.url}")
        for number, query in enumerate(queries, 1):
            sql = query["sql"]
            if not BIG_TABLES.search(sql):
                print(f"-- query {number} ({float(query['time']) * 1000:.1f} ms): {sql[:110]}")
                continue
            plan = explain(sql)
            seq = any("Seq Scan on children_child" in line for line in plan)
            print(f"-- query {number}: {sql}")
            print("   " + "\n   ".join(plan))
            if seq:
                print("   !! sequential scan of children_child")


if __name__ == "__main__":
    main()
