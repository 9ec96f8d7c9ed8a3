"""Where the CPU of a children list page goes, in this process (no HTTP, no other clients).

    .venv/bin/python bench/render_costs.py                            # this checkout, dzw_bench
    .venv/bin/python bench/render_costs.py --app-dir /tmp/dzw-before  # another version of the app

CPU milliseconds (time.process_time) per request, for:

- every scenario of list_bench.py (the same pages and users), each a whole request through
  Django's test client: middleware, session in Redis, the view, its queries, the template;
  with the number of queries, and beside /healthz/ (no database: the framework's floor);
- the county-wide user's first page taken apart: the view without its template (queries,
  filters, rows), and the template alone, as is and without its parts (the filter form, the
  table's rows, both). The template is rendered from the view's own context, so this works on
  any version of the app given with --app-dir.

Measurements are interleaved in rounds (every scenario once per round) so that drift in the
machine's speed falls on all of them alike. Each figure is the mean of one round's requests; the
lowest round is printed, and the median round beside it: other work on a shared machine only
ever adds time (caches, frequency), so the lowest round is the steadier measure of the page's
own cost. Compare two versions run one right after the other.

The list page's budget on two cores at 200 requests/s is 10 ms of CPU for everything
(Django, PostgreSQL, Redis, the client): this shows which parts could fit in it.
"""

import argparse
import os
import re
import statistics
import time
from pathlib import Path

from common import BASE_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, STAFF_USERNAME, collect_static, setup_django

# The parts of templates/children/list.html that can be left out (old and new versions of it).
FILTER_FORM = re.compile(r'<form method="get" class="filters.*?</form>', re.S)
TABLE_ROWS = re.compile(r"{% for (?:child in page|row in rows) %}.*?{% endfor %}\s*</tbody>", re.S)


def cpu_ms(function, repeat: int) -> float:
    total = 0.0
    for _ in range(repeat):
        started = time.process_time()
        function()
        total += time.process_time() - started
    return total / repeat * 1000


def rounds_of(functions: dict, rounds: int, repeat: int) -> dict[str, tuple[float, float]]:
    """(lowest, median) CPU ms per call of each function over `rounds` rounds of `repeat` calls."""
    for function in functions.values():  # warm caches, connections and templates
        function()
        function()
    measured: dict[str, list[float]] = {label: [] for label in functions}
    for _ in range(rounds):
        for label, function in functions.items():
            measured[label].append(cpu_ms(function, repeat))
    return {label: (min(values), statistics.median(values)) for label, values in measured.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--app-dir", type=Path, default=BASE_DIR)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20, help="requests per scenario per round")
    args = parser.parse_args()
    setup_django(args.database_url, args.redis_url, args.app_dir)
    collect_static()

    from common import scenarios
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    import children.views
    from children.models import Child

    clients = {}

    def client_for(username):
        if username not in clients:
            clients[username] = Client(HTTP_HOST="127.0.0.1")
            if username:
                clients[username].force_login(get_user_model().objects.get(username=username))
        return clients[username]

    requests = {}
    queries = {}
    for scenario in scenarios():
        client, url = client_for(scenario.user), scenario.url
        response = client.get(url)
        problem = scenario.problem(response.status_code, response.content)
        if problem:
            raise SystemExit(f"{scenario.label}: {problem}")
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries[scenario.label] = len(captured.captured_queries)
        requests[scenario.label] = lambda client=client, url=url: client.get(url)

    print(f"{Child.objects.count():,} children; app from {args.app_dir.resolve()}")
    print(f"{args.rounds} rounds of {args.repeat} requests; CPU ms per request (process_time)\n")
    print(f"{'whole request':<60} {'lowest':>7} {'median':>7} {'queries':>8}")
    for label, (low, middle) in rounds_of(requests, args.rounds, args.repeat).items():
        print(f"{label:<60} {low:7.1f} {middle:7.1f} {queries[label]:>8}")

    # The first page taken apart: the view with its template replaced by nothing, and the
    # template rendered from the context that view made (its queries already run).
    captured = {}

    def capture(request, template_name, context=None, *args, **kwargs):
        captured.update(request=request, template_name=template_name, context=context)
        return HttpResponse("")

    real_render = children.views.render
    client = client_for(STAFF_USERNAME)
    children.views.render = capture
    try:
        view_only = rounds_of({"view": lambda: client.get("/children/")}, args.rounds, args.repeat)["view"]
    finally:
        children.views.render = real_render
    client.get("/children/")  # the context of a page as rendered, below

    engine = engines["django"]
    source = (Path(args.app_dir) / "templates" / captured["template_name"]).read_text()
    variants = {
        "template as is": source,
        "template without the filter form": FILTER_FORM.sub("", source),
        "template without the table's rows": TABLE_ROWS.sub("</tbody>", source),
        "template without form and rows (base, headings)": TABLE_ROWS.sub("</tbody>", FILTER_FORM.sub("", source)),
    }
    request, context = captured["request"], captured["context"]
    translation.activate("zh-hans")
    engine.from_string(source).render(context, request)  # evaluates the page's querysets once
    templates = {label: engine.from_string(text) for label, text in variants.items()}
    rendering = rounds_of(
        {label: lambda t=template: t.render(context, request) for label, template in templates.items()},
        args.rounds,
        args.repeat,
    )
    print(f"\n{'first page, county-wide user, by part':<60} {'lowest':>7} {'median':>7}")
    for label, (low, middle) in {"whole request, its template left out": view_only, **rendering}.items():
        print(f"{label:<60} {low:7.1f} {middle:7.1f}")


if __name__ == "__main__":
    main()
