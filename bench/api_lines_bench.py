"""API batch lines benchmark: the cost of each line's paid status (subsidies/bank/line_status.py).

    .venv/bin/python bench/api_lines_bench.py --database-url postgres://postgres@127.0.0.1:5432/dzw_api2_bench
    .venv/bin/python bench/api_lines_bench.py --lines 130000 --page-size 1000 --repeat 3

The batch comes from export_bench.py's loader (a synthetic approved batch loaded with COPY, reused
when there), marked 已送银行, its payments written as the first return would write them
(`returns.ensure_payments`), one payment in three marked 已发放 and one in fifty 退票 with a reason.
Pages of the lines are read by keyset on id from each tenth of the batch, interleaved and repeated:

- **before**: the page's queryset as it was (the lines joined to child, township, programme, batch;
  `ORDER BY id LIMIT n+1`), the floor: no paid status;
- **after**: the same with `with_paid_status` (the payment's status, reason and bank's words, and the
  line's 重发, as correlated subqueries in the same one query);
- **api**: the whole request through Django's test client with a token (the token, the throttle, the
  page, serialising, the audit entry), with the number of queries of each page.

The ratio after / before is of the best of each depth, summed.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_bench as loader
import time_machine

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dzw_api2_bench"


def setup_django(database_url: str) -> None:
    os.environ.update(loader.environment(database_url))
    os.environ.update({"ALLOWED_HOSTS": "testserver", "HTTPS": "false", "API_THROTTLE_RATE": "1000000/min"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def prepare(batch) -> None:
    from subsidies.bank.returns import ensure_payments
    from subsidies.models import BankPayment, Batch

    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.SENT_TO_BANK)
    batch.refresh_from_db()
    ensure_payments(batch)
    payments = BankPayment.objects.filter(batch=batch)
    payments.update(status=BankPayment.Status.SENT, reason="", bank_reason="")
    ids = list(payments.order_by("seq").values_list("pk", flat=True))
    BankPayment.objects.filter(pk__in=ids[::3]).update(status=BankPayment.Status.PAID)
    BankPayment.objects.filter(pk__in=ids[1::50]).update(
        status=BankPayment.Status.RETURNED, reason=BankPayment.Reason.NAME_MISMATCH, bank_reason="户名不符"
    )
    print(f"{len(ids):,} payments: {len(ids[::3]):,} 已发放, {len(ids[1::50]):,} 退票")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=130_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LINES_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--reset", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    loader.ensure_database(args.database_url, args.reset)
    setup_django(args.database_url)
    from collections import Counter

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.models import ApiClient
    from api.pagination import _encode
    from api.services import create_client
    from dingzhou_welfare.models import Role, StaffProfile
    from subsidies.bank.line_status import with_paid_status
    from subsidies.models import Line

    call_command("migrate", verbosity=0)
    batch = loader.load_batch(args.lines)
    prepare(batch)
    admin, created = get_user_model().objects.get_or_create(username="bench_api_admin")
    if created:
        StaffProfile.objects.create(user=admin, role=Role.ADMINISTRATOR)
    ApiClient.objects.filter(name="bench").delete()
    _client, token = create_client(actor=admin, name="bench", granted_personal_data=False)
    cache.clear()
    http = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    size = args.page_size
    plain = Line.objects.filter(batch=batch).select_related("child", "township", "programme", "batch")
    annotated = with_paid_status(plain.select_related("reissue_of__batch"))
    ids = list(Line.objects.filter(batch=batch).order_by("id").values_list("id", flat=True))
    depths = [(t * len(ids) // 10, ids[t * len(ids) // 10 - 1] if t else None) for t in range(10)]
    url = f"/api/v1/batches/{batch.month:%Y-%m}/lines/?page_size={size}"

    def page(queryset, after):
        queryset = queryset.filter(id__gt=after) if after else queryset
        return list(queryset.order_by("id")[: size + 1])

    # The loader's batch is of 2030: the API serves months up to December of next year.
    traveller = time_machine.travel(datetime.datetime(batch.month.year, 2, 1, tzinfo=datetime.UTC))
    traveller.start()
    http.get(url)  # the minute's first call writes the token's last_used: one query more, once
    best = {"before": {}, "after": {}, "api": {}}
    queries, statuses = set(), Counter()
    for _round in range(args.repeat):
        for position, after in depths:
            for name, run in (
                ("before", lambda a=after: page(plain, a)),
                ("after", lambda a=after: page(annotated, a)),
                ("api", lambda a=after: http.get(url + (f"&cursor={_encode([str(a)])}" if a else ""))),
            ):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    result = run()
                    seconds = time.perf_counter() - started
                best[name][position] = min(seconds, best[name].get(position, seconds))
                if name == "api":
                    assert result.status_code == 200, result.content[:300]
                    queries.add(len(captured))
                    if _round == 0:
                        statuses.update(line["paid_status"] for line in result.json()["results"])
    traveller.stop()
    print(f"batch {batch.number}: {len(ids):,} lines, pages of {size} from each tenth, best of {args.repeat}")
    print(f"statuses served: {dict(statuses)}")
    print(f"{'depth':>8} {'before ms':>10} {'after ms':>10} {'api ms':>10}")
    for position, _after in depths:
        print(
            f"{position:>8,} {best['before'][position] * 1000:>10.1f} {best['after'][position] * 1000:>10.1f}"
            f" {best['api'][position] * 1000:>10.1f}"
        )
    before, after, api = (sum(best[n].values()) for n in ("before", "after", "api"))
    print(
        f"sum: before {before * 1000:.0f} ms, after {after * 1000:.0f} ms, ratio {after / before:.2f}x;"
        f" api {api * 1000:.0f} ms; queries per API page: {sorted(queries)}"
    )


if __name__ == "__main__":
    main()
