"""The engine's side of market.signals: resting orders are checked on every tick.

Runs in the process that runs the feed. A failure is logged and never stops the feed.

The first tick after each 15:30 KST close also expires the DAY orders placed before that close.
The celery-beat entry does the same at 15:30 in the services configuration; this covers the
embedded default, which has no beat, and a beat that was down (both are idempotent).
"""

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

from market.rules import MARKET_CLOSE, SEOUL
from market.state import OrderBook, Quote, Trade
from orders.services import order_expire_day_orders, orders_match_tick

logger = logging.getLogger(__name__)

_last_close_handled: dt.datetime | None = None


def last_close(now: dt.datetime) -> dt.datetime:
    """The most recent 15:30 KST at or before `now`."""
    local = now.astimezone(SEOUL)
    close = local.replace(hour=MARKET_CLOSE.hour, minute=MARKET_CLOSE.minute, second=0, microsecond=0)
    return close if local >= close else close - dt.timedelta(days=1)


def expire_after_close(now: dt.datetime | None = None) -> int:
    global _last_close_handled
    close = last_close(now or timezone.now())
    if close == _last_close_handled:
        return 0
    expired = order_expire_day_orders(before=close)
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
