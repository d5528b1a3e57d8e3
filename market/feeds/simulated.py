"""Simulated KRX feed: per symbol a seeded price process on the tick grid inside the daily band.

Each symbol keeps a 10-level book around a best bid; the best ask is one tick above it (no ask at
the upper limit, as on a limit-up day). Every step, per symbol:
- resting sizes change a little (new orders, cancels);
- with some probability the touch moves one tick (quotes stepping up or down, drifting back
  towards the base price so a long demo session stays inside the band);
- with some probability a marketable order trades at the touch: a buy at the best ask, a sell at
  the best bid; taking a whole level moves the touch to the next tick.
Prices never leave the grid or the band. With a seed, the same inputs give the same ticks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
from dataclasses import dataclass, field

from market import rules, timetable
from market.clock import market_clock
from market.enums import SessionPhase, Side
from market.feeds.base import Feed, FeedSink
from market.state import BookLevel, OrderBook, Quote, Trade

logger = logging.getLogger(__name__)

LEVELS = 10


@dataclass
class SymbolSim:
    code: str
    prev_close: int
    rng: random.Random
    lower: int = 0
    upper: int = 0
    bid: int = 0  # best bid price; the book is built around it
    ask_sizes: list[int] = field(default_factory=list)
    bid_sizes: list[int] = field(default_factory=list)
    price: int = 0
    open: int = 0
    high: int = 0
    low: int = 0
    volume: int = 0
    value: int = 0
    lot: int = 1  # typical order size: cheaper stocks trade in bigger quantities

    def __post_init__(self) -> None:
        self.prev_close = rules.round_to_tick(self.prev_close)
        self.lower, self.upper = rules.price_limit_band(self.prev_close)
        self.price = self.open = self.high = self.low = self.prev_close
        self.bid = self.prev_close if self.prev_close < self.upper else rules.tick_down(self.prev_close)
        self.lot = max(1, 2_000_000 // max(self.prev_close, 1) // 10)
        self.ask_sizes = [self._fresh_size(i) for i in range(LEVELS)]
        self.bid_sizes = [self._fresh_size(i) for i in range(LEVELS)]

    def new_session(self) -> None:
        """A new trading day: today's close becomes the base price; the band, OHLC and volume restart."""
        self.prev_close = self.price
        self.lower, self.upper = rules.price_limit_band(self.prev_close)
        self.open = self.high = self.low = self.price
        self.volume = self.value = 0
        self.bid = min(max(self.bid, self.lower), self.upper)

    def _fresh_size(self, depth: int) -> int:
        return max(1, int(self.rng.lognormvariate(0, 0.6) * self.lot * (3 + depth)))

    @property
    def ask(self) -> int | None:
        return rules.tick_up(self.bid) if self.bid < self.upper else None

    def ask_prices(self) -> list[int]:
        prices: list[int] = []
        price = self.ask
        while price is not None and price <= self.upper and len(prices) < LEVELS:
            prices.append(price)
            price = rules.tick_up(price)
        return prices

    def bid_prices(self) -> list[int]:
        prices = [self.bid]
        while len(prices) < LEVELS and prices[-1] > self.lower:
            prices.append(rules.tick_down(prices[-1]))
        return [p for p in prices if p >= self.lower]

    def book(self, now: dt.datetime) -> OrderBook:
        asks = tuple(BookLevel(p, s) for p, s in zip(self.ask_prices(), self.ask_sizes, strict=False))
        bids = tuple(BookLevel(p, s) for p, s in zip(self.bid_prices(), self.bid_sizes, strict=False))
        return OrderBook(code=self.code, asks=asks, bids=bids, time=now)

    def quote(self, now: dt.datetime) -> Quote:
        return Quote(
            code=self.code,
            price=self.price,
            open=self.open,
            high=self.high,
            low=self.low,
            prev_close=self.prev_close,
            volume=self.volume,
            value=self.value,
            best_bid=self.bid,
            best_ask=self.ask,
            time=now,
            extra={"feed": "sim"},
        )

    # --- moves ----------------------------------------------------------------------------------
    def _shift_up(self) -> None:
        if self.bid >= self.upper:
            return
        self.bid = rules.tick_up(self.bid)
        # the old best ask level becomes the new best bid's neighbour: shift the ladders
        self.bid_sizes = [self._fresh_size(0), *self.bid_sizes[:-1]]
        self.ask_sizes = [*self.ask_sizes[1:], self._fresh_size(LEVELS - 1)]

    def _shift_down(self) -> None:
        if self.bid <= self.lower:
            return
        self.bid = rules.tick_down(self.bid)
        self.ask_sizes = [self._fresh_size(0), *self.ask_sizes[:-1]]
        self.bid_sizes = [*self.bid_sizes[1:], self._fresh_size(LEVELS - 1)]

    def _jitter_sizes(self) -> None:
        for sizes in (self.ask_sizes, self.bid_sizes):
            i = self.rng.randrange(LEVELS)
            sizes[i] = max(1, sizes[i] + int(self.rng.gauss(0, self.lot * 2)))

    def step(self, now: dt.datetime) -> tuple[Trade | None, OrderBook]:
        """Advance one step: maybe a quote move, maybe a trade at the touch; always a new book."""
        rng = self.rng
        self._jitter_sizes()
        # pull towards the base price: the further away, the likelier the step back
        distance = (self.bid - self.prev_close) / self.prev_close
        up_bias = max(0.1, min(0.9, 0.5 - distance * 2))
        if rng.random() < 0.25:
            if rng.random() < up_bias:
                self._shift_up()
            else:
                self._shift_down()
        trade = None
        if rng.random() < 0.8:
            side = Side.BUY if rng.random() < up_bias else Side.SELL
            if side == Side.BUY and self.ask is None:
                side = Side.SELL
            quantity = max(1, int(rng.expovariate(1 / self.lot)))
            if side == Side.BUY:
                price, available = self.ask, self.ask_sizes[0]
            else:
                price, available = self.bid, self.bid_sizes[0]
            quantity = min(quantity, available)
            trade = Trade(code=self.code, price=price, quantity=quantity, side=str(side), time=now)
            self._record(trade)
            if side == Side.BUY:
                self.ask_sizes[0] -= quantity
                if self.ask_sizes[0] <= 0:
                    self.ask_sizes[0] = self._fresh_size(0)
                    self._shift_up()
            else:
                self.bid_sizes[0] -= quantity
                if self.bid_sizes[0] <= 0:
                    self.bid_sizes[0] = self._fresh_size(0)
                    self._shift_down()
        return trade, self.book(now)

    def _record(self, trade: Trade) -> None:
        if self.volume == 0:
            self.open = self.high = self.low = trade.price
        self.price = trade.price
        self.high = max(self.high, trade.price)
        self.low = min(self.low, trade.price)
        self.volume += trade.quantity
        self.value += trade.price * trade.quantity


def trading_now(now: dt.datetime) -> bool:
    """Trades only in the continuous session of trading days (`now` is a market-clock time)."""
    return timetable.phase_at(now) == SessionPhase.CONTINUOUS


class SimulatedFeed(Feed):
    name = "sim"

    def __init__(
        self,
        symbols: list[tuple[str, int]],
        *,
        ticks_per_second: float = 4.0,
        seed: int | None = None,
    ) -> None:
        """symbols: (code, previous close) of each active symbol to simulate."""
        self.ticks_per_second = ticks_per_second
        self.sims = {
            code: SymbolSim(
                code=code,
                prev_close=prev_close,
                rng=random.Random(f"{seed}:{code}") if seed is not None else random.Random(),
            )
            for code, prev_close in symbols
            if prev_close and prev_close > 0
        }
        self.steps = 0
        self.session_day: dt.date | None = None

    def roll_session(self, now: dt.datetime) -> dict[str, int]:
        """Start a new session when the Seoul date changes; returns each symbol's new previous close."""
        day = now.astimezone(timetable.SEOUL).date()
        if self.session_day is None:
            self.session_day = day
        if day == self.session_day:
            return {}
        self.session_day = day
        for sim in self.sims.values():
            sim.new_session()
        return {code: sim.prev_close for code, sim in self.sims.items()}

    def step(self, now: dt.datetime) -> list[tuple[Trade | None, Quote, OrderBook]]:
        """One step of every symbol (pure: no I/O); what `run` publishes."""
        self.steps += 1
        self.roll_session(now)
        out = []
        for sim in self.sims.values():
            trade, book = sim.step(now)
            out.append((trade, sim.quote(now), book))
        return out

    @staticmethod
    async def _publish(sink: FeedSink, trade: Trade | None, quote: Quote, book: OrderBook) -> None:
        if trade is not None:
            await sink.trade(trade, quote)
        await sink.book(book)

    async def run(self, sink: FeedSink, stop: asyncio.Event) -> None:
        now = market_clock().now()
        self.roll_session(now)
        for sim in self.sims.values():  # quotes and books exist before the first tick
            await sink.quote(sim.quote(now))
            await sink.book(sim.book(now))
        interval = 1.0 / self.ticks_per_second if self.ticks_per_second > 0 else 1.0
        next_at = time.monotonic()
        while not stop.is_set():
            now = market_clock().now()
            if trading_now(now):
                closes = self.roll_session(now)
                if closes:
                    await sink.new_session(closes)
                # symbols are published concurrently (channel-layer round trips overlap); each
                # symbol's trade still goes out before its book
                await asyncio.gather(*(self._publish(sink, *event) for event in self.step(now)))
                next_at += interval
            else:  # outside the KRX session: look again in a second
                next_at = time.monotonic() + 1.0
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind: skip ahead instead of catching up with a burst
                next_at = time.monotonic()
                delay = 0
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                pass
