"""Work handed to the Celery workers starts only when the queue (Redis) answers.

A page that queues work (computing a month, an import, an export, a report file) asks first
(queue_down_page): with Redis down it answers at once, in plain words, that the work cannot start
now, and writes nothing, instead of a job row left queued that no worker will ever hear of. The
ask waits settings.REDIS_CONNECT_TIMEOUT / REDIS_TIMEOUT at most. Redis failing in the instant
between the ask and the hand-over still leaves the job queued; beat's requeue_stalled_work_task
(dingzhou_welfare/tasks.py) hands it over again.
"""

import logging

import redis
from django.conf import settings
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import cache as redis_state
from .celery import app

logger = logging.getLogger(__name__)


def queue_reachable() -> bool:
    """Whether the broker answers now (always, when tasks run in this process)."""
    if app.conf.task_always_eager:
        return True
    if redis_state.is_down():  # failed a moment ago, for the cache or the queue
        return False
    client = redis.Redis.from_url(
        app.conf.broker_url,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
        socket_timeout=settings.REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        return bool(client.ping())
    except (redis.ConnectionError, redis.TimeoutError) as error:
        logger.warning("the task queue did not answer: %r", error)
        redis_state.mark_down()
        return False
    finally:
        client.close()


def queue_down_page(request):
    """A 503 page saying the work cannot start now, or None when the queue answers."""
    if queue_reachable():
        return None
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    message = _(
        "后台任务队列暂时无法连接，这项工作现在不能开始，本次没有保存任何内容。请稍后再试；如一直如此，请联系系统管理员。"
    )
    return render(request, "queue_down.html", {"message": message, "back": back}, status=503)
