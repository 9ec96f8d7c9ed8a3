"""The dashboard (the page everyone lands on) at a million children, with PostgreSQL's JIT off and on.

    .venv/bin/python bench/load_children.py        # once: 1,000,000 children into dzw_bench
    .venv/bin/python bench/dashboard_bench.py      # about a minute

For the county-wide bench user and the caseworker of one township: wall time of the whole
request in this process (Django's test client; sessions in Redis), best of --repeat after one
warm-up, with its number of queries and its slowest query. Each user is measured with the app's
connection setting (DATABASE_JIT=false: `SET jit = off`, dingzhou_welfare/postgresql/base.py)
and with JIT on, in the same run, alternating.
"""

import argparse
import os
import time

from common import (
    CASEWORKER_USERNAME,
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    STAFF_USERNAME,
    collect_static,
    setup_django,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django(args.database_url, args.redis_url)
    collect_static()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from children.models import Child

    def measure(client) -> tuple[float, int, float]:
        best, queries, slowest = float("inf"), 0, 0.0
        client.get("/")
        for _ in range(args.repeat):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/")
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            if elapsed < best:
                best, queries = elapsed, len(captured)
                slowest = max(float(query["time"]) for query in captured.captured_queries)
        return best * 1000, queries, slowest * 1000

    print(f"{Child.objects.count():,} children; best of {args.repeat} after a warm-up\n")
    print(f"{'user':<20} {'JIT':<4} {'ms':>8} {'queries':>8} {'slowest query ms':>17}")
    for username in (STAFF_USERNAME, CASEWORKER_USERNAME):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        for jit in ("off", "on"):
            with connection.cursor() as cursor:
                cursor.execute(f"SET jit = {jit}")
            ms, queries, slowest = measure(client)
            print(f"{username:<20} {jit:<4} {ms:8.0f} {queries:8d} {slowest:17.0f}")
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


if __name__ == "__main__":
    main()
