"""The Redis cache backend keeps one client per pool, and still works as Django's."""

import os
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from dingzhou_welfare.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "")


def test_one_client_per_pool_not_one_per_operation():
    cache = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is opened by this test
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(write=True)
    assert DjangoRedisCache("redis://127.0.0.1:6379/15", {})._cache.get_client() is not None


def test_reads_spread_over_replicas_each_with_its_own_client():
    cache = RedisCache(["redis://127.0.0.1:6379/15", "redis://127.0.0.1:6380/15"], {})
    primary, replica = cache._cache.get_client(write=True), cache._cache.get_client()
    assert primary is not replica
    assert replica.connection_pool.connection_kwargs["port"] == 6380
    assert cache._cache.get_client() is replica


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the PostgreSQL + Redis run)")
def test_round_trip_from_several_threads():
    cache = RedisCache(REDIS_URL, {"OPTIONS": {}})
    cache.clear()
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", {"n": n, "i": i}, 30)
                assert cache.get(f"k{n}-{i}") == {"n": n, "i": i}
            assert cache.add(f"k{n}-0", "again", 30) is False
            cache.delete(f"k{n}-0")
            assert cache.get(f"k{n}-0", "gone") == "gone"
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cache.clear()
    for pool in cache._cache._pools.values():
        pool.disconnect()
