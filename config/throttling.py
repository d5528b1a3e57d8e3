"""A scoped rate throttle that counts with one atomic increment per request.

DRF's ScopedRateThrottle keeps a list of request times per client in the cache and reads and
rewrites it on every request: two cache round trips, a pickled list as long as the limit, and a
race in which concurrent requests all read the same list and all pass. This one counts requests in
fixed windows of the rate's duration with an atomic increment (INCR and EXPIRE in one Redis round
trip; an atomic add-and-increment on other caches), so the limit holds under concurrency. A fixed
window lets a client spend one window's allowance at its end and the next at the start of the
next; the rate stays bounded at twice the limit over any window-long span.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from rest_framework.throttling import ScopedRateThrottle

from config.cache import RedisCache


class AtomicScopedRateThrottle(ScopedRateThrottle):
    window_end: float = 0.0

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None or self.num_requests is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        return _count(f"{self.key}:{window}", self.duration + 1) <= self.num_requests

    def wait(self) -> float:
        return max(0.0, self.window_end - self.now)


def _count(key: str, ttl: int) -> int:
    """Increment the counter `key` (created at 0, expiring after ttl seconds) and return it."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        name = cache.make_and_validate_key(key)
        pipe.incr(name)
        pipe.expire(name, ttl, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 0, ttl)
        return cache.incr(key)
