"""1-minute bars built from the market's own trades (the synthetic market or KIS), as they print.

`market.signals.trade_printed` reaches `on_trade_printed` in the process that runs the feed, on the
publisher's worker thread, once per trade in feed order. Each trade goes into the bar of its
market-clock minute (bars are stamped at the minute's start, Asia/Seoul, as lightweight-charts and
KRX's minute charts stamp them: a trade at 09:00:42 belongs to the 09:00 bar). The bars changed
since the last write are upserted together — bulk, keyed on (symbol, timeframe, time), one
transaction — when a bar closes or at most every `flush_interval` seconds of wall time, so a
crash loses at most that interval and never leaves a half-written batch. A process that starts in
the middle of a minute continues the stored bar of that minute instead of overwriting it.

5/15/60-minute bars are aggregated from the 1-minute ones by the database when they are read
(historical.selectors), as weekly and monthly bars are from daily ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from market.state import Trade
from market.timetable import SEOUL

logger = logging.getLogger(__name__)


def minute_of(moment: dt.datetime) -> dt.datetime:
    """The start of the minute `moment` falls in, in Asia/Seoul."""
    return moment.astimezone(SEOUL).replace(second=0, microsecond=0)


@dataclass(slots=True)
class _OpenBar:
    time: dt.datetime
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int

    def add(self, trade: Trade) -> None:
        self.high = max(self.high, trade.price)
        self.low = min(self.low, trade.price)
        self.close = trade.price
        self.volume += trade.quantity
        self.value += trade.price * trade.quantity


class MinuteBars:
    """The current 1-minute bar of every symbol that trades, and the writes of the changed ones."""

    def __init__(self, *, flush_interval: float = 1.0, source: str | None = None) -> None:
        self.flush_interval = flush_interval
        self.source = source
        self._bars: dict[str, _OpenBar] = {}
        self._dirty: dict[tuple[int, dt.datetime], _OpenBar] = {}
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self.written = 0

    def _source(self) -> str:
        if self.source is None:
            from django.conf import settings

            from historical.enums import CandleSource

            self.source = CandleSource.KIS if settings.MARKET_FEED == "kis" else CandleSource.SYNTHETIC
        return self.source

    def _symbol_id(self, code: str) -> int | None:
        from market.cache import symbol_cached

        symbol = symbol_cached(code=code)
        return symbol.pk if symbol is not None else None

    def forget(self) -> None:
        """Drop the open bars without writing them (tests: the database they belong to was rolled back)."""
        with self._lock:
            self._bars.clear()
            self._dirty.clear()

    def _stored(self, symbol_id: int, minute: dt.datetime) -> _OpenBar | None:
        from historical.enums import Timeframe
        from historical.models import Candle

        row = (
            Candle.objects.filter(symbol_id=symbol_id, timeframe=Timeframe.MINUTE, time=minute)
            .values_list("open", "high", "low", "close", "volume", "value")
            .first()
        )
        if row is None:
            return None
        open_, high, low, close, volume, value = row
        return _OpenBar(minute, open_, high, low, close, volume, value or 0)

    def add(self, trade: Trade) -> None:
        """Put one trade into its bar; write the changed bars when one closes or the interval is up."""
        if trade.quantity <= 0 or trade.price <= 0:
            return
        minute = minute_of(trade.time)
        with self._lock:
            symbol_id = self._symbol_id(trade.code)
            if symbol_id is None:
                return
            bar = self._bars.get(trade.code)
            closed = bar is not None and bar.time != minute
            if bar is None or bar.time != minute:
                if bar is not None and minute < bar.time:
                    return  # a late trade of a bar already closed: the feed's order is the tape's order
                # First trade of this process for the symbol: continue what an earlier process stored.
                bar = (self._stored(symbol_id, minute) if bar is None else None) or _OpenBar(
                    minute, trade.price, trade.price, trade.price, trade.price, 0, 0
                )
                self._bars[trade.code] = bar
            bar.add(trade)
            self._dirty[(symbol_id, minute)] = bar
            due = closed or time.monotonic() - self._last_flush >= self.flush_interval
        if due:
            self.flush()

    def flush(self) -> int:
        """Upsert every bar changed since the last flush in one transaction; kept for the next try on failure."""
        from historical.enums import Timeframe
        from historical.services import candles_upsert_many
        from historical.sources.base import Bar

        with self._lock:
            dirty, self._dirty = self._dirty, {}
            self._last_flush = time.monotonic()
            by_symbol: dict[int, list[Bar]] = {}
            for (symbol_id, _), bar in dirty.items():
                by_symbol.setdefault(symbol_id, []).append(
                    Bar(bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.value)
                )
        if not by_symbol:
            return 0
        try:
            report = candles_upsert_many(
                loads=list(by_symbol.items()), source=self._source(), timeframe=Timeframe.MINUTE
            )
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the feed; the bars stay dirty
            logger.exception("could not write %d minute bars", len(dirty))
            with self._lock:
                for key, bar in dirty.items():
                    self._dirty.setdefault(key, bar)
            return 0
        self.written += report.written
        return report.written


minute_bars = MinuteBars()


def on_trade_printed(sender: Any, trade: Trade, **kwargs: Any) -> None:
    try:
        minute_bars.add(trade)
    except Exception:  # noqa: BLE001 - never stop the feed
        logger.exception("could not add a trade of %s to its minute bar", trade.code)
