"""Django's Redis cache backend, keeping one Redis client per connection pool.

django.core.cache.backends.redis builds a new redis.Redis for every cache operation, and the
constructor of redis-py 8 is not cheap (about 0.1 ms of CPU on this machine): a logged-in page
pays it three times (the session is read, checked before it is written, and written). A client
over a connection pool is safe to share between threads (each command takes a connection from
the pool), so each pool keeps the one client it was first asked for. Everything else, the pools
included, is Django's.

Every call gives up after settings.REDIS_TIMEOUT; after one failure the process leaves Redis alone
for DOWN_SECONDS (below), and the callers fall back (dingzhou_welfare.sessions, .versions).
"""

from time import monotonic

import redis as redis_py
from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}  # id of a pool (kept in self._pools for good) -> its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# ---------------------------------------------------------------------------------------------
# Redis down: after a connection error or a timeout, this process does not ask Redis again for
# DOWN_SECONDS (the cache, nor the queue's check in dingzhou_welfare/queueing.py: one Redis serves
# both), so that a page's several Redis calls cost one timeout at most, not one each.

DOWN_SECONDS = 5
GUARDED = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")
_down_until = 0.0


class RedisUnavailable(redis_py.ConnectionError):
    """Redis failed a moment ago; not asked again yet."""


def is_down() -> bool:
    return monotonic() < _down_until


def mark_down() -> None:
    global _down_until
    _down_until = monotonic() + DOWN_SECONDS


def mark_up() -> None:
    global _down_until
    _down_until = 0.0


def _guarded(name):
    method = getattr(RedisCacheClient, name)

    def guarded(self, *args, **kwargs):
        if is_down():
            raise RedisUnavailable("Redis did not answer a moment ago")
        try:
            return method(self, *args, **kwargs)
        except (redis_py.ConnectionError, redis_py.TimeoutError):
            mark_down()
            raise

    guarded.__name__ = name
    return guarded


for _name in GUARDED:
    setattr(RedisCacheClient, _name, _guarded(_name))
