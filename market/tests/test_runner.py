import asyncio
import io
import time
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command

from market import runner
from market.models import Symbol
from market.state import store

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listed(db):
    Symbol.objects.create(code="005930", name="삼성전자", market="KOSPI", prev_close=71_000)
    Symbol.objects.create(code="000660", name="SK하이닉스", market="KOSPI", prev_close=198_000)
    Symbol.objects.create(code="035720", name="카카오", market="KOSPI", prev_close=None)  # nothing to start from
    Symbol.objects.create(code="999990", name="폐지", market="KOSPI", prev_close=5_000, is_active=False)


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_build_feed_simulates_active_symbols_with_a_base_price(listed, settings):
    settings.MARKET_FEED = "sim"
    feed, names = runner.build_feed()
    assert sorted(feed.market.symbols) == ["000660", "005930"]
    assert names == {"000660": "SK하이닉스", "005930": "삼성전자", "035720": "카카오"}


def test_in_process_feed_starts_once_and_publishes(listed, settings, busy_market_clock):
    settings.MARKET_FEED_TICKS_PER_SECOND = 20
    try:
        first = runner.start_in_process_feed()
        assert runner.start_in_process_feed() is first  # safe to call twice
        _wait(lambda: (q := store().quote("005930")) is not None and q.volume > 0)
        assert store().book("000660").bids
    finally:
        runner.stop_in_process_feed()
    assert not first.is_alive()


@pytest.mark.services
def test_only_the_lock_holder_publishes(listed, settings, busy_market_clock):
    settings.MARKET_FEED_LOCK_TTL = 1.0
    settings.MARKET_FEED_TICKS_PER_SECOND = 20
    key = f"{settings.REDIS_PREFIX}:test-lock:{uuid.uuid4().hex}"
    holder = runner.FeedLock(settings.REDIS_URL, key=key, ttl=1.0)
    standby = runner.FeedLock(settings.REDIS_URL, key=key, ttl=1.0)
    assert holder.acquire() and not standby.acquire()
    assert holder.refresh() and not standby.refresh()

    async def scenario():
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run_locked(stop, lock=standby))
        try:
            await asyncio.sleep(0.8)
            assert await sync_to_async(store().quote)("005930") is None  # standing by
            await sync_to_async(holder.release)()
            for _ in range(100):
                if await sync_to_async(store().quote)("005930") is not None:
                    break
                await asyncio.sleep(0.05)
            assert await sync_to_async(store().quote)("005930") is not None  # took over
            assert not await sync_to_async(holder.acquire)()
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    assert holder.acquire()  # released on stop
    holder.release()


def test_run_feed_command_stops_on_sigterm(listed, settings):
    import os
    import signal
    import threading

    settings.MARKET_FEED_TICKS_PER_SECOND = 20
    out = io.StringIO()
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    call_command("run_feed", stdout=out)
    assert "market feed: sim" in out.getvalue() and "market feed stopped" in out.getvalue()
    assert store().quote("005930") is not None


def test_a_feed_that_cannot_start_is_retried_not_fatal(listed, settings, monkeypatch, caplog):
    settings.KIS_APP_KEY = settings.KIS_APP_SECRET = ""
    monkeypatch.setattr(runner, "FEED_RETRY_SECONDS", 0.1)

    async def scenario():
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run_locked(stop, lock=None, kind="kis"))
        await asyncio.sleep(0.5)
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, 3)

    asyncio.run(scenario())
    assert caplog.text.count("cannot start the kis feed: No KIS app key") >= 2
