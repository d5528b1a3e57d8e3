"""The engine's side of market.signals: resting orders are checked on every tick.

Runs in the process that runs the feed. A failure is logged and never stops the feed.

The first tick after each close of the regular board (15:30, or 16:30 on a CSAT day, on the
market clock) also expires the DAY orders placed before that close. The celery-beat entry does the
same at 15:30 in the services configuration; this covers the embedded default, which has no beat,
a beat that was down and the practice clock's own closes (all idempotent).

Ticks also record the accounts' values for their history, at most once a minute per process
(`orders.history.snapshots_on_tick`; the beat entry does the same where one runs).
"""

import datetime as dt
import logging
from typing import Any

from market import timetable
from market.clock import market_clock
from market.state import OrderBook, Quote, Trade
from orders.history import snapshots_on_tick
from orders.services import order_expire_at_close, orders_match_tick

logger = logging.getLogger(__name__)

_last_close_handled: dt.datetime | None = None


def expire_after_close(now: dt.datetime | None = None) -> int:
    """Expire the DAY orders of the market's last close, once per close; `now` is market time."""
    global _last_close_handled
    clock = market_clock()
    close = timetable.last_regular_close(now or clock.now())
    if close == _last_close_handled:
        return 0
    expired = order_expire_at_close(close=close)
    _last_close_handled = close
    return expired


def on_trade_printed(sender: Any, trade: Trade, quote: Quote | None = None, **kwargs: Any) -> None:
    try:
        expire_after_close()
        orders_match_tick(code=trade.code, trade=trade)
    except Exception:  # noqa: BLE001
        logger.exception("order matching failed on a trade of %s", trade.code)


def on_book_changed(sender: Any, book: OrderBook, **kwargs: Any) -> None:
    try:
        expire_after_close()
        orders_match_tick(code=book.code, book=book)
    except Exception:  # noqa: BLE001
        logger.exception("order matching failed on a book of %s", book.code)


def on_tick_snapshot(sender: Any, **kwargs: Any) -> None:
    try:
        snapshots_on_tick()
    except Exception:  # noqa: BLE001
        logger.exception("could not record account snapshots")
