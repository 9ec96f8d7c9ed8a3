"""Instructions per children-list request, counted by valgrind (callgrind): a figure that does not
move with the machine's load, to compare two versions of the app where req/s moves by ±25%.

    .venv/bin/python bench/instructions.py                                   # this checkout
    .venv/bin/python bench/instructions.py --app-dir /tmp/dzw-before --app-dir /tmp/dzw-after

For each app tree and scenario, the same process is run twice under callgrind: Django set up,
--warmup requests, then N requests (--few, then --many) through Django's test client (sessions
in Redis, the kept user, scope and count warm). The difference of the two totals divided by the
difference of N is the cost of one request, start-up cancelled out. Only this process is
counted: not PostgreSQL, not Redis, not gunicorn, and the test client does not run the
connection's health check. About a minute and a half per app and scenario (the two runs go side
by side, one per core).
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from common import BASE_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL

COLLECTED = re.compile(r"Collected : (\d+)")


def child_process(args) -> None:
    """Inside valgrind: set the app up, then send the requests."""
    from common import collect_static, setup_django

    setup_django(args.database_url, args.redis_url, args.app_dir[0])
    collect_static()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=args.user))
    for _ in range(args.warmup + args.requests):
        response = client.get(args.url)
        assert response.status_code == 200, response.status_code


def counted(app_dir: Path, requests: int, args) -> subprocess.Popen:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        "--app-dir",
        str(app_dir),
        "--requests",
        str(requests),
        "--warmup",
        str(args.warmup),
        "--url",
        args.url,
        "--user",
        args.user,
        "--database-url",
        args.database_url,
        "--redis-url",
        args.redis_url,
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--app-dir", type=Path, action="append", help="repeat to compare several trees")
    parser.add_argument("--url", default="/children/")
    parser.add_argument("--user", default="bench_staff")
    parser.add_argument("--few", type=int, default=10)
    parser.add_argument("--many", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--requests", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args = parser.parse_args()
    args.app_dir = args.app_dir or [BASE_DIR]
    if args.child:
        child_process(args)
        return
    print(f"{args.url} as {args.user}: (instructions at {args.many} requests - at {args.few}) / {args.many - args.few}")
    first = None
    for app_dir in args.app_dir:
        runs = [counted(app_dir, n, args) for n in (args.few, args.many)]
        totals = []
        for run in runs:
            _out, err = run.communicate()
            found = COLLECTED.search(err)
            if run.returncode or not found:
                raise SystemExit(f"{app_dir}: the counted run failed:\n{err[-2000:]}")
            totals.append(int(found.group(1)))
        per_request = (totals[1] - totals[0]) / (args.many - args.few)
        first = first or per_request
        ratio = per_request / first
        print(f"{app_dir.resolve()!s:<40} {per_request / 1e6:8.2f} M instructions per request  {ratio:5.2f}x the first")


if __name__ == "__main__":
    main()
