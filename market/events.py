"""Channel-layer group names and payloads of the live market streams (one module for all of them).

Every trade and book change of a symbol goes to the group `market.quotes.<code>`; consumers of
`/ws/quotes/<code>` and `/ws/quotes` join the groups of the codes they watch.
Layer message type `quote.trade` → handler `quote_trade`, `quote.book` → `quote_book`,
`quote.update` → `quote_update`; the `message` key is sent to the browser as is. Every quote socket
also joins `market.status`, which carries `market.status` (handler `market_status`) on each change
of the market's phase and `market.indices` (handler `market_indices`: KOSPI and KOSDAQ, at most every
`Publisher.index_interval` seconds while they change).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from market.indices import IndexValue
from market.state import OrderBook, Quote, Trade
from market.timetable import SEOUL, MarketStatus

GROUP_PREFIX = "market.quotes."
STATUS_GROUP = "market.status"
# The channel layer of the quote streams (settings.CHANNEL_LAYERS["market"]; "default" if absent).
LAYER_ALIAS = "market"


def layer_alias() -> str:
    from django.conf import settings

    return LAYER_ALIAS if LAYER_ALIAS in settings.CHANNEL_LAYERS else "default"


def quote_group(code: str) -> str:
    return f"{GROUP_PREFIX}{code}"


def quote_payload(quote: Quote, name: str = "") -> dict[str, Any]:
    """The quote shape of docs/api.md (REST and WebSocket alike)."""
    return {
        "code": quote.code,
        "name": name,
        "price": quote.price,
        "open": quote.open,
        "high": quote.high,
        "low": quote.low,
        "prev_close": quote.prev_close,
        "change": quote.change,
        "change_rate": quote.change_rate,
        "volume": quote.volume,
        "value": quote.value,
        "best_bid": quote.best_bid,
        "best_ask": quote.best_ask,
        "time": quote.time.astimezone(SEOUL).isoformat(),
        "phase": quote.phase,
        "session": quote.session,
        "expected_price": quote.expected_price,
        "expected_quantity": quote.expected_quantity,
        "vi": quote.vi,
        "upper_limit": quote.upper_limit,
        "lower_limit": quote.lower_limit,
    }


def trade_payload(trade: Trade) -> dict[str, Any]:
    return {
        "code": trade.code,
        "price": trade.price,
        "quantity": trade.quantity,
        "side": trade.side,
        "time": trade.time.astimezone(SEOUL).isoformat(),
    }


def book_payload(book: OrderBook) -> dict[str, Any]:
    return {
        "code": book.code,
        "asks": [{"price": level.price, "quantity": level.quantity} for level in book.asks],
        "bids": [{"price": level.price, "quantity": level.quantity} for level in book.bids],
        "time": book.time.astimezone(SEOUL).isoformat(),
    }


def trade_message(trade: Trade, quote: Quote, name: str = "") -> dict[str, Any]:
    return {"type": "trade", "trade": trade_payload(trade), "quote": quote_payload(quote, name)}


def book_message(book: OrderBook) -> dict[str, Any]:
    return {"type": "book", "book": book_payload(book)}


def trade_event(trade: Trade, quote: Quote, name: str = "") -> dict[str, Any]:
    return {"type": "quote.trade", "message": trade_message(trade, quote, name)}


def quote_event(quote: Quote, name: str = "") -> dict[str, Any]:
    """A quote that changed without a trade (a new day, a call's expected price, a VI)."""
    return {"type": "quote.update", "message": {"type": "quote", "quote": quote_payload(quote, name)}}


def book_event(book: OrderBook) -> dict[str, Any]:
    return {"type": "quote.book", "message": book_message(book)}


def status_payload(status: MarketStatus, *, clock: str, speed: float) -> dict[str, Any]:
    """GET /api/v1/market/status and the `market.status` message alike (times in Seoul)."""
    return {
        "clock": clock,
        "now": status.at.astimezone(SEOUL).isoformat(),
        "trading_day": status.trading_day.isoformat(),
        "phase": status.phase,
        "session": status.session,
        "next_phase": status.next_phase,
        "next_phase_at": status.next_phase_at.astimezone(SEOUL).isoformat(),
        "speed": speed,
    }


def status_message(status: MarketStatus, *, clock: str, speed: float) -> dict[str, Any]:
    return {"type": "market.status", **status_payload(status, clock=clock, speed=speed)}


def status_event(status: MarketStatus, *, clock: str, speed: float) -> dict[str, Any]:
    return {"type": "market.status", "message": status_message(status, clock=clock, speed=speed)}


def _points(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def index_payload(value: IndexValue) -> dict[str, Any]:
    """One index of GET /api/v1/market/indices and of the `market.indices` message (points as numbers)."""
    return {
        "index": value.index,
        "name": value.name,
        "kind": value.kind,
        "value": _points(value.value),
        "change": _points(value.change),
        "change_rate": _points(value.change_rate),
        "prev_close": _points(value.prev_close),
        "prev_close_date": value.prev_close_date.isoformat() if value.prev_close_date else None,
        "time": value.time.astimezone(SEOUL).isoformat() if value.time else None,
        "symbols": value.symbols,
        "simulated": value.simulated,
    }


def indices_message(values: list[IndexValue]) -> dict[str, Any]:
    return {"type": "market.indices", "indices": [index_payload(value) for value in values]}


def indices_event(message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "market.indices", "message": message}
