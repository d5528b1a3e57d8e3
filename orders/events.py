"""Channels group names and payloads for the `/ws/orders` stream.

Services collect messages while they work and send them once the transaction commits, so a
client never hears of an order or fill that was rolled back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

if TYPE_CHECKING:
    from orders.models import Order, Trade

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"orders.user.{user_id}"


def order_payload(order: Order) -> dict[str, Any]:
    from orders.api import OrderOutput

    return dict(OrderOutput(order).data)


def trade_payload(trade: Trade) -> dict[str, Any]:
    from orders.api import TradeOutput

    return dict(TradeOutput(trade).data)


def order_message(order: Order) -> dict[str, Any]:
    return {"type": "order.update", "order": order_payload(order)}


def fill_message(trade: Trade, order: Order) -> dict[str, Any]:
    return {"type": "order.fill", "trade": trade_payload(trade), "order": order_payload(order)}


def broadcast(user_id: int, messages: list[dict[str, Any]]) -> None:
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    group = user_group(user_id)

    async def send_all() -> None:
        for message in messages:
            await layer.group_send(group, message)

    try:
        async_to_sync(send_all)()
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
