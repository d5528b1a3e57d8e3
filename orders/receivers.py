"""The engine's side of market.signals: resting orders are checked on every tick.

Runs in the process that runs the feed. A failure is logged and never stops the feed.
"""

import logging
from typing import Any

from market.state import OrderBook, Quote, Trade
from orders.services import orders_match_tick

logger = logging.getLogger(__name__)


def on_trade_printed(sender: Any, trade: Trade, quote: Quote | None = None, **kwargs: Any) -> None:
    try:
        orders_match_tick(code=trade.code, trade=trade)
    except Exception:  # noqa: BLE001
        logger.exception("order matching failed on a trade of %s", trade.code)


def on_book_changed(sender: Any, book: OrderBook, **kwargs: Any) -> None:
    try:
        orders_match_tick(code=book.code, book=book)
    except Exception:  # noqa: BLE001
        logger.exception("order matching failed on a book of %s", book.code)
