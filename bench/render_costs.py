"""Where the CPU of one children list page goes, in this process (no HTTP, no other clients).

    .venv/bin/python bench/render_costs.py                  # the county-wide user's first page, dzw_bench

CPU milliseconds (time.process_time) per page, the mean of --repeat renders, for:

- the template alone, and the same template without the filter form, without the table rows,
  and without both (the queries are run before timing, so these are rendering only);
- the whole request through Django's test client (middleware, session in Redis, view, template);
- what-ifs that change nothing on disk: the rows' seven {% translate %} labels computed once
  before the loop instead of once per row; server-side cursors off for the form's choices;
  the "may change children" check without loading all of the user's permissions.

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

LABELS = ["姓名", "性别", "年龄", "身份证号", "乡镇 / 村", "儿童类别", "状态"]


def cpu_ms(function, repeat: int) -> float:
    function()
    function()
    total = 0.0
    for _ in range(repeat):
        started = time.process_time()
        function()
        total += time.process_time() - started
    return total / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--app-dir", type=Path, default=BASE_DIR)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    setup_django(args.database_url, args.redis_url, args.app_dir)
    collect_static()

    from django.contrib.auth import get_user_model
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.db import connection
    from django.db.models import Prefetch
    from django.template import engines
    from django.test import Client, RequestFactory
    from django.utils import translation

    import children.views
    from children.filters import ChildFilter
    from children.models import Child, Classification
    from dingzhou_welfare.access import scope_children
    from dingzhou_welfare.pagination import CappedPaginator

    user = get_user_model().objects.get(username=STAFF_USERNAME)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    translation.activate("zh-hans")
    factory = RequestFactory()

    def context():
        """What child_list puts in the template, with its queries already run."""
        request = factory.get("/children/")
        request.user = user
        request.session = {}
        request._messages = FallbackStorage(request)
        listed = scope_children(Child.objects.all(), user).select_related("township", "village")
        listed = listed.prefetch_related(
            Prefetch("classifications", Classification.objects.open().order_by("kind"), to_attr="open_classifications")
        )
        filterset = ChildFilter(None, queryset=listed, request=request)
        paginator = CappedPaginator(filterset.qs, children.views.PAGE_SIZE)
        page = paginator.get_page(None)
        list(page.object_list)
        list(filterset.form.fields["township"].queryset)
        return request, {"filter": filterset, "page": page, "paginator": paginator, "query": "", "can_change": True}

    source = (Path(args.app_dir) / "templates/children/list.html").read_text()
    without_form = re.sub(r"{% for field in filter.form %}.*?{% endfor %}", "", source, flags=re.S)
    rows = re.compile(r"{% for child in page %}.*?{% endfor %}\s*</tbody>", re.S)
    hoisted = source.replace(
        "{% for child in page %}",
        "".join(f'{{% translate "{label}" as label{n} %}}' for n, label in enumerate(LABELS))
        + "{% for child in page %}",
    )
    for n, label in enumerate(LABELS):
        hoisted = hoisted.replace(f"{{% translate '{label}' %}}", f"{{{{ label{n} }}}}")
    engine = engines["django"]
    variants = {
        "template as is": source,
        "template without the filter form": without_form,
        "template without the rows": rows.sub("</tbody>", source),
        "template without form and rows (base, headings)": rows.sub("</tbody>", without_form),
        "what-if: row labels translated once, not per row": hoisted,
    }

    def render_ms(template) -> float:
        """Rendering only: each page's queries run before its clock starts."""
        total = 0.0
        for attempt in range(args.repeat + 2):
            request, data = context()
            started = time.process_time()
            template.render(data, request)
            if attempt >= 2:
                total += time.process_time() - started
        return total / args.repeat * 1000

    print(f"{Child.objects.count():,} children; {args.repeat} renders each; CPU ms per page (process_time)")
    for label, text in variants.items():
        print(f"{label:<60} {render_ms(engine.from_string(text)):6.1f}")

    # Whole requests, with and without each what-if, interleaved in rounds so that drift in
    # the machine's speed falls on all of them alike; the median round is printed.
    can_change = children.views.can_change_children

    def configure(cursors_off: bool, no_permissions: bool) -> None:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = cursors_off
        children.views.can_change_children = (lambda user: True) if no_permissions else can_change

    states = {
        "whole request, as is": (False, False),
        "what-if: whole request, server-side cursors off": (True, False),
        "what-if: whole request, no permission load for can_change": (False, True),
        "what-if: whole request, both": (True, True),
    }
    rounds: dict[str, list[float]] = {label: [] for label in states}
    for _ in range(5):
        for label, state in states.items():
            configure(*state)
            rounds[label].append(cpu_ms(lambda: client.get("/children/"), max(args.repeat // 5, 5)))
    configure(False, False)
    for label, values in rounds.items():
        print(f"{label:<60} {statistics.median(values):6.1f}")


if __name__ == "__main__":
    main()
