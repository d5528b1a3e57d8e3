"""The feed interface: a feed produces trades and book changes and hands them to a sink."""

from __future__ import annotations

import asyncio
import datetime as dt
from abc import ABC, abstractmethod
from typing import Protocol

from market.state import OrderBook, Quote, Trade
from market.timetable import MarketStatus


class FeedSink(Protocol):
    """Where a feed sends what it sees (the Publisher in production)."""

    async def trade(self, trade: Trade, quote: Quote) -> None: ...

    async def quote(self, quote: Quote) -> None:
        """A quote that changed without a trade (the state at start-up, a call's expected price)."""

    async def book(self, book: OrderBook) -> None: ...

    async def update(self, trades: list[Trade], quote: Quote, book: OrderBook | None) -> None:
        """One symbol's prints (in order), its quote after them and its book if it moved, of one
        step: as `trade` for each print, then `quote` if none, then `book`, written together."""

    async def new_session(self, prev_closes: dict[str, int], closed_day: dt.date | None = None) -> None:
        """A new trading day began: these are the symbols' new base prices; `closed_day` is the day
        that ended (the quotes in the store are still its own)."""

    async def status(self, status: MarketStatus) -> None:
        """The market's phase (or after-hours session) changed."""

    async def admit(self, commands: list) -> tuple[list, list[dict]]:
        """A batch's new orders recorded before they reach the books (market.venue.admit), on the
        thread that books their events."""

    async def order_events(self, events: list[dict]) -> None:
        """What the exchange did with users' orders, in engine order (see market.venue)."""


class Feed(ABC):
    name: str

    @abstractmethod
    async def run(self, sink: FeedSink, stop: asyncio.Event) -> None:
        """Produce market events into `sink` until `stop` is set. Must not raise on bad input data."""
