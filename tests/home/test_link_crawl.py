"""No 404 doors: every link on each role's pages, two clicks deep from the home page, opens.

The demo data (manage.py demo_data, a small scale) gives each role a realistic spread: visits to
review and returned, mandatory reports open and handled, agreements, batches, adoption cases.
The crawl follows the <a href> links the user is shown (GET only, this site only), one address of
each shape (the same view with the same query keys) so that the run stays short.
"""

from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

ROLES = ["demo_caseworker", "demo_supervisor", "demo_staff", "demo_leader", "demo_admin"]
PER_SHAPE = 2  # addresses followed per view and query keys


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_on(base: str, html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        address, _fragment = urldefrag(urljoin(base, href))
        parts = urlsplit(address)
        if parts.netloc not in ("", "testserver") or not address or parts.path.startswith("/static/"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def shape(address: str) -> tuple:
    parts = urlsplit(address)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    keys = tuple(sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair}))
    return name, keys


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data once for the module (it takes a few seconds), removed at the end."""
    from django.conf import settings
    from django.db import transaction

    from dingzhou_welfare.roles import sync_role_groups

    with django_db_blocker.unblock(), transaction.atomic():
        debug, settings.DEBUG = settings.DEBUG, True
        sync_role_groups()
        call_command("demo_data", "--scale", "0.05", stdout=StringIO())
        settings.DEBUG = debug
        yield
        transaction.set_rollback(True)  # the next module starts from the migrated database


def crawl(client, start="/", depth=2):
    """{address: status} for the pages reached within `depth` clicks of `start`, and where each was linked."""
    seen, statuses, linked_from = set(), {}, defaultdict(set)
    per_shape = defaultdict(int)
    frontier = [start]
    seen.add(start)
    for level in range(depth + 1):
        following = []
        for address in frontier:
            try:
                response = client.get(address)
                status = response.status_code
                # Reading a stream to its end closes it as a server would (the test client wraps it so);
                # closing it again here would fire request_finished, which drops the connection that
                # the module's open transaction is on.
                content = b"".join(response.streaming_content) if response.streaming else response.content
            except Exception as error:
                statuses[address] = f"500 ({type(error).__name__}: {error})"
                continue
            statuses[address] = status
            if level == depth or status != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for link in links_on(address, content.decode()):
                linked_from[link].add(address)
                key = shape(link)
                if link in seen or per_shape[key] >= PER_SHAPE:
                    continue
                seen.add(link)
                per_shape[key] += 1
                following.append(link)
        frontier = following
    return statuses, linked_from


@pytest.mark.django_db
@pytest.mark.parametrize("username", ROLES)
def test_every_link_two_clicks_deep_opens(demo, client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    statuses, linked_from = crawl(client)
    assert len(statuses) > 5, statuses  # the crawl did reach pages
    broken = {
        address: (status, sorted(linked_from[address])[:3])
        for address, status in statuses.items()
        if not isinstance(status, int) or status in (403, 404) or status >= 500
    }
    assert not broken, f"{username}: {broken}"
