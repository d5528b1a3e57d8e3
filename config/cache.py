"""Django's Redis cache backend, with one connection pool and one redis-py client per server and
process.

Django keeps its cache backends per context (`caches` is an asgiref Local): under ASGI every request
runs in a context of its own, so every request built a new backend, a new connection pool and a new
Redis connection — a TCP connect and a handshake (HELLO, CLIENT SETINFO, and redis-py reading its own
version from the package metadata) on every throttled request, about a fifth of the order API's CPU.
Pools are thread-safe, so one per server and set of options serves the whole process. Django's
RedisCacheClient also builds a new `redis.Redis` for every cache call, and redis-py's client
constructor is not cheap (it builds its response-callback table each time), so the client is kept
beside its pool.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache.backends import redis as django_redis

_lock = threading.Lock()
_pools: dict[tuple[Any, ...], tuple[Any, Any]] = {}  # (pool class, url, options) -> (pool, client)


class RedisCacheClient(django_redis.RedisCacheClient):
    def _shared(self, write: bool) -> tuple[Any, Any]:
        index = self._get_connection_pool_index(write)
        key = (self._pool_class, self._servers[index], repr(sorted(self._pool_options.items())))
        shared = _pools.get(key)
        if shared is None:
            with _lock:
                shared = _pools.get(key)
                if shared is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    shared = _pools[key] = (pool, self._client(connection_pool=pool))
        return shared

    def _get_connection_pool(self, write: bool) -> Any:
        return self._shared(write)[0]

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return self._shared(write)[1]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
