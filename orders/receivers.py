"""The order engine's side of market.signals, in the process that owns the exchange's books.

- `order_events`: what the exchange did with users' orders (fills, IOC/FOK remainders, cancels,
  expiries, modifications) is booked into the ledger (`services.book_order_events`). This is the
  only way the exchange's executions reach accounts.
- `trade_printed`, `book_changed`: the first tick after each close of the regular board (15:30, or 16:30 on a
  CSAT day, on the market clock) also expires DAY orders placed before that close that the book
  no longer holds (the exchange expires its own at the close; this covers orders it lost, e.g. a
  restart across a close; idempotent). Prints also record the accounts' values for their history,
  at most once a minute per process (`orders.history.snapshots_on_tick`).

A failure is logged and never stops the feed.
"""

import datetime as dt
import logging
from typing import Any

from market import timetable
from market.clock import market_now
from market.state import OrderBook, Quote, Trade
from orders.history import snapshots_on_tick
from orders.lifecycle import book_order_events, order_expire_at_close

logger = logging.getLogger(__name__)

_last_close_handled: dt.datetime | None = None


def expire_after_close(now: dt.datetime | None = None) -> int:
    """Expire the DAY orders of the market's last close, once per close; `now` is market time."""
    global _last_close_handled
    close = timetable.last_regular_close(now or market_now())
    if close == _last_close_handled:
        return 0
    expired = order_expire_at_close(close=close)
    _last_close_handled = close
    return expired


def on_order_events(sender: Any, events: list[dict], **kwargs: Any) -> None:
    try:
        book_order_events(events=events)
    except Exception:  # noqa: BLE001
        logger.exception("could not book %d of the exchange's events", len(events))


def on_trade_printed(sender: Any, trade: Trade, quote: Quote | None = None, **kwargs: Any) -> None:
    try:
        expire_after_close()
    except Exception:  # noqa: BLE001
        logger.exception("could not expire the last close's orders")


def on_book_changed(sender: Any, book: OrderBook, **kwargs: Any) -> None:
    try:
        expire_after_close()
    except Exception:  # noqa: BLE001
        logger.exception("could not expire the last close's orders")


def on_tick_snapshot(sender: Any, **kwargs: Any) -> None:
    try:
        snapshots_on_tick()
    except Exception:  # noqa: BLE001
        logger.exception("could not record account snapshots")
