"""The order books' per-process mirror (market.redis_state._BookMirror) against real Redis.

`reader` is this process with its mirror; `writer` stands for another process (the feed runner)
writing to the same keys. Reads served by the mirror are told apart from reads of Redis by
deleting a book from Redis behind the stores' back: only the mirror still has it.
"""

import asyncio
import datetime as dt
import json
import time
import uuid

import pytest
import redis
from django.conf import settings

from market.redis_state import RedisQuoteStore
from market.state import BookLevel, OrderBook
from market.tests.test_redis_outage import Proxy

pytestmark = [pytest.mark.services]
T = dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.UTC)
CODE = "005930"


def _book(ask: int, code: str = CODE) -> OrderBook:
    return OrderBook(code=code, asks=(BookLevel(ask, 10),), bids=(BookLevel(ask - 100, 10),), time=T)


def _eventually(check, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.01)


@pytest.fixture
def prefix():
    name = f"mirror{uuid.uuid4().hex[:8]}"
    yield name
    raw = redis.Redis.from_url(settings.REDIS_URL)
    for key in raw.scan_iter(f"{name}:*"):
        raw.delete(key)
    raw.close()


@pytest.fixture
def stores(prefix):
    reader = RedisQuoteStore(settings.REDIS_URL, prefix=prefix)
    writer = RedisQuoteStore(settings.REDIS_URL, prefix=prefix, mirror_books=False)
    yield reader, writer
    reader.close()
    writer.close()


def _behind_the_back_delete(prefix: str, code: str = CODE) -> None:
    raw = redis.Redis.from_url(settings.REDIS_URL)
    raw.hdel(f"{prefix}:market:books", code)
    raw.close()


def _following(store: RedisQuoteStore) -> None:
    store.book(CODE)  # the first read starts the mirror (and is answered from Redis)
    _eventually(lambda: store.mirror_ready)


def test_books_written_before_the_mirror_starts_are_in_its_snapshot(stores, prefix):
    reader, writer = stores
    writer.put(book=_book(70_000))
    writer.put(book=_book(50_000, code="000660"))
    assert reader.book(CODE).asks[0].price == 70_000  # from Redis: the mirror is only starting
    _following(reader)
    _behind_the_back_delete(prefix)
    assert reader.book(CODE).asks[0].price == 70_000  # from the mirror
    assert reader.book("000660").asks[0].price == 50_000
    assert reader.book("035420") is None  # no book anywhere: None, from the mirror too


def test_another_process_s_writes_reach_the_mirror_in_order(stores, prefix):
    reader, writer = stores
    _following(reader)
    for ask in range(70_000, 70_500, 100):
        writer.put(book=_book(ask))
    _eventually(lambda: reader.book(CODE) is not None and reader.book(CODE).asks[0].price == 70_400)
    _behind_the_back_delete(prefix)
    time.sleep(0.05)
    assert reader.book(CODE).asks[0].price == 70_400


def test_own_writes_are_read_back_at_once(stores):
    reader, writer = stores
    _following(reader)
    for ask in (71_000, 69_000, 70_500):  # book times need not grow: the write order decides
        reader.put(book=OrderBook(code=CODE, asks=(BookLevel(ask, 1),), bids=(), time=T - dt.timedelta(seconds=ask)))
        assert reader.book(CODE).asks[0].price == ask
    time.sleep(0.1)  # the echoes of those writes arrive and change nothing
    assert reader.book(CODE).asks[0].price == 70_500


def test_a_message_older_than_the_mirror_s_book_is_ignored(stores, prefix):
    reader, writer = stores
    writer.put(book=_book(70_000))
    _following(reader)
    stale = f"1 {CODE} " + json.dumps(_book(1_000).to_dict())  # number 1: older than what the mirror holds
    raw = redis.Redis.from_url(settings.REDIS_URL)
    raw.publish(f"{prefix}:market:book-changes", stale)
    raw.close()
    writer.put(book=_book(70_100, code="000660"))  # a later write: once it is in, the stale one was seen
    _eventually(lambda: reader.book("000660") is not None)
    assert reader.book(CODE).asks[0].price == 70_000


def test_books_written_after_redis_lost_its_keys_still_reach_the_mirror(stores, prefix):
    """A FLUSHDB (or a Redis that restarted without its data, while this connection held) loses the
    sequence too; the numbers given after it must still be above those the mirror holds."""
    reader, writer = stores
    for ask in (70_000, 70_100, 70_200):
        writer.put(book=_book(ask))
    _following(reader)
    raw = redis.Redis.from_url(settings.REDIS_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)
    raw.close()
    writer.put(book=_book(69_000))
    _eventually(lambda: reader.book(CODE).asks[0].price == 69_000)


def test_clear_empties_every_mirror(stores):
    reader, writer = stores
    writer.put(book=_book(70_000))
    _following(reader)
    writer.clear()
    _eventually(lambda: reader.book(CODE) is None)
    writer.put(book=_book(70_200))
    _eventually(lambda: reader.book(CODE) is not None and reader.book(CODE).asks[0].price == 70_200)


async def test_the_mirror_steps_aside_while_redis_is_away_and_catches_up_after(prefix):
    upstream = int(settings.REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    db = settings.REDIS_URL.rsplit("/", 1)[1]
    proxy = Proxy(upstream)
    await proxy.start()
    reader = RedisQuoteStore(f"redis://127.0.0.1:{proxy.port}/{db}", prefix=prefix)
    writer = RedisQuoteStore(settings.REDIS_URL, prefix=prefix, mirror_books=False)

    async def until(check, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not await asyncio.to_thread(check):
            assert time.monotonic() < deadline, "not within the time allowed"
            await asyncio.sleep(0.02)

    try:
        await asyncio.to_thread(writer.put, book=_book(70_000))
        await asyncio.to_thread(reader.book, CODE)
        await until(lambda: reader.mirror_ready)

        await proxy.cut()
        await until(lambda: not reader.mirror_ready)
        # Away: the mirror does not answer with what it last knew; the read goes to Redis, which
        # cannot be reached, and answers "no live data" as every read does in an outage.
        await asyncio.to_thread(writer.put, book=_book(70_300))
        assert await asyncio.to_thread(reader.book, CODE) is None

        await proxy.start()  # back on the same address: the mirror reloads, then follows
        await until(lambda: reader.mirror_ready)
        assert (await asyncio.to_thread(reader.book, CODE)).asks[0].price == 70_300
        await asyncio.to_thread(writer.put, book=_book(70_400))
        await until(lambda: reader.book(CODE).asks[0].price == 70_400)
    finally:
        await asyncio.to_thread(reader.close)
        writer.close()
        await proxy.cut()
