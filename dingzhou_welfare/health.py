"""Readiness (/readyz/): may this installation take work? Liveness stays /healthz/ (views.healthz).

Checks PostgreSQL, Redis, a worker heartbeat younger than two minutes (beat sends `heartbeat_task`
every minute and a worker stamps the cache), beat's last run (django-celery-beat records it in the
database, at least every three minutes) and the depth of the Celery queue. Answers 503 naming what
failed. It reports only the installation's own state, never a person or a record.
"""

import datetime

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "ops:worker-heartbeat"
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=2)
# django-celery-beat writes its entries' last runs every 3 minutes (its sync interval), the heartbeat's
# every minute: five minutes without one means beat is not running.
BEAT_MAX_AGE = datetime.timedelta(minutes=5)
TIMEOUT_SECONDS = 2


def stamp_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, timezone.now().timestamp(), timeout=3600)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis_client():
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )


def _redis() -> str:
    if not settings.REDIS_URL:
        return "not configured (REDIS_URL unset)"
    _redis_client().ping()
    return "ok"


def _age(stamp: datetime.datetime) -> datetime.timedelta:
    return timezone.now() - stamp


def _worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "tasks run in-process (REDIS_URL unset)"
    stamp = cache.get(HEARTBEAT_KEY)
    if stamp is None:
        raise CheckFailed("no worker heartbeat: is a Celery worker (and beat) running?")
    age = _age(datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC))
    if age > HEARTBEAT_MAX_AGE:
        raise CheckFailed(
            f"last worker heartbeat {int(age.total_seconds())} s ago (limit {HEARTBEAT_MAX_AGE.seconds} s)"
        )
    return f"heartbeat {int(age.total_seconds())} s ago"


def _beat() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "no beat needed (REDIS_URL unset)"
    from django_celery_beat.models import PeriodicTask

    last = PeriodicTask.objects.filter(enabled=True, last_run_at__isnull=False).order_by("-last_run_at").first()
    if last is None:
        raise CheckFailed("beat has never run a task: is celery beat running?")
    age = _age(last.last_run_at)
    if age > BEAT_MAX_AGE:
        raise CheckFailed(f"beat's last run {int(age.total_seconds())} s ago (limit {BEAT_MAX_AGE.seconds} s)")
    return f"last run {int(age.total_seconds())} s ago"


def _queue() -> str:
    if not settings.REDIS_URL:
        return "no queue (REDIS_URL unset)"
    depth = _redis_client().llen(settings.CELERY_TASK_DEFAULT_QUEUE)
    if depth > settings.READY_QUEUE_LIMIT:
        raise CheckFailed(f"{depth} tasks waiting (limit {settings.READY_QUEUE_LIMIT})")
    return f"{depth} tasks waiting"


class CheckFailed(Exception):
    """A readiness check failed; its message is the reason /readyz/ gives."""


CHECKS = {"database": _database, "redis": _redis, "worker": _worker, "beat": _beat, "queue": _queue}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except CheckFailed as failure:
            results[name] = {"ok": False, "detail": str(failure)}
        except Exception as error:  # an unreachable service fails the check; the reason names only the error type
            results[name] = {"ok": False, "detail": f"unreachable: {type(error).__name__}: {_first_line(error)}"}
    return results


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


@never_cache
def readyz(request):
    checks = run_checks()
    ready = all(check["ok"] for check in checks.values())
    failed = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "ready" if ready else "not ready", "failed": failed, "checks": checks}
    return JsonResponse(body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False})
