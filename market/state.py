"""Latest market state per symbol: the contract between feeds, the API and the order engine.

Feeds write a Quote and an OrderBook per symbol through `store()`; readers (REST, the order
engine) read them back. The embedded default keeps them in process memory; with REDIS_URL they
live in Redis so every process sees the same state. Prices are integer won.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: int
    quantity: int


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Ten levels a side: asks ascending from the best (lowest), bids descending from the best."""

    code: str
    asks: tuple[BookLevel, ...]
    bids: tuple[BookLevel, ...]
    time: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "asks": [asdict(level) for level in self.asks],
            "bids": [asdict(level) for level in self.bids],
            "time": self.time.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OrderBook:
        return cls(
            code=data["code"],
            asks=tuple(BookLevel(**level) for level in data["asks"]),
            bids=tuple(BookLevel(**level) for level in data["bids"]),
            time=dt.datetime.fromisoformat(data["time"]),
        )


@dataclass(frozen=True, slots=True)
class Trade:
    """One execution printed by the market. `side` is the aggressor's side (buy = at the ask)."""

    code: str
    price: int
    quantity: int
    side: str
    time: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "time": self.time.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trade:
        return cls(**{**data, "time": dt.datetime.fromisoformat(data["time"])})


@dataclass(frozen=True, slots=True)
class Quote:
    """Session snapshot of a symbol: last price, OHLC, base price, volume and best bid/ask."""

    code: str
    price: int
    open: int
    high: int
    low: int
    prev_close: int
    volume: int
    value: int
    best_bid: int | None
    best_ask: int | None
    time: dt.datetime
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the symbol's regular board stands (market.timetable's phases) and, during a call
    # auction, its expected uncross (예상체결가/수량); `vi` is the interruption in force, if any:
    # {"kind": "static"|"dynamic", "reference_price", "trigger_price", "ends_at" (ISO 8601)}.
    phase: str = "continuous"
    session: str | None = None
    expected_price: int | None = None
    expected_quantity: int | None = None
    vi: dict[str, Any] | None = None
    upper_limit: int | None = None
    lower_limit: int | None = None

    @property
    def change(self) -> int:
        return self.price - self.prev_close

    @property
    def change_rate(self) -> float:
        return round(self.change * 100 / self.prev_close, 2) if self.prev_close else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "time": self.time.isoformat(), "change": self.change, "change_rate": self.change_rate}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        fields = {k: v for k, v in data.items() if k not in ("change", "change_rate")}
        return cls(**{**fields, "time": dt.datetime.fromisoformat(fields["time"])})


class QuoteStore(Protocol):
    def put(self, *, quote: Quote | None = None, book: OrderBook | None = None) -> None: ...
    def quote(self, code: str) -> Quote | None: ...
    def quotes(self, codes: list[str]) -> dict[str, Quote]: ...
    def all_quotes(self) -> dict[str, Quote]: ...
    def book(self, code: str) -> OrderBook | None: ...
    def clear(self) -> None: ...


class MemoryQuoteStore:
    """Process-local state for the embedded default and unit tests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._quotes: dict[str, Quote] = {}
        self._books: dict[str, OrderBook] = {}

    def put(self, *, quote: Quote | None = None, book: OrderBook | None = None) -> None:
        with self._lock:
            if quote is not None:
                self._quotes[quote.code] = quote
            if book is not None:
                self._books[book.code] = book

    def quote(self, code: str) -> Quote | None:
        return self._quotes.get(code)

    def quotes(self, codes: list[str]) -> dict[str, Quote]:
        return {c: q for c in codes if (q := self._quotes.get(c)) is not None}

    def all_quotes(self) -> dict[str, Quote]:
        return dict(self._quotes)

    def book(self, code: str) -> OrderBook | None:
        return self._books.get(code)

    def clear(self) -> None:
        with self._lock:
            self._quotes.clear()
            self._books.clear()


_store: QuoteStore | None = None


def store() -> QuoteStore:
    """The configured store: Redis when REDIS_URL is set, else process memory."""
    global _store
    if _store is None:
        from django.conf import settings

        if settings.REDIS_URL:
            from market.redis_state import RedisQuoteStore

            _store = RedisQuoteStore(
                settings.REDIS_URL, prefix=settings.REDIS_PREFIX, mirror_books=settings.MARKET_BOOK_MIRROR
            )
        else:
            _store = MemoryQuoteStore()
    return _store


def set_store(new_store: QuoteStore | None) -> None:
    """Replace the store (tests, benchmarks); the one replaced is closed if it can be."""
    global _store
    old, _store = _store, new_store
    if old is not None and old is not new_store and hasattr(old, "close"):
        old.close()
