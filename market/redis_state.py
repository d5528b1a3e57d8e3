"""Quote and order-book state in Redis, shared by the feed runner, web processes and workers."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis

from market.state import OrderBook, Quote

logger = logging.getLogger(__name__)
T = TypeVar("T")


class RedisQuoteStore:
    """Reads degrade to "no live data" while Redis is unreachable, so pages served from the
    database keep answering; writes raise, and the feed's publisher retries them."""

    _warned_at = 0.0

    def _read(self, fetch: Callable[[], T], empty: T) -> T:
        try:
            return fetch()
        except redis.RedisError as exc:
            now = time.monotonic()
            if now - RedisQuoteStore._warned_at > 10:  # one line per outage, not one per request
                RedisQuoteStore._warned_at = now
                logger.warning("market state unavailable (Redis): %s; answering without live data", exc)
            return empty

    def __init__(self, url: str, *, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
        self._quotes_key = f"{prefix}:market:quotes"
        self._books_key = f"{prefix}:market:books"

    def put(self, *, quote: Quote | None = None, book: OrderBook | None = None) -> None:
        pipe = self._redis.pipeline(transaction=False)
        if quote is not None:
            pipe.hset(self._quotes_key, quote.code, json.dumps(quote.to_dict()))
        if book is not None:
            pipe.hset(self._books_key, book.code, json.dumps(book.to_dict()))
        pipe.execute()

    def quote(self, code: str) -> Quote | None:
        raw = self._read(lambda: self._redis.hget(self._quotes_key, code), None)
        return Quote.from_dict(json.loads(raw)) if raw else None

    def quotes(self, codes: list[str]) -> dict[str, Quote]:
        if not codes:
            return {}
        values = self._read(lambda: self._redis.hmget(self._quotes_key, codes), [None] * len(codes))
        return {code: Quote.from_dict(json.loads(raw)) for code, raw in zip(codes, values, strict=True) if raw}

    def all_quotes(self) -> dict[str, Quote]:
        rows = self._read(lambda: self._redis.hgetall(self._quotes_key), {})
        return {k.decode(): Quote.from_dict(json.loads(v)) for k, v in rows.items()}

    def book(self, code: str) -> OrderBook | None:
        raw = self._read(lambda: self._redis.hget(self._books_key, code), None)
        return OrderBook.from_dict(json.loads(raw)) if raw else None

    def clear(self) -> None:
        self._redis.delete(self._quotes_key, self._books_key)
