"""Placement: validate an order, hold what it may spend, and enter it in the exchange."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import DomainError, ServiceUnavailable
from market import rules, venue
from market.cache import symbol_cached
from market.models import Symbol
from market.state import store
from orders.enums import (
    OrderSession,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from orders.events import EventBatch
from orders.ledger import Ledger, lock_account, reference_price, reservation_for
from orders.messages import (
    BAD_SESSION,
    BAD_SIDE,
    BAD_TIF,
    BAD_TYPE,
    MARKET_BUY_RESERVED,
    MAX_QUANTITY,
    NO_REFERENCE_PRICE,
    NOT_ENOUGH_CASH,
    NOT_ENOUGH_SHARES,
    PRICE_NOT_ALLOWED,
    PRICE_NOT_POSITIVE,
    PRICE_OFF_TICK,
    PRICE_OUTSIDE_BAND,
    PRICE_REQUIRED,
    QUANTITY_NOT_POSITIVE,
    QUANTITY_TOO_LARGE,
    SYMBOL_INACTIVE,
    SYMBOL_NOT_TRADABLE,
    SYMBOL_UNKNOWN,
)
from orders.models import Account, Order, Position

# --- orders ---------------------------------------------------------------------------------------


_CHOICES: dict[type, frozenset[str]] = {}


def validate_choice(value: str, choices: type, message: str, field: str) -> str:
    allowed = _CHOICES.get(choices)
    if allowed is None:  # Choices.values builds a new list on every access
        allowed = _CHOICES[choices] = frozenset(choices.values)
    if not isinstance(value, str) or value not in allowed:
        raise DomainError(message, field=field)
    return value


def check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise DomainError(QUANTITY_NOT_POSITIVE, field="quantity")
    if quantity > MAX_QUANTITY:
        raise DomainError(QUANTITY_TOO_LARGE, field="quantity")
    return quantity


def tradable_symbol(code: str) -> Symbol:
    symbol = symbol_cached(code=code) if isinstance(code, str) else None
    if symbol is None:
        raise DomainError(SYMBOL_UNKNOWN.format(code=code), field="symbol")
    if not symbol.is_active:
        raise DomainError(SYMBOL_INACTIVE.format(code=code), field="symbol")
    if not symbol.is_tradable:
        raise DomainError(SYMBOL_NOT_TRADABLE.format(code=code), field="symbol")
    return symbol


def check_limit_price(price: object, band: tuple[int, int], code: str) -> int:
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise DomainError(PRICE_NOT_POSITIVE, field="price")
    if not rules.is_on_tick(price):
        down = rules.round_to_tick(price, "down")
        raise DomainError(
            PRICE_OFF_TICK.format(price=price, tick=rules.tick_size_for(down), down=down, up=rules.tick_up(down)),
            field="price",
        )
    if not (band[0] <= price <= band[1]):
        raise DomainError(
            PRICE_OUTSIDE_BAND.format(price=price, code=code, lower=band[0], upper=band[1]), field="price"
        )
    return price


def _existing(account_id: int, client_order_id: str) -> Order | None:
    if not client_order_id:
        return None
    return Order.objects.select_related("symbol").filter(account_id=account_id, client_order_id=client_order_id).first()


PRICED = (OrderType.LIMIT, OrderType.CONDITIONAL)  # the types that carry a price


def order_place(
    *,
    account_id: int,
    symbol: str,
    side: str,
    type: str,  # noqa: A002 - the API's field name
    quantity: int,
    time_in_force: str = TimeInForce.DAY,
    price: int | None = None,
    client_order_id: str = "",
    owner_id: int | None = None,
    session: str = "regular",
    condition_id: int | None = None,
) -> tuple[Order, bool]:
    """Validate and reserve an order, then enter it in the exchange. Returns (order, created).

    The order is recorded (status new, its cash or shares held) before it reaches the book; the
    exchange's answer — its immediate fills, its rest in the book, or its refusal — is booked by
    `book_order_events` before `venue.send` returns, so the order returned is as the exchange left
    it. The same client_order_id on the same account returns the first order with created=False.
    With owner_id the account must be that user's. The exchange away: the order is refused and
    ServiceUnavailable (503) raised; nothing stays held. `condition_id`: the conditional order
    whose trigger placed it (orders.conditions).
    """
    side = validate_choice(side, OrderSide, BAD_SIDE, "side")
    type = validate_choice(type, OrderType, BAD_TYPE, "type")
    time_in_force = validate_choice(time_in_force, TimeInForce, BAD_TIF, "time_in_force")
    session = validate_choice(session, OrderSession, BAD_SESSION, "session")
    client_order_id = (client_order_id or "").strip()[:64]
    quantity = check_quantity(quantity)
    if type in PRICED and price is None:
        raise DomainError(PRICE_REQUIRED, field="price")
    if type not in PRICED and price is not None:
        raise DomainError(PRICE_NOT_ALLOWED, field="price")
    sym = tradable_symbol(symbol)
    quote = None if sym.prev_close else store().quote(sym.code)
    base = reference_price(sym, quote)
    if base is None:
        raise DomainError(NO_REFERENCE_PRICE.format(code=sym.code), field="symbol")
    band = rules.price_limit_band(base)
    if type in PRICED:
        price = check_limit_price(price, band, sym.code)

    events = EventBatch()
    try:
        with transaction.atomic():
            account = lock_account(account_id, owner_id)
            if (first := _existing(account.pk, client_order_id)) is not None:
                return first, False
            order = Order(
                account=account,
                symbol=sym,
                side=side,
                type=type,
                time_in_force=time_in_force,
                quantity=quantity,
                price=price,
                session=session,
                client_order_id=client_order_id,
                condition_id=condition_id,
            )
            _hold(account, order, band)
            order.save(force_insert=True)
            events.order(account.owner_id, order)
    except IntegrityError:
        # Only a writer that bypassed the account lock could have stored this client_order_id
        # meanwhile; the unique constraint stopped the second order, so answer with the first.
        if client_order_id and (first := _existing(account_id, client_order_id)) is not None:
            return first, False
        raise
    command = venue.Submit(
        ref=f"o{order.pk}",
        code=sym.code,
        board=session,
        side=side,
        kind=type,
        price=price,
        quantity=quantity,
        tif=time_in_force.lower(),
        owner=account.pk,
    )
    try:
        reply = venue.send(command)
    except venue.VenueUnavailable as exc:
        _refuse(order.pk, exc.message)
        raise ServiceUnavailable(exc.message) from None
    refused = next((e for e in reply.events if e["type"] == "rejected"), None)
    if refused is not None:
        _refuse(order.pk, refused["message"])
    order = Order.objects.select_related("symbol").get(pk=order.pk)
    order.queue_ahead = reply.queue_ahead
    return order, True


def _hold(account: Account, order: Order, band: tuple[int, int]) -> None:
    """Hold what the order may spend: a buy's cash (at its limit, or the upper limit where it may
    become a market order), a sell's shares. Raises DomainError when they are not there."""
    if order.side == OrderSide.BUY:
        needed = reservation_for(order, order.quantity)
        if needed > account.available_cash:
            if order.type == OrderType.LIMIT:
                raise DomainError(
                    NOT_ENOUGH_CASH.format(needed=needed, available=account.available_cash), field="quantity"
                )
            raise DomainError(
                MARKET_BUY_RESERVED.format(upper=band[1], needed=needed, available=account.available_cash),
                field="quantity",
            )
        order.reserved_cash = needed
        account.reserved_cash += needed
        account.save(update_fields=["reserved_cash"])
        return
    position = Position.objects.select_for_update().filter(account=account, symbol=order.symbol).first()
    free = position.quantity - position.reserved_quantity if position else 0
    if order.quantity > free:
        raise DomainError(NOT_ENOUGH_SHARES.format(available=free, code=order.symbol.code), field="quantity")
    position.reserved_quantity += order.quantity
    position.save(update_fields=["reserved_quantity", "updated_at"])


def _refuse(order_id: int, reason: str) -> None:
    """The exchange refused the order (or was away): end it and give back what it holds."""
    events = EventBatch()
    with transaction.atomic():
        account_id = Order.objects.filter(pk=order_id).values_list("account_id", flat=True).get()
        account = lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open or order.filled_quantity:
            return
        books = Ledger(account, timezone.now())
        books.close(order, OrderStatus.REJECTED, reason)
        order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
        books.save()
        events.order(account.owner_id, order)
