"""Redis down (refused, or a port that never answers): signing in and reading pages go on from
PostgreSQL within 2 s, and a page that queues work says it cannot start now and writes nothing
(dingzhou_welfare/sessions.py, versions.py, cache.py, queueing.py).

No Redis is needed: the cache and the broker point at a closed port, or at a socket this test opens
and never answers. Runs on SQLite and PostgreSQL alike.
"""

import contextlib
import socket
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from dingzhou_welfare import cache as redis_state
from dingzhou_welfare import versions
from dingzhou_welfare.celery import app
from dingzhou_welfare.models import AuditEntry
from imports.models import ImportJob
from subsidies.models import Batch
from tests.factories import PASSWORD
from tests.imports.conftest import roster_row, xlsx_bytes

CLOSED_PORT = 6390


@pytest.fixture(params=["refused", "never answers"])
def redis_down(request):
    """A context manager pointing the app's cache, sessions and broker at a Redis that is down."""
    blackhole = None
    if request.param == "refused":
        url = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    else:
        blackhole = socket.socket()
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(16)  # connections complete in the backlog, and nothing is ever read or sent
        url = f"redis://127.0.0.1:{blackhole.getsockname()[1]}/0"
    cache = {
        "BACKEND": "dingzhou_welfare.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {**settings.REDIS_SOCKET_OPTIONS, "retry_on_timeout": False},
    }

    @contextlib.contextmanager
    def down():
        eager, broker = app.conf.task_always_eager, app.conf.broker_url
        with override_settings(CACHES={"default": cache}, SESSION_ENGINE="dingzhou_welfare.sessions"):
            app.conf.task_always_eager, app.conf.broker_url = False, url
            try:
                yield
            finally:
                app.conf.task_always_eager, app.conf.broker_url = eager, broker
                versions._stale_keys.clear()
                redis_state.mark_up()

    try:
        yield down
    finally:
        if blackhole is not None:
            blackhole.close()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def sign_in_and_read(client, child) -> list[tuple[str, int, float]]:
    """(page, status, seconds) for signing in, three pages and signing out."""
    pages = [reverse("dashboard"), reverse("children:list"), reverse("children:detail", args=[child.pk])]
    calls = [("login", lambda: client.post(reverse("login"), {"username": "caseworker_a", "password": PASSWORD}))]
    calls += [(url, lambda url=url: client.get(url)) for url in pages]
    calls += [("logout", lambda: client.post(reverse("logout")))]
    results = []
    for name, call in calls:
        response, took = timed(call)
        results.append((name, response.status_code, took))
    return results


@pytest.mark.django_db
def test_signing_in_and_reading_pages_while_redis_is_down(redis_down, client, caseworker_a, child_a):
    sign_in_and_read(Client(), child_a)  # templates compiled, modules imported: the timings below are Redis's
    with redis_down():
        results = sign_in_and_read(client, child_a)
        assert [status for _name, status, _took in results] == [302, 200, 200, 200, 302], results
        assert all(took < 2 for _name, _status, took in results), results
        assert client.get(reverse("children:list")).status_code == 302  # signed out, in the database too


@pytest.mark.django_db
def test_computing_a_month_while_redis_is_down_says_so_and_writes_nothing(redis_down, client, staff):
    client.force_login(staff)
    client.get(reverse("subsidies:batches"))
    audited = AuditEntry.objects.count()
    with redis_down():
        response, took = timed(lambda: client.post(reverse("subsidies:batch_start"), {"month": "2026-03"}))
    assert response.status_code == 503
    assert "后台任务队列暂时无法连接，这项工作现在不能开始" in response.text
    assert took < 2
    assert not Batch.objects.exists()
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_an_import_while_redis_is_down_says_so_and_writes_nothing(redis_down, client, staff, township_a):
    client.force_login(staff)
    client.get(reverse("imports:index"))
    upload = SimpleUploadedFile("花名册.xlsx", xlsx_bytes([roster_row()]))
    with redis_down():
        response, took = timed(lambda: client.post(reverse("imports:index"), {"kind": "children", "file": upload}))
    assert response.status_code == 503
    assert "这项工作现在不能开始" in response.text
    assert took < 2
    assert not ImportJob.objects.exists()
