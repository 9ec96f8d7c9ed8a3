"""Django's Redis cache backend, keeping one Redis client per connection pool.

django.core.cache.backends.redis builds a new redis.Redis for every cache operation, and the
constructor of redis-py 8 is not cheap (about 0.1 ms of CPU on this machine): a logged-in page
pays it three times (the session is read, checked before it is written, and written). A client
over a connection pool is safe to share between threads (each command takes a connection from
the pool), so each pool keeps the one client it was first asked for. Everything else, the pools
included, is Django's.
"""

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
