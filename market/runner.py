"""Feed runner: builds the configured feed and publishes it until stopped.

- Embedded default: `start_in_process_feed()` (called from config/asgi.py) runs it in a daemon
  thread of the web process with its own event loop; calling it again does nothing.
- Services: `manage.py run_feed` runs it as its own process. Only one runner publishes: it holds a
  Redis lock (`<prefix>:market:feed-lock`, SET NX with an expiry, refreshed while it runs); a
  second runner waits on standby and takes over when the lock expires (e.g. the first one died).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import uuid
from typing import Any

from django.conf import settings

from market import timetable, venue
from market.clock import clock_owner, in_daemon_thread, market_clock
from market.feeds.base import Feed
from market.feeds.publisher import Publisher

logger = logging.getLogger(__name__)

FEED_RETRY_SECONDS = 30


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def active_symbols() -> list[tuple[str, str, int | None]]:
    """(code, name, prev_close) of every active symbol, falling back to the last snapshot price."""
    from market.models import Symbol

    rows = Symbol.objects.filter(is_active=True).select_related("snapshot").order_by("code")
    out = []
    for symbol in rows:
        prev_close = symbol.prev_close
        if not prev_close:
            snapshot = getattr(symbol, "snapshot", None)
            prev_close = snapshot.price if snapshot else None
        out.append((symbol.code, symbol.name, prev_close))
    return out


def simulated_specs() -> list[Any]:
    """What the synthetic market needs of each active symbol with a base price."""
    from django.db import connection

    from market.feeds.simulated import SymbolSpec

    try:
        return [
            SymbolSpec(
                code=code,
                market=market,
                prev_close=prev_close,
                daily_value=daily_value,
                kospi200=kospi200,
            )
            for code, market, prev_close, daily_value, kospi200 in _simulated_rows()
        ]
    finally:
        connection.close()  # this runs on a helper thread that would keep it open


def _simulated_rows() -> list[tuple[str, str, int, int, bool]]:
    from market.models import Symbol

    closes = {code: prev_close for code, _, prev_close in active_symbols()}
    rows = Symbol.objects.filter(is_active=True).order_by("code")
    return [
        (s.code, s.market, closes[s.code], s.typical_daily_value, s.is_kospi200)
        for s in rows.only("code", "market", "typical_daily_value", "is_kospi200")
        if closes.get(s.code)
    ]


def build_feed(kind: str | None = None) -> tuple[Feed, dict[str, str]]:
    """The feed named by settings.MARKET_FEED (sim | kis) and the names of its symbols."""
    from django.db import connection

    kind = kind or settings.MARKET_FEED
    try:
        symbols = active_symbols()
    finally:
        connection.close()  # this runs on a helper thread that would keep it open
    names = {code: name for code, name, _ in symbols}
    if kind == "kis":
        from market.feeds.kis import KisFeed, codes_to_stream, kis_keys

        app_key, app_secret = kis_keys()
        # the codes to stream are listed (and re-listed) by the feed itself: users' interests change
        feed = KisFeed(
            codes=[],
            app_key=app_key,
            app_secret=app_secret,
            prev_closes={code: prev_close for code, _, prev_close in symbols if prev_close},
            codes_source=codes_to_stream,
        )
        return feed, names
    from market.feeds.simulated import SimulatedFeed

    specs = simulated_specs()
    # The exchange calendar takes seconds to build: build it before the practice clock starts
    # running, or the market would open that much late.
    timetable.is_trading_day(dt.date.today())
    if len(specs) < len(symbols):
        logger.warning("%d symbols have no previous close: not simulated", len(symbols) - len(specs))
    feed = SimulatedFeed(
        specs,
        clock=market_clock(),
        seed=settings.MARKET_FEED_SEED,
        steps_per_second=settings.MARKET_FEED_TICKS_PER_SECOND,
    )
    return feed, names


async def run_feed(feed: Feed, publisher: Publisher, stop: asyncio.Event) -> None:
    """Run a feed, the snapshot writer and the indices' pushes until `stop` is set. This process owns
    the shared practice clock meanwhile: it resumes it first and keeps its heartbeat."""
    owner = await asyncio.wrap_future(in_daemon_thread(clock_owner))
    if owner is not None:
        await asyncio.wrap_future(in_daemon_thread(owner.resume))
    listening = None
    if settings.REDIS_URL and not getattr(settings, "MARKET_FEED_IN_PROCESS", False):
        # services: web processes hand this process their orders over Redis (market.venue)
        listening = threading.Event()
        threading.Thread(target=venue.listen, args=(listening,), name="venue-listener", daemon=True).start()
    tasks = [
        asyncio.create_task(feed.run(publisher, stop)),
        asyncio.create_task(publisher.snapshot_loop(stop)),
        asyncio.create_task(publisher.index_loop(stop)),
    ]
    if owner is not None:
        tasks.append(asyncio.create_task(owner.run(stop)))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task.exception() is not None and not stop.is_set():
                raise task.exception()
    finally:
        stop.set()
        if listening is not None:
            listening.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await publisher.aflush_snapshots()


class FeedLock:
    """A Redis lock with an expiry: the holder refreshes it; others wait. Without Redis, always held."""

    def __init__(self, url: str, *, key: str, ttl: float) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.key = key
        self.ttl_ms = int(ttl * 1000)
        self.token = uuid.uuid4().hex

    def acquire(self) -> bool:
        return bool(self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def refresh(self) -> bool:
        """Extend the lock if we still hold it; False if someone else does now."""
        script = (
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
            "elseif redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 else return 0 end"
        )
        return bool(self.redis.eval(script, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> None:
        script = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
        try:
            self.redis.eval(script, 1, self.key, self.token)
        except Exception:  # noqa: BLE001 - it expires on its own
            logger.warning("could not release the feed lock; it expires in %d ms", self.ttl_ms)


def feed_lock() -> FeedLock | None:
    if not settings.REDIS_URL:
        return None
    return FeedLock(
        settings.REDIS_URL,
        key=f"{settings.REDIS_PREFIX}:market:feed-lock",
        ttl=float(_setting("MARKET_FEED_LOCK_TTL", 15)),
    )


async def run_locked(stop: asyncio.Event, *, lock: FeedLock | None, kind: str | None = None) -> None:
    """Wait for the lock, then publish while holding it; stand by again if it is lost."""
    loop = asyncio.get_running_loop()
    ttl = lock.ttl_ms / 1000 if lock else 0
    while not stop.is_set():
        if lock is not None:
            try:
                held = await loop.run_in_executor(None, lock.acquire)
            except Exception as exc:  # noqa: BLE001 - Redis down: try again shortly
                logger.warning("feed lock: Redis unavailable (%s); retrying", exc)
                held = False
            if not held:
                logger.info("another feed runner holds the lock; standing by")
                try:
                    await asyncio.wait_for(stop.wait(), timeout=max(1.0, ttl / 3))
                except TimeoutError:
                    pass
                continue
        try:
            feed, names = await loop.run_in_executor(None, build_feed, kind)
        except Exception as exc:  # noqa: BLE001 - e.g. KIS chosen but no keys saved yet: try again later
            logger.error("cannot start the %s feed: %s; trying again in %d s", kind or settings.MARKET_FEED, exc,
                         FEED_RETRY_SECONDS)  # fmt: skip
            if lock is not None:
                await loop.run_in_executor(None, lock.release)
            try:
                await asyncio.wait_for(stop.wait(), timeout=FEED_RETRY_SECONDS)
            except TimeoutError:
                pass
            continue
        publisher = Publisher(names=names, snapshot_interval=float(_setting("MARKET_SNAPSHOT_INTERVAL", 5)))
        logger.info("feed %s publishing %d symbols", feed.name, len(names))
        run_stop = asyncio.Event()

        async def keep_lock(run_stop: asyncio.Event) -> None:
            while not run_stop.is_set() and not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=max(0.5, ttl / 3))
                except TimeoutError:
                    pass
                if lock is None:
                    continue
                try:
                    still = await loop.run_in_executor(None, lock.refresh)
                except Exception as exc:  # noqa: BLE001 - Redis down: nobody else can take it either
                    logger.warning("feed lock: could not refresh (%s); publishing on", exc)
                    continue
                if not still:
                    logger.warning("feed lock lost to another runner; standing by")
                    break
            run_stop.set()

        keeper = asyncio.create_task(keep_lock(run_stop))
        try:
            await run_feed(feed, publisher, run_stop)
        finally:
            run_stop.set()
            keeper.cancel()
            publisher.close()
    if lock is not None:
        lock.release()


# --- in-process (embedded default) ----------------------------------------------------------------
_started_lock = threading.Lock()
_thread: threading.Thread | None = None
_loop: asyncio.AbstractEventLoop | None = None
_stop: asyncio.Event | None = None


def start_in_process_feed() -> threading.Thread:
    """Start the configured feed in a daemon thread of this process; a second call does nothing."""
    global _thread
    with _started_lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        ready = threading.Event()

        async def main() -> None:
            global _loop, _stop
            _loop, _stop = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            await run_locked(_stop, lock=None)

        def thread_main() -> None:
            try:
                asyncio.run(main())
            except Exception:  # noqa: BLE001 - log; the web process keeps serving
                logger.exception("the in-process market feed stopped")
            finally:
                ready.set()

        _thread = threading.Thread(target=thread_main, name="market-feed", daemon=True)
        _thread.start()
        ready.wait(timeout=5)
        return _thread


def stop_in_process_feed(timeout: float = 10) -> None:
    """Stop the in-process feed and wait for its thread (tests, orderly shutdown)."""
    global _thread
    with _started_lock:
        if _thread is None:
            return
        if _loop is not None and _stop is not None and not _loop.is_closed():
            _loop.call_soon_threadsafe(_stop.set)
        _thread.join(timeout)
        _thread = None
