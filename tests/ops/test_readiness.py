"""/readyz/: PostgreSQL, Redis, the worker heartbeat, beat's last run and the queue; 503 with the reason."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db.utils import load_backend
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dingzhou_welfare import health
from dingzhou_welfare.tasks import heartbeat_task

pytestmark = pytest.mark.django_db
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def no_heartbeat():
    cache.delete(health.HEARTBEAT_KEY)


@pytest.fixture
def with_workers(settings):
    """As in production: tasks go to workers, whose heartbeat and beat's last run /readyz/ checks."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


def beat_ran(when):
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name="worker-heartbeat",
        defaults={"task": "dingzhou_welfare.tasks.heartbeat_task", "interval": every_minute, "last_run_at": when},
    )


def readyz(client):
    response = client.get("/readyz/")
    return response.status_code, response.json()


def test_ready(client):
    status, body = readyz(client)
    assert status == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert set(body["checks"]) == {"database", "redis", "worker", "beat", "queue"}
    assert body["checks"]["database"] == {"ok": True, "detail": "ok"}


def test_healthz_is_unchanged(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert (response.status_code, response.content) == (200, b"ok")


def test_postgresql_unreachable(client, monkeypatch, settings):
    from django.db import connection

    unreachable = {
        **connection.settings_dict,
        "ENGINE": "dingzhou_welfare.postgresql",
        "NAME": "welfare",
        "HOST": "127.0.0.1",
        "PORT": "1",
        "USER": "welfare",
        "PASSWORD": "",
        "OPTIONS": {"connect_timeout": 2},
    }
    wrapper = load_backend("dingzhou_welfare.postgresql").DatabaseWrapper(unreachable, alias="unreachable")
    monkeypatch.setattr(health, "connection", wrapper)
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["detail"].startswith("unreachable: OperationalError")


def test_redis_unreachable(client, settings):
    settings.REDIS_URL = UNREACHABLE_REDIS
    status, body = readyz(client)
    assert status == 503
    assert body["failed"] == ["redis", "queue"]
    assert body["checks"]["redis"]["detail"].startswith("unreachable: ConnectionError")


def test_no_worker(client, with_workers, time_machine):
    now = datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC)
    time_machine.move_to(now, tick=False)
    beat_ran(now - datetime.timedelta(minutes=1))
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"]["detail"] == "no worker heartbeat: is a Celery worker (and beat) running?"

    heartbeat_task()  # a worker ran beat's heartbeat
    time_machine.move_to(now + datetime.timedelta(seconds=90), tick=False)
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["worker"]["detail"] == "heartbeat 90 s ago"

    time_machine.move_to(now + datetime.timedelta(minutes=3), tick=False)
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["worker"])
    assert body["checks"]["worker"]["detail"] == "last worker heartbeat 180 s ago (limit 120 s)"


def test_no_beat(client, with_workers, time_machine):
    now = datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC)
    time_machine.move_to(now, tick=False)
    heartbeat_task()
    status, body = readyz(client)
    assert (status, body["failed"]) == (503, ["beat"])
    assert body["checks"]["beat"]["detail"] == "beat has never run a task: is celery beat running?"
    beat_ran(now - datetime.timedelta(minutes=6))
    status, body = readyz(client)
    assert body["checks"]["beat"]["detail"] == "beat's last run 360 s ago (limit 300 s)"


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the queue is Redis (REDIS_URL)")
def test_a_long_queue(client, settings):
    key = settings.CELERY_TASK_DEFAULT_QUEUE
    settings.CELERY_TASK_DEFAULT_QUEUE = "dzw-test-readyz-queue"
    client_redis = health._redis_client()
    client_redis.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    client_redis.rpush(settings.CELERY_TASK_DEFAULT_QUEUE, *range(3))
    settings.READY_QUEUE_LIMIT = 2
    try:
        status, body = readyz(client)
    finally:
        client_redis.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert key == "celery"
    assert (status, body["failed"]) == (503, ["queue"])
    assert body["checks"]["queue"]["detail"] == "3 tasks waiting (limit 2)"
