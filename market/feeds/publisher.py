"""Fan-out of every market event: shared state, in-process signals, channel layer, DB snapshots.

For each trade, quote and book change, in this order:
1. `state.store().put(...)` — the latest quote and book (memory or Redis);
2. `market.signals.trade_printed` / `book_changed` — the order engine fills resting orders;
3. the channel layer group of the symbol — WebSocket consumers forward it to browsers.
Steps 1 and 2 run on one worker thread (sync code, ORM allowed, events stay in order); step 3 runs
on the feed's event loop. Latest quotes are written to the `Quote` table at most once per
`snapshot_interval` seconds per symbol. Every `index_interval` seconds KOSPI and KOSDAQ are read the
way `GET /api/v1/market/indices` reads them (market.selectors.market_indices) and, when they changed,
sent as `market.indices` to the status group every quote socket follows; when a simulated trading day
ends they are sent once more, as that day's close, with `market.signals.index_closed`.

A Redis outage (state or channel layer) is logged once, counted, and otherwise ignored: the feed keeps
producing, the order engine keeps filling, and publishing resumes by itself when Redis is back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

from market import events, signals, venue
from market.clock import market_clock
from market.state import OrderBook, Quote, Trade, store
from market.timetable import MarketStatus

logger = logging.getLogger(__name__)

# Seconds between two reads of KOSPI/KOSDAQ for the quote sockets (a message only when they moved).
INDEX_INTERVAL = 2.0

# With the in-memory channel layer the consumers' queues belong to the web server's event loop;
# a consumer registers that loop here so that a feed running on another loop can deliver to it.
_delivery_loop: asyncio.AbstractEventLoop | None = None


def register_delivery_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _delivery_loop
    _delivery_loop = loop


class _Outage:
    """Logs the start and the end of an outage of one dependency, not every failed call."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.down_since: float | None = None
        self.failures = 0

    def failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self.down_since is None:
            self.down_since = time.monotonic()
            logger.warning("%s unavailable (%s); the feed keeps running and will resume publishing", self.what, exc)

    def ok(self) -> None:
        if self.down_since is not None:
            logger.warning("%s is back after %.1f s", self.what, time.monotonic() - self.down_since)
            self.down_since = None

    @property
    def down(self) -> bool:
        return self.down_since is not None


class Publisher:
    def __init__(
        self,
        *,
        names: dict[str, str] | None = None,
        channel_layer: Any = None,
        snapshot_interval: float = 5.0,
        send_signals: bool = True,
        index_interval: float = INDEX_INTERVAL,
    ) -> None:
        self.names = dict(names or {})
        self.layer = channel_layer if channel_layer is not None else get_channel_layer(events.layer_alias())
        self.snapshot_interval = snapshot_interval
        self.index_interval = index_interval
        self.index_outage = _Outage("the market indices")
        self.send_signals = send_signals
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="market-publisher")
        self._dirty: dict[str, Quote] = {}
        self._dirty_lock = threading.Lock()
        self.state_outage = _Outage("market state (Redis)")
        self.layer_outage = _Outage("channel layer")
        self.trades = 0
        self.books = 0
        self.snapshots_written = 0

    # --- the FeedSink interface -----------------------------------------------------------------
    async def trade(self, trade: Trade, quote: Quote) -> None:
        await self.update([trade], quote, None)

    async def update(self, trades: list[Trade], quote: Quote, book: OrderBook | None) -> None:
        """One symbol's prints, quote and book of one step: written to the state in one call (the
        quote once, not once a print), the signals in order (each print, then the book), then the
        stream messages."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._apply_update, trades, quote, book)
        self.trades += len(trades)
        self.books += book is not None
        name = self.names.get(quote.code, "")
        for trade in trades:
            await self._group_send(events.quote_group(trade.code), events.trade_event(trade, quote, name))
        if not trades:
            await self._group_send(events.quote_group(quote.code), events.quote_event(quote, name))
        if book is not None:
            await self._group_send(events.quote_group(book.code), events.book_event(book))

    async def quote(self, quote: Quote) -> None:
        await self.update([], quote, None)

    async def new_session(self, prev_closes: dict[str, int], closed_day: dt.date | None = None) -> None:
        """Record each symbol's new previous close (the order engine's band base) in the database, after
        the indices' close of the day that ended (read from its quotes, still in the store)."""
        loop = asyncio.get_running_loop()
        if closed_day is not None and self.send_signals:
            await loop.run_in_executor(self._worker, self._close_indices, closed_day)
        await loop.run_in_executor(self._worker, self._save_prev_closes, prev_closes)

    def _close_indices(self, day: dt.date) -> None:
        from django.db import close_old_connections

        from market.selectors import live_indices

        close_old_connections()
        try:
            values = live_indices(store().all_quotes(), day=day)
        except Exception:  # noqa: BLE001 - Redis or the database away: the day's index bar is missed
            logger.exception("could not read the indices' close of %s", day)
            return
        self._signal("index_closed", day=day, values=values)

    def _save_prev_closes(self, prev_closes: dict[str, int]) -> None:
        from django.db import close_old_connections

        from market.services import symbol_set_prev_close

        close_old_connections()
        try:
            for code, prev_close in prev_closes.items():
                symbol_set_prev_close(code=code, prev_close=prev_close)
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the feed
            logger.exception("could not record the new previous closes")

    async def book(self, book: OrderBook) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._worker, self._apply_book, book)
        self.books += 1
        await self._group_send(events.quote_group(book.code), events.book_event(book))

    async def admit(self, commands: list[venue.Command]) -> tuple[list[Any], list[dict[str, Any]]]:
        """The batch's new orders recorded (`venue.admit`) on the worker thread, which books them."""
        if not any(isinstance(command, venue.Place) for command in commands):
            return venue.admit(commands)
        return await asyncio.get_running_loop().run_in_executor(self._worker, venue.admit, commands)

    async def order_events(self, events: list[dict[str, Any]]) -> None:
        """What the exchange did with users' orders: `market.signals.order_events`, on the worker
        thread after everything published before it (the ledger sees the tape in order)."""
        if events and self.send_signals:
            await asyncio.get_running_loop().run_in_executor(self._worker, venue.deliver, events)

    async def status(self, status: MarketStatus) -> None:
        """The market's phase changed: tell every quote socket (`market.status`)."""
        clock = market_clock()
        await self._group_send(events.STATUS_GROUP, events.status_event(status, clock=clock.kind, speed=clock.speed))

    # --- steps ----------------------------------------------------------------------------------
    def _put(self, **kwargs: Any) -> None:
        try:
            store().put(**kwargs)
        except Exception as exc:  # noqa: BLE001 - redis errors of any kind must not stop the feed
            self.state_outage.failed(exc)
        else:
            self.state_outage.ok()

    def _apply_update(self, trades: list[Trade], quote: Quote, book: OrderBook | None) -> None:
        self._put(quote=quote, book=book)
        with self._dirty_lock:
            self._dirty[quote.code] = quote
        for trade in trades:
            self._signal("trade_printed", trade=trade, quote=quote)
        if book is not None:
            self._signal("book_changed", book=book)

    def _apply_book(self, book: OrderBook) -> None:
        self._put(book=book)
        self._signal("book_changed", book=book)

    def _signal(self, name: str, **kwargs: Any) -> None:
        """Send `market.signals.<name>` (unless signals are off); a failing receiver is logged, never raised."""
        if not self.send_signals:
            return
        for receiver, result in getattr(signals, name).send_robust(sender=self.__class__, **kwargs):
            if isinstance(result, Exception):
                logger.error("%s receiver %r failed", name, receiver, exc_info=result)

    async def _group_send(self, group: str, event: dict[str, Any]) -> None:
        if self.layer is None:
            return
        loop = _delivery_loop
        if (
            isinstance(self.layer, InMemoryChannelLayer)
            and loop is not None
            and loop is not asyncio.get_running_loop()
            and loop.is_running()
        ):
            asyncio.run_coroutine_threadsafe(self.layer.group_send(group, event), loop)
            return
        try:
            await self.layer.group_send(group, event)
        except Exception as exc:  # noqa: BLE001 - redis errors of any kind must not stop the feed
            self.layer_outage.failed(exc)
        else:
            self.layer_outage.ok()

    # --- snapshots ------------------------------------------------------------------------------
    def flush_snapshots(self) -> int:
        """Write the latest quote of every symbol that traded since the last flush (sync)."""
        from django.db import close_old_connections

        from market.services import quote_snapshots_save

        with self._dirty_lock:
            quotes, self._dirty = list(self._dirty.values()), {}
        if not quotes:
            return 0
        close_old_connections()
        try:
            written = quote_snapshots_save(quotes=quotes)
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the feed
            logger.exception("could not write %d quote snapshots", len(quotes))
            with self._dirty_lock:
                for quote in quotes:
                    self._dirty.setdefault(quote.code, quote)
            return 0
        self.snapshots_written += written
        return written

    async def snapshot_loop(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.snapshot_interval)
            except TimeoutError:
                pass
            await loop.run_in_executor(self._worker, self.flush_snapshots)

    # --- indices --------------------------------------------------------------------------------
    def indices_message(self) -> dict[str, Any] | None:
        """`market.indices` as it stands (sync; None while the store or the database is away)."""
        from django.db import close_old_connections

        from market.selectors import market_indices

        close_old_connections()
        try:
            values, _ = market_indices()
        except Exception as exc:  # noqa: BLE001 - Redis or the database away: try again next time
            self.index_outage.failed(exc)
            return None
        self.index_outage.ok()
        return events.indices_message(values)

    async def index_loop(self, stop: asyncio.Event) -> None:
        """Send `market.indices` to every quote socket whenever KOSPI or KOSDAQ moved (at most once per
        `index_interval` seconds; a new quote time alone is no move)."""
        loop = asyncio.get_running_loop()
        sent: list[dict[str, Any]] | None = None
        while not stop.is_set():
            message = await loop.run_in_executor(self._worker, self.indices_message)
            if message is not None:
                levels = [{k: v for k, v in index.items() if k != "time"} for index in message["indices"]]
                if levels != sent:
                    sent = levels
                    await self._group_send(events.STATUS_GROUP, events.indices_event(message))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.index_interval)
            except TimeoutError:
                pass

    async def aflush_snapshots(self) -> int:
        return await asyncio.get_running_loop().run_in_executor(self._worker, self.flush_snapshots)

    def close(self) -> None:
        """Stop the worker thread and close its database connection."""
        from django.db import connections

        try:
            self._worker.submit(connections.close_all).result(timeout=10)
        finally:
            self._worker.shutdown(wait=True)
