"""An order's life after placement: 정정 and cancels sent to the exchange, what the exchange did
with users' orders booked into the ledger, expiry, and the orders a restarted exchange re-enters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from config.bulk import bulk_set
from config.exceptions import Conflict, DomainError, NotFound, ServiceUnavailable
from market import rules, timetable, venue
from market.clock import market_now
from market.exchange.types import from_micros
from orders.enums import (
    OPEN_STATUSES,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from orders.events import EventBatch
from orders.ledger import Fill, Ledger, lock_account, reference_price, reservation_for, save_ledgers
from orders.messages import (
    CANCEL_REASONS,
    CANCEL_TOO_MANY,
    EXPIRED_AT_CLOSE,
    MODIFY_NOTHING,
    NOT_ENOUGH_CASH,
    NOT_ENOUGH_SHARES,
    ORDER_NOT_FOUND,
    ORDER_NOT_OPEN,
    PRICE_NOT_ALLOWED,
)
from orders.models import Account, Order, Position, Trade
from orders.placement import PRICED, check_limit_price, check_quantity, submit_for


def _open_order(order_id: int, owner_id: int | None = None) -> Order:
    order = Order.objects.select_related("symbol", "account").filter(pk=order_id).first()
    if order is None or (owner_id is not None and order.account.owner_id != owner_id):
        raise NotFound(ORDER_NOT_FOUND)
    if not order.is_open:
        raise Conflict(ORDER_NOT_OPEN.format(status=order.get_status_display()))
    return order


def _exchange(command: venue.Command) -> venue.Reply:
    try:
        return venue.send(command)
    except venue.VenueUnavailable as exc:
        raise ServiceUnavailable(exc.message) from None


def order_cancel(*, order_id: int, quantity: int | None = None, owner_id: int | None = None) -> Order:
    """Cancel an open order, or `quantity` of it (a partial cancel keeps its time priority)."""
    order = _open_order(order_id, owner_id)
    if quantity is not None:
        quantity = check_quantity(quantity)
        if quantity > order.remaining_quantity:
            raise DomainError(CANCEL_TOO_MANY.format(open=order.remaining_quantity), field="quantity")
        if quantity == order.remaining_quantity:
            quantity = None
    reply = _exchange(venue.Cancel(ref=f"o{order.pk}", code=order.symbol.code, board=order.session, quantity=quantity))
    refused = next((e for e in reply.events if e["type"] == "rejected"), None)
    if refused is not None and refused.get("reason") == "unknown_order":
        # The book no longer holds it (it ended there while this process was not listening):
        # the order ends here too.
        _end(order.pk, OrderStatus.CANCELLED, "")
    elif refused is not None:
        raise DomainError(refused["message"])
    order = Order.objects.select_related("symbol").get(pk=order.pk)
    order.queue_ahead = reply.queue_ahead if order.is_open else None
    return order


def order_modify(
    *, order_id: int, price: int | None = None, quantity: int | None = None, owner_id: int | None = None
) -> Order:
    """정정: a new price and/or open quantity. A new price or a larger quantity loses time priority
    (유가증권시장 업무규정 제22조②), a smaller quantity keeps it. More cash or shares are held
    first; what the change does not need is given back when the exchange confirms it."""
    if price is None and quantity is None:
        raise DomainError(MODIFY_NOTHING)
    order = _open_order(order_id, owner_id)
    if price is not None:
        if order.type not in PRICED:
            raise DomainError(PRICE_NOT_ALLOWED, field="price")
        base = reference_price(order.symbol)
        price = check_limit_price(price, rules.price_limit_band(base), order.symbol.code)
    if quantity is not None:
        quantity = check_quantity(quantity)
    extra = 0
    with transaction.atomic():
        account = lock_account(order.account_id)
        order = Order.objects.select_related("symbol").get(pk=order.pk)
        if not order.is_open:
            raise Conflict(ORDER_NOT_OPEN.format(status=order.get_status_display()))
        open_after = quantity if quantity is not None else order.remaining_quantity
        if order.side == OrderSide.BUY:
            planned = Order(symbol=order.symbol, type=order.type, price=price or order.price)
            needed = reservation_for(planned, open_after, filled_amount=order.filled_amount)
            extra = needed - order.reserved_cash
            if extra > account.available_cash:
                raise DomainError(
                    NOT_ENOUGH_CASH.format(needed=extra, available=account.available_cash), field="quantity"
                )
            if extra > 0:
                order.reserved_cash += extra
                account.reserved_cash += extra
                account.save(update_fields=["reserved_cash"])
                order.save(update_fields=["reserved_cash", "updated_at"])
        elif open_after > order.remaining_quantity:
            position = Position.objects.select_for_update().get(account=account, symbol=order.symbol)
            extra = open_after - order.remaining_quantity
            if extra > position.quantity - position.reserved_quantity:
                raise DomainError(
                    NOT_ENOUGH_SHARES.format(
                        available=position.quantity - position.reserved_quantity, code=order.symbol.code
                    ),
                    field="quantity",
                )
            position.reserved_quantity += extra
            position.save(update_fields=["reserved_quantity", "updated_at"])
            order.quantity += extra  # held now; the exchange's answer sets the final figure
            order.save(update_fields=["quantity", "updated_at"])
    reply = _exchange(
        venue.Modify(ref=f"o{order.pk}", code=order.symbol.code, board=order.session, price=price, quantity=quantity)
    )
    refused = next((e for e in reply.events if e["type"] == "rejected"), None)
    _release_surplus(order.pk, shares_held=extra if refused is not None and order.side == OrderSide.SELL else 0)
    if refused is not None:
        raise DomainError(refused["message"])
    order = Order.objects.select_related("symbol").get(pk=order.pk)
    order.queue_ahead = reply.queue_ahead if order.is_open else None
    return order


def _release_surplus(order_id: int, *, shares_held: int = 0) -> None:
    """Give back what a modify held beyond what the order needs now: a buy's surplus cash, or the
    `shares_held` for a larger sell the exchange refused."""
    with transaction.atomic():
        account_id = Order.objects.filter(pk=order_id).values_list("account_id", flat=True).get()
        account = lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open:
            return
        if order.side == OrderSide.BUY:
            exact = reservation_for(order, order.remaining_quantity, filled_amount=order.filled_amount)
            if exact < order.reserved_cash:
                account.reserved_cash -= order.reserved_cash - exact
                order.reserved_cash = exact
                account.save(update_fields=["reserved_cash"])
                order.save(update_fields=["reserved_cash", "updated_at"])
        elif shares_held:
            position = Position.objects.select_for_update().get(account=account, symbol=order.symbol)
            position.reserved_quantity -= shares_held
            position.save(update_fields=["reserved_quantity", "updated_at"])
            order.quantity -= shares_held
            order.save(update_fields=["quantity", "updated_at"])


def _end(order_id: int, status: str, reason: str) -> None:
    with transaction.atomic():
        account_id = Order.objects.filter(pk=order_id).values_list("account_id", flat=True).get()
        account = lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open:
            return
        books = Ledger(account, market_now())
        books.close(order, status, reason)
        order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
        books.save()
        EventBatch().order(account.owner_id, order)


# --- what the exchange did ------------------------------------------------------------------------


def _refs(event: dict[str, Any]) -> list[str]:
    if event["type"] == "traded":
        return [r for r in (event["buy_order_id"], event["sell_order_id"]) if venue.is_user_ref(r)]
    return [event["order_id"]] if venue.is_user_ref(event.get("order_id")) else []


def book_order_events(*, events: list[dict[str, Any]]) -> int:
    """Book what the exchange did with users' orders (market.signals.order_events): fills, the
    rest of IOC/FOK orders, cancels, expiries, modifications — of one batch of commands, in one
    transaction and a fixed number of statements however many orders and accounts it touches: the
    accounts locked in one statement, their orders and positions read in one each, each order's
    events applied in the exchange's order, every kind of row written in one statement. A fill is
    booked once (its `exec_id`), so a redelivery changes nothing. Returns the number of fills booked."""
    by_order: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        for ref in _refs(event):
            by_order.setdefault(int(ref[1:]), []).append(event)
    if not by_order:
        return 0
    if all(e["type"] == "accepted" for order_events in by_order.values() for e in order_events):
        # They rest: only their places in the queue. (SQLite: every write inside BEGIN IMMEDIATE.)
        with transaction.atomic():
            resting = [Order(pk=order_id, queue_key=changes[-1]["queue_key"]) for order_id, changes in by_order.items()]
            bulk_set(Order, resting, ["queue_key"])
        return 0
    batch = EventBatch()
    fills = 0
    with transaction.atomic():
        # The accounts' rows locked first (the lock every writer takes first), then their orders read:
        # read in the locking statement, an order could be the version from before the lock's wait.
        of_orders = Order.objects.filter(pk__in=list(by_order)).values("account_id")
        accounts = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=of_orders).order_by("pk")}
        orders = list(Order.objects.select_related("symbol").filter(pk__in=list(by_order)).order_by("account_id", "id"))
        again = [o.pk for o in orders if o.filled_quantity]  # redeliveries: what was booked already
        seen = set(Trade.objects.filter(order_id__in=again).exclude(exec_id="").values_list("exec_id", flat=True))
        positions = {
            (p.account_id, p.symbol_id): p
            for p in Position.objects.filter(account_id__in=accounts, symbol_id__in={o.symbol_id for o in orders})
        }
        now = market_now()
        ledgers: dict[int, Ledger] = {}
        changed: list[Order] = []
        for order in orders:
            ledger = ledgers.get(order.account_id)
            if ledger is None:
                ledger = ledgers[order.account_id] = Ledger(accounts[order.account_id], now)
            if order.symbol_id not in ledger.positions and order.symbol_id not in ledger.absent:
                ledger.preload(order.symbol, positions.get((order.account_id, order.symbol_id)))
            order.account = ledger.account  # one instance per account
            booked = _apply(ledger, order, by_order[order.pk], seen)
            if booked is not None:
                fills += booked
                changed.append(order)
        save_ledgers(list(ledgers.values()), changed)
        filled = {trade.order_id for ledger in ledgers.values() for trade in ledger.trades}
        for ledger in ledgers.values():
            for trade in ledger.trades:  # a fill's message carries its order as it stands
                batch.fill(ledger.account.owner_id, trade, trade.order)
        for order in changed:
            if order.pk not in filled:
                batch.order(order.account.owner_id, order)
    return fills


def _apply(books: Ledger, order: Order, events: list[dict[str, Any]], seen: set[str]) -> int | None:
    """One order's events on its account's ledger; the fills booked, None if nothing changed."""
    account = books.account
    fills = 0
    changed = False
    for event in events:
        kind = event["type"]
        if not order.is_open:
            break
        if kind == "accepted":
            order.queue_key = event["queue_key"]
            changed = True
            if order.price is None and event.get("price") and order.type in (OrderType.BEST, OrderType.PRIORITY):
                order.price = event["price"]  # 최유리/최우선: priced on arrival
                if order.side == OrderSide.BUY:
                    exact = reservation_for(order, order.remaining_quantity, filled_amount=order.filled_amount)
                    account.reserved_cash -= order.reserved_cash - exact
                    order.reserved_cash = exact
        elif kind == "traded":
            if event["exec_id"] in seen:
                continue
            take = min(event["quantity"], order.remaining_quantity)
            if take <= 0:
                continue
            trade = books.apply_fill(order, Fill(event["price"], take, from_micros(event["at"])))
            trade.exec_id = event["exec_id"]
            seen.add(event["exec_id"])
            fills += 1
            changed = True
        elif kind == "refused":  # the book did not take it (a closed board, no book, an error)
            books.close(order, OrderStatus.REJECTED, event.get("message") or event["reason"])
            changed = True
        elif kind == "cancelled":
            if event["remaining"] == 0:
                status = OrderStatus.EXPIRED if event["reason"] == "expired" else OrderStatus.CANCELLED
                books.close(order, status, CANCEL_REASONS.get(event["reason"], event["reason"]))
            else:
                _shrink(books, order, order.filled_quantity + event["remaining"])
            changed = True
        elif kind == "modified":
            if not event["priority_kept"]:
                order.queue_key = event["queue_key"]
            if order.type != OrderType.MARKET:  # a market order's book price is not a limit
                # None: a 조건부지정가 became a market order for the closing call
                order.price = event["price"]
            _shrink(books, order, order.filled_quantity + event["quantity"])
            changed = True
    return fills if changed else None


def _shrink(books: Ledger, order: Order, quantity: int) -> None:
    """The order's quantity is now `quantity` (a partial cancel or a modify): hold what that needs."""
    account = books.account
    if order.side == OrderSide.SELL:
        position = books.position(order.symbol)
        if position is not None:
            position.reserved_quantity -= order.quantity - quantity
    order.quantity = quantity
    if order.side == OrderSide.BUY:
        exact = reservation_for(order, order.remaining_quantity, filled_amount=order.filled_amount)
        account.reserved_cash -= order.reserved_cash - exact
        order.reserved_cash = exact


def resting_commands() -> list[venue.Submit]:
    """The open orders of today's session for the exchange to re-enter after a restart, in the time
    priority the exchange gave them (`queue_key`). Older DAY orders are expired instead."""
    closed = timetable.last_regular_close(market_now())
    order_expire_at_close(close=closed)
    resting = Order.objects.filter(status__in=OPEN_STATUSES).select_related("symbol").order_by("queue_key", "id")
    return [submit_for(order) for order in resting]


def order_expire_day_orders(*, before: dt.datetime | None = None) -> int:
    """Expire open DAY orders placed before `before` (a market time; default now). Safe to run twice."""
    before = before or market_now()
    candidates = list(
        Order.objects.filter(status__in=OPEN_STATUSES, time_in_force=TimeInForce.DAY, created_at__lte=before)
        .order_by("account_id", "id")
        .values_list("id", "account_id")
    )
    expired = 0
    for order_id, account_id in candidates:
        events = EventBatch()
        with transaction.atomic():
            account = lock_account(account_id)
            order = Order.objects.select_related("symbol").get(pk=order_id)
            if not order.is_open:
                continue
            books = Ledger(account, market_now())
            books.close(order, OrderStatus.EXPIRED, EXPIRED_AT_CLOSE)
            order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
            books.save()
            events.order(account.owner_id, order)
            expired += 1
    return expired


def order_expire_at_close(*, close: dt.datetime | None = None) -> int:
    """Expire the DAY orders placed before the regular board's last close on the market clock
    (or before `close`, a market time). Safe to run twice: orders placed since stay open."""
    return order_expire_day_orders(before=close or timetable.last_regular_close(market_now()))


def orders_queue_ahead(*, orders: list[Order]) -> None:
    """Set `queue_ahead` on each order (as `order_queue_ahead` would), asking the exchange about
    the open ones in one batch: a list page costs one round trip, not one per order."""
    open_orders = [order for order in orders if order.is_open]
    for order in orders:
        order.queue_ahead = None
    commands = [venue.Inspect(ref=f"o{o.pk}", code=o.symbol.code, board=o.session) for o in open_orders]
    for order, reply in zip(open_orders, venue.send_all(commands, timeout=1), strict=True):
        order.queue_ahead = None if isinstance(reply, venue.VenueUnavailable) else reply.queue_ahead


def order_queue_ahead(*, order: Order) -> int | None:
    """Shares ahead of a resting order at its price, as the exchange holds it (None: not resting,
    or the exchange is away — a read, so its absence is not an error here)."""
    if not order.is_open:
        return None
    try:
        reply = venue.send(venue.Inspect(ref=f"o{order.pk}", code=order.symbol.code, board=order.session), timeout=1)
    except venue.VenueUnavailable:
        return None
    return reply.queue_ahead
