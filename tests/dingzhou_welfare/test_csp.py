"""Content-Security-Policy on every page, and pages that need nothing inline to work (issue 19, item 9)."""

import re

import pytest
from django.urls import reverse

from dingzhou_welfare.context_processors import MENU
from dingzhou_welfare.models import Role

INLINE = [
    re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),  # onclick=, onchange=...
    re.compile(r"javascript:", re.I),
]


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


def assert_strict(response, url):
    assert response.status_code == 200, url
    directives = policy(response)
    assert directives["frame-ancestors"] == "'none'", url
    assert directives["script-src"] == "'self'", url
    assert directives["style-src"] == "'self'", url
    assert directives["default-src"] == "'self'", url
    html = response.content.decode()
    found = [pattern.pattern for pattern in INLINE if pattern.search(html)]
    assert found == [], (url, found)


USERS = {
    Role.CASEWORKER: "caseworker_a",
    Role.SUPERVISOR: "supervisor_a",
    Role.STAFF: "staff",
    Role.LEADER: "leader",
    Role.ADMINISTRATOR: "administrator",
}


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_of_the_menu_has_the_policy_and_nothing_inline(client, request, role, child_a):
    client.force_login(request.getfixturevalue(USERS[role]))
    urls = [reverse(name) for name, _label, roles in MENU if roles is None or role in roles]
    if role != Role.ADMINISTRATOR:
        urls += [reverse("children:detail", args=[child_a.pk])]
    for url in urls:
        assert_strict(client.get(url), url)


def test_the_sign_in_page_and_the_error_pages_have_it(client, db):
    assert_strict(client.get(reverse("login")), "login")
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert policy(missing)["frame-ancestors"] == "'none'"


def test_a_computing_batch_polls_from_a_static_script(client, staff, time_machine):
    """The one page that updated itself with an inline script now loads static/js/batch-progress.js."""
    import datetime

    from subsidies.disbursement import start_batch

    time_machine.move_to(datetime.datetime(2026, 3, 20, 10, tzinfo=datetime.UTC))
    start_batch(month=datetime.date(2026, 3, 1), actor=staff)  # computing, its townships not yet done
    client.force_login(staff)
    response = client.get(reverse("subsidies:batch", args=["2026-03"]))
    assert_strict(response, "batch")
    html = response.content.decode()
    assert 'id="progress"' in html
    assert "js/batch-progress.js" in html
    assert 'data-template="已完成 DONE / TOTAL 个乡镇"' in html
