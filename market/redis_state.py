"""Quote and order-book state in Redis, shared by the feed runner, web processes and workers.

Every write of a book goes through one Lua script: it stores the book, stamps it with the next
number of the prefix's sequence (which only ever grows) and publishes "<number> <code> <book>" on
the books channel, all at once, so the channel carries the writes in the order they happened. A process that reads books
often (the order engine reads one per order) keeps a mirror of them (`_BookMirror`): a thread
subscribes to the channel first, then loads every book with its number, and from then on applies
each message whose number is higher than the one it holds. Its reads cost a dict look-up instead
of a Redis round trip. Until the mirror has its snapshot, and whenever its connection breaks,
reads go to Redis as before.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis

from market.state import OrderBook, Quote

logger = logging.getLogger(__name__)
T = TypeVar("T")

# The next number: one more than the last, and never less than Redis' clock in microseconds, so
# the numbers keep growing even if the keys are lost (a FLUSHDB, a restart of a Redis that keeps
# nothing on disk) and a mirror that held higher numbers would ignore every new book. Formatted
# with %d: Lua's own number-to-text conversion would round them.
_NEXT_NUMBER = """
local clock = redis.call('TIME')
local number = math.max(tonumber(redis.call('GET', KEYS[3]) or '0') + 1, clock[1] * 1000000 + clock[2])
local text = string.format('%d', number)
redis.call('SET', KEYS[3], text)
"""
# KEYS: books, book numbers, sequence, quotes; ARGV: channel, book code, book JSON, quote code, quote JSON
# ("" for what is not written). Returns the book's number (0 when no book was written).
_PUT = (
    """
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], ARGV[4], ARGV[5]) end
if ARGV[2] == '' then return 0 end
"""
    + _NEXT_NUMBER
    + """
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], text)
redis.call('PUBLISH', ARGV[1], text .. ' ' .. ARGV[2] .. ' ' .. ARGV[3])
return text
"""
)
# KEYS: books, book numbers, sequence, quotes; ARGV: channel. Everything goes; mirrors empty theirs.
_CLEAR = (
    _NEXT_NUMBER
    + """
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
redis.call('PUBLISH', ARGV[1], text .. ' clear')
return text
"""
)


class RedisQuoteStore:
    """Reads degrade to "no live data" while Redis is unreachable, so pages served from the
    database keep answering; writes raise, and the feed's publisher retries them.

    mirror_books=True (the default) serves book() from this process's mirror once it is running.
    """

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

    def __init__(self, url: str, *, prefix: str, mirror_books: bool = True) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)
        self._quotes_key = f"{prefix}:market:quotes"
        self._books_key = f"{prefix}:market:books"
        self._keys = [self._books_key, f"{prefix}:market:book-numbers", f"{prefix}:market:book-seq", self._quotes_key]
        self._channel = f"{prefix}:market:book-changes"
        self._put_script = self._redis.register_script(_PUT)
        self._clear_script = self._redis.register_script(_CLEAR)
        self._mirror = _BookMirror(url, self._keys, self._channel) if mirror_books else None

    def put(self, *, quote: Quote | None = None, book: OrderBook | None = None) -> None:
        if quote is None and book is None:
            return
        book_text = json.dumps(book.to_dict()) if book is not None else ""
        args = [
            self._channel,
            book.code if book is not None else "",
            book_text,
            quote.code if quote is not None else "",
            json.dumps(quote.to_dict()) if quote is not None else "",
        ]
        number = self._put_script(keys=self._keys, args=args)
        if book is not None and self._mirror is not None:
            self._mirror.wrote(book, int(number))  # this process reads its own writes at once

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
        if self._mirror is not None:
            found, book = self._mirror.book(code)
            if found:
                return book
        raw = self._read(lambda: self._redis.hget(self._books_key, code), None)
        return OrderBook.from_dict(json.loads(raw)) if raw else None

    @property
    def mirror_ready(self) -> bool:
        return self._mirror is not None and self._mirror.ready

    def clear(self) -> None:
        number = self._clear_script(keys=self._keys, args=[self._channel])
        if self._mirror is not None:
            self._mirror.cleared(int(number))

    def close(self) -> None:
        """Stop the mirror's thread and drop the connections."""
        if self._mirror is not None:
            self._mirror.stop()
        self._redis.close()


class _BookMirror:
    """This process's copy of the books in Redis, kept by a daemon thread (see the module's text).

    Entries are [number, raw JSON, decoded book or None]: the thread only stores what arrives and
    a reader decodes a book the first time it needs it, so books nobody orders cost no parsing.
    """

    RETRY_SECONDS = 1.0
    POLL_SECONDS = 1.0

    def __init__(self, url: str, keys: list[str], channel: str) -> None:
        self._url = url
        self._books_key, self._numbers_key = keys[0], keys[1]
        self._channel = channel
        self._lock = threading.Lock()
        self._entries: dict[str, list] = {}
        self._cleared_at = 0  # number of the last clear applied: older messages are void
        self.ready = False
        self._pid = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- readers (any thread) ------------------------------------------------------------------

    def book(self, code: str) -> tuple[bool, OrderBook | None]:
        """(True, book or None) from the mirror, or (False, None) while it cannot answer."""
        if self._pid != os.getpid():
            self._start()
            return False, None
        if not self.ready:
            return False, None
        entry = self._entries.get(code)
        if entry is None:
            return True, None
        book = entry[2]
        if book is None:
            book = entry[2] = OrderBook.from_dict(json.loads(entry[1]))
        return True, book

    def wrote(self, book: OrderBook, number: int) -> None:
        with self._lock:
            self._apply(book.code, number, None, book)

    def cleared(self, number: int) -> None:
        with self._lock:
            self._clear(number)

    def stop(self) -> None:
        self._stop.set()
        self.ready = False

    # -- the thread ----------------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid() or self._stop.is_set():
                return
            # A forked child inherits the parent's dict but not its thread: start over.
            self._pid = os.getpid()
            self.ready = False
            self._entries = {}
            self._thread = threading.Thread(target=self._run, name="book-mirror", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        client = redis.Redis.from_url(self._url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=10)
        failures = 0
        while not self._stop.is_set():
            pubsub = client.pubsub()
            try:
                self._follow(client, pubsub)
                failures = 0
            except (redis.RedisError, OSError) as exc:
                failures += 1
                if failures == 1:
                    logger.warning("book mirror: Redis connection lost (%s); reading books from Redis", exc)
            finally:
                self.ready = False
                pubsub.close()
            self._stop.wait(self.RETRY_SECONDS)
        client.close()

    def _follow(self, client: redis.Redis, pubsub: redis.client.PubSub) -> None:
        pubsub.subscribe(self._channel)
        while pubsub.get_message(timeout=self.POLL_SECONDS) is None:  # the subscription's confirmation
            if self._stop.is_set():
                return
        # Subscribed first, loaded second: every write after the load arrives as a message, and
        # a message of a write the load already holds is recognised by its number.
        with client.pipeline(transaction=True) as pipe:
            books, numbers = pipe.hgetall(self._books_key).hgetall(self._numbers_key).execute()
        with self._lock:
            # The numbers start over if Redis did (it keeps nothing on disk): the load is the truth.
            self._entries = {}
            self._cleared_at = 0
            for code, raw in books.items():
                self._apply(code.decode(), int(numbers.get(code, 0)), raw, None)
            self.ready = True
        logger.info("book mirror: following %s (%d books)", self._channel, len(books))
        while not self._stop.is_set():
            message = pubsub.get_message(timeout=self.POLL_SECONDS)
            if message is None or message["type"] != "message":
                continue
            number_text, _, rest = message["data"].partition(b" ")
            code, _, raw = rest.partition(b" ")
            with self._lock:
                if code == b"clear":
                    self._clear(int(number_text))
                else:
                    self._apply(code.decode(), int(number_text), raw, None)

    # -- under self._lock ------------------------------------------------------------------------

    def _apply(self, code: str, number: int, raw: bytes | None, book: OrderBook | None) -> None:
        if number <= self._cleared_at:
            return
        entry = self._entries.get(code)
        if entry is None or number > entry[0]:
            self._entries[code] = [number, raw, book]

    def _clear(self, number: int) -> None:
        if number > self._cleared_at:
            self._cleared_at = number
            self._entries = {}
