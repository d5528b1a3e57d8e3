"""Channels group names and payloads for the `/ws/orders` stream.

Services collect messages while they work and send them once the transaction commits, so a
client never hears of an order or fill that was rolled back. Each user's messages travel as one
`orders.batch` channel-layer message; the consumer sends each event on as its own frame.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import logging
import os
import queue
import threading
import time
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

if TYPE_CHECKING:
    from orders.models import Order, Trade

logger = logging.getLogger(__name__)


# Sent after the commit, once per user and transaction, with the messages of /ws/orders
# (arguments: user_id, events). Receivers run on the committing thread: keep them short.
order_events_committed = Signal()
# A conditional order triggered and its order was placed, or it failed (orders.conditions):
# condition_triggered(user_id, condition: dict, order: dict | None), after commit.
condition_triggered = Signal()


def user_group(user_id: int) -> str:
    return f"orders.user.{user_id}"


def _time(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """As DRF renders a DateTimeField: in the current time zone (Asia/Seoul), ISO 8601."""
    if value is None:
        return None
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def order_payload(order: Order, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """The API's order shape (orders.api.OrderOutput), built by hand: it is on the hot path."""
    tz = tz or timezone.get_current_timezone()
    return {
        "id": order.pk,
        "account": order.account_id,
        "symbol": order.symbol.code,
        "symbol_name": order.symbol.name,
        "side": order.side,
        "type": order.type,
        "time_in_force": order.time_in_force,
        "session": order.session,
        "quantity": order.quantity,
        "price": order.price,
        "status": order.status,
        "reject_reason": order.reject_reason,
        "filled_quantity": order.filled_quantity,
        "avg_fill_price": None if order.avg_fill_price is None else f"{order.avg_fill_price:.4f}",
        "client_order_id": order.client_order_id,
        "queue_ahead": getattr(order, "queue_ahead", None),
        "condition": order.condition_id,
        "created_at": _time(order.created_at, tz),
        "updated_at": _time(order.updated_at, tz),
    }


def trade_payload(trade: Trade, tz: dt.tzinfo | None = None) -> dict[str, Any]:
    """The API's trade shape (orders.api.TradeOutput)."""
    return {
        "id": trade.pk,
        "order": trade.order_id,
        "account": trade.account_id,
        "symbol": trade.symbol.code,
        "symbol_name": trade.symbol.name,
        "side": trade.side,
        "quantity": trade.quantity,
        "price": trade.price,
        "commission": trade.commission,
        "tax": trade.tax,
        "realized_pnl": trade.realized_pnl,
        "time": _time(trade.time, tz),
    }


LINGER = 0.01  # seconds an event may wait for others to share its push
SEND_TIMEOUT = 5.0  # seconds one push may take before it is given up


class _Sender:
    """One thread per process that pushes order events to a cross-process (Redis) channel layer.

    The committing thread only enqueues (microseconds); this thread drains whatever has queued up
    (after waiting LINGER for more) and sends it as one `orders.batch` message per user, in commit
    order. Under load many transactions share one wake-up and one group_send per user, so pushing
    no longer costs each order a Redis round trip or two (nor, as a thread woken per order did, a
    GIL hand-over at every database wait). A send failure is logged and never reaches the trade
    that was already committed. The queue is flushed at interpreter exit (and by `flush()` in tests and commands).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[int, list[dict[str, Any]]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0

    def put(self, user_id: int, messages: list[dict[str, Any]]) -> None:
        self._ensure_started()
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put((user_id, messages))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far has been sent (or given up on)."""
        return self._idle.wait(timeout)

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():  # a forked child starts its own, with a fresh queue
                self._queue = queue.SimpleQueue()
                self._pending = 0
                self._idle.set()
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="orders-events", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                # Let the batch fill: waking this thread costs the committing threads a GIL
                # hand-over each time, so under load it wakes at most 1/LINGER times a second.
                time.sleep(LINGER)
                batch = [first]
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        self._queue.put(None)  # stop after this batch
                        break
                    batch.append(item)
                by_user: dict[int, list[dict[str, Any]]] = {}
                for user_id, messages in batch:
                    by_user.setdefault(user_id, []).extend(messages)
                try:
                    loop.run_until_complete(asyncio.wait_for(_send_batches(by_user), SEND_TIMEOUT))
                except (Exception, asyncio.CancelledError):  # noqa: BLE001 - never undoes a committed trade
                    # Redis down or stuck: drop this batch (the REST API stays the record) rather
                    # than hold every later update behind a dead connection's timeout.
                    logger.warning("could not push order updates to %d user(s)", len(by_user), exc_info=True)
                with self._lock:
                    self._pending -= len(batch)
                    if self._pending <= 0:
                        self._pending = 0
                        self._idle.set()
        finally:
            loop.close()

    def stop(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._queue.put(None)
            thread.join(timeout)


_sender = _Sender()
atexit.register(_sender.stop)


def flush(timeout: float = 5.0) -> bool:
    """Block until the order events queued in this process have gone out. True if they have."""
    return _sender.flush(timeout)


async def _send_batches(by_user: dict[int, list[dict[str, Any]]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id, events in by_user.items():
        await layer.group_send(user_group(user_id), batch_message(events))


def batch_message(events: list[dict[str, Any]]) -> dict[str, Any]:
    """One channel-layer message carrying several order events; the consumer sends each on."""
    return {"type": "orders.batch", "events": events}


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
    if not isinstance(layer, InMemoryChannelLayer):
        _sender.put(user_id, messages)
        return
    group, message = user_group(user_id), batch_message(messages)
    try:
        loop = _delivery_loop
        if loop is not None and loop.is_running() and not _in_running_loop():
            # Runs on the consumers' loop, in order; this thread does not wait for it.
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # noqa: BLE001 - a push failure must never undo a committed trade
        logger.warning("could not push order updates", exc_info=True)


class EventBatch:
    """Messages for one user's stream, sent together after the current transaction commits."""

    def __init__(self) -> None:
        self._by_user: dict[int, list[tuple[Order, Trade | None]]] = {}
        self._registered = False

    def order(self, user_id: int, order: Order) -> None:
        self._add(user_id, (order, None))

    def fill(self, user_id: int, trade: Trade, order: Order) -> None:
        self._add(user_id, (order, trade))

    def _add(self, user_id: int, event: tuple[Order, Trade | None]) -> None:
        self._by_user.setdefault(user_id, []).append(event)
        if not self._registered:
            self._registered = True
            transaction.on_commit(self.send)

    def send(self) -> None:
        try:
            messages = self._build()
        except Exception:  # noqa: BLE001 - a push failure must never undo a committed trade
            logger.exception("could not build order updates")
            return
        for user_id, user_messages in messages.items():
            broadcast(user_id, user_messages)
            if order_events_committed.receivers:
                order_events_committed.send_robust(sender=EventBatch, user_id=user_id, events=user_messages)

    def _build(self) -> dict[int, list[dict[str, Any]]]:
        # An order's payload is the same in its update and in each of its fills: built once.
        tz = timezone.get_current_timezone()
        orders: dict[int, dict[str, Any]] = {}
        built: dict[int, list[dict[str, Any]]] = {}
        for user_id, events in self._by_user.items():
            messages = built[user_id] = []
            for order, trade in events:
                payload = orders.get(id(order))
                if payload is None:
                    payload = orders[id(order)] = order_payload(order, tz)
                if trade is None:
                    messages.append({"type": "order.update", "order": payload})
                else:
                    messages.append({"type": "order.fill", "trade": trade_payload(trade, tz), "order": payload})
        return built
