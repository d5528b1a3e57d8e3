"""Channels group names and payloads for the `/ws/orders` stream.

Services collect messages while they work and send them once the transaction commits, so a
client never hears of an order or fill that was rolled back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from orders.models import Order, Trade

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"orders.user.{user_id}"


def _time(value: dt.datetime | None) -> str | None:
    """As DRF renders a DateTimeField: in the current time zone (Asia/Seoul), ISO 8601."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def order_payload(order: Order) -> dict[str, Any]:
    """The API's order shape (orders.api.OrderOutput), built by hand: it is on the hot path."""
    return {
        "id": order.pk,
        "account": order.account_id,
        "symbol": order.symbol.code,
        "symbol_name": order.symbol.name,
        "side": order.side,
        "type": order.type,
        "time_in_force": order.time_in_force,
        "quantity": order.quantity,
        "price": order.price,
        "status": order.status,
        "reject_reason": order.reject_reason,
        "filled_quantity": order.filled_quantity,
        "avg_fill_price": None if order.avg_fill_price is None else f"{order.avg_fill_price:.4f}",
        "client_order_id": order.client_order_id,
        "created_at": _time(order.created_at),
        "updated_at": _time(order.updated_at),
    }


def trade_payload(trade: Trade) -> dict[str, Any]:
    """The API's trade shape (orders.api.TradeOutput)."""
    return {
        "id": trade.pk,
        "order": trade.order_id,
        "account": trade.account_id,
        "symbol": trade.symbol.code,
        "side": trade.side,
        "quantity": trade.quantity,
        "price": trade.price,
        "commission": trade.commission,
        "tax": trade.tax,
        "time": _time(trade.time),
    }


def order_message(order: Order) -> dict[str, Any]:
    return {"type": "order.update", "order": order_payload(order)}


def fill_message(trade: Trade, order: Order) -> dict[str, Any]:
    return {"type": "order.fill", "trade": trade_payload(trade), "order": order_payload(order)}


class _ThreadLoop(threading.local):
    """A persistent event loop per thread for a cross-process (Redis) channel layer.

    `async_to_sync` from a plain thread (the feed runner, a Celery worker, a sync view's executor
    thread, the benchmark) starts a new event loop per call, and channels-redis opens a new
    connection per loop: ~20 ms a send. Reusing one loop per thread keeps the connections. The
    sends stay in the committing thread (a background sender thread would fight it for the GIL
    on every database round trip). The in-memory layer (embedded default, tests) keeps using
    async_to_sync: it must run on the loop of the consumers in this process.
    """

    loop: asyncio.AbstractEventLoop | None = None

    def run(self, coroutine: Any) -> None:
        if self.loop is None or self.loop.is_closed():
            self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(coroutine)


_thread_loop = _ThreadLoop()


# With the in-memory layer the consumers' queues belong to the web server's event loop; the
# consumer registers that loop here so that a fill booked on the feed's thread reaches it.
_delivery_loop: asyncio.AbstractEventLoop | None = None


def register_delivery_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _delivery_loop
    _delivery_loop = loop


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def broadcast(user_id: int, messages: list[dict[str, Any]]) -> None:
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    group = user_group(user_id)

    async def send_all() -> None:
        for message in messages:
            await layer.group_send(group, message)

    try:
        if isinstance(layer, InMemoryChannelLayer):
            loop = _delivery_loop
            if loop is not None and loop.is_running() and not _in_running_loop():
                # Runs on the consumers' loop, in order; this thread does not wait for it.
                asyncio.run_coroutine_threadsafe(send_all(), loop)
            else:
                async_to_sync(send_all)()
        elif _in_running_loop():
            async_to_sync(send_all)()
        else:
            _thread_loop.run(send_all())
    except Exception:  # noqa: BLE001 - a push failure must never undo a committed trade
        logger.warning("could not push order updates", exc_info=True)


class EventBatch:
    """Messages for one user's stream, sent together after the current transaction commits."""

    def __init__(self) -> None:
        self._by_user: dict[int, list[dict[str, Any]]] = {}
        self._registered = False

    def order(self, user_id: int, order: Order) -> None:
        self._add(user_id, lambda: order_message(order))

    def fill(self, user_id: int, trade: Trade, order: Order) -> None:
        self._add(user_id, lambda: fill_message(trade, order))

    def _add(self, user_id: int, build: Any) -> None:
        self._by_user.setdefault(user_id, []).append(build)
        if not self._registered:
            self._registered = True
            transaction.on_commit(self._send)

    def _send(self) -> None:
        for user_id, builders in self._by_user.items():
            # Payloads are built after commit from the objects as they were saved.
            broadcast(user_id, [build() for build in builders])
