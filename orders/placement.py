"""Placement: validate an order, hold what it may spend, and enter it in the exchange."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import translation

from config.bulk import bulk_set
from config.exceptions import DomainError, NotFound, ServiceUnavailable
from market import rules, venue
from market.cache import symbol_cached
from market.clock import market_now
from market.models import Symbol
from market.state import store
from orders.enums import (
    OrderSession,
    OrderSide,
    OrderType,
    TimeInForce,
)
from orders.events import EventBatch
from orders.ledger import reference_price, reservation_for
from orders.messages import (
    ACCOUNT_NOT_FOUND,
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


SELL = OrderSide.SELL.value
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
    """Validate an order and enter it in the exchange. Returns (order, created).

    What the request alone decides is checked here; the rest happens in the book owner's batch, in
    one transaction for every order of the batch (`admit`): the account's cash or shares held and
    the order recorded (status new), before it reaches the book. The exchange's answer — its
    immediate fills, its rest in the book, or its refusal — is booked by `book_order_events` before
    `venue.send` returns, so the order returned is as the exchange left it. The same
    client_order_id on the same account returns the first order with created=False. With owner_id
    the account must be that user's. The exchange away: ServiceUnavailable (503) — if it took the
    order before it went, the order lives, and placing it again with its client_order_id finds it.
    `condition_id`: the conditional order whose trigger placed it (orders.conditions).
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
    request = {
        "account": account_id,
        "owner": owner_id,
        "side": side,
        "type": type,
        "time_in_force": time_in_force,
        "quantity": quantity,
        "price": price,
        "client_order_id": client_order_id,
        "condition": condition_id,
        "upper": band[1],
        "language": translation.get_language(),
    }
    try:
        reply = venue.send(venue.Place(code=sym.code, board=session, request=request))
    except venue.VenueUnavailable as exc:
        raise ServiceUnavailable(exc.message) from None
    answer = reply.answer
    if "refused" in answer:
        refused = answer["refused"]
        error = NotFound if refused["code"] == NotFound.code else DomainError
        raise error(refused["message"], field=refused["field"])
    order = Order.objects.get(pk=answer["order_id"])
    order.symbol = sym  # the row the order was placed on (no join: a third of the read's cost)
    order.queue_ahead = reply.queue_ahead
    return order, answer["created"]


def admit(places: list[venue.Place]) -> list[venue.Admission]:
    """Record a batch of new orders (market.venue's admission, in the book owner's batch): in one
    transaction and a fixed number of statements, every account locked, what each order may spend
    held — a buy's cash at its limit or the upper limit, a sell's shares —, the orders inserted.
    An order is refused with the reason (in its placer's language) when its account is not the
    placer's or what it needs is not there; its client_order_id seen before answers the first order.
    Orders of one account are held in the batch's order, so each sees the holds before it."""
    out: list[venue.Admission | None] = [None] * len(places)
    requests = [place.request for place in places]
    symbols = {place.code: symbol_cached(code=place.code) for place in places}
    events = EventBatch()
    with transaction.atomic():
        ids = sorted({r["account"] for r in requests})
        accounts = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        seen: dict[tuple[int, str], Order | int] = {}
        keyed = Q()
        for r in requests:
            if r["client_order_id"]:
                keyed |= Q(account_id=r["account"], client_order_id=r["client_order_id"])
        if keyed:
            for account_id, key, pk in Order.objects.filter(keyed).values_list("account_id", "client_order_id", "id"):
                seen[(account_id, key)] = pk
        sells = {(r["account"], symbols[p.code].pk) for p, r in zip(places, requests, strict=True) if r["side"] == SELL}
        positions: dict[tuple[int, int], Position] = {}
        if sells:
            rows = Position.objects.filter(account_id__in={a for a, _ in sells}, symbol_id__in={s for _, s in sells})
            positions = {(p.account_id, p.symbol_id): p for p in rows}
        new: list[tuple[int, Order]] = []
        again: list[tuple[int, Order]] = []
        held: dict[int, Position] = {}
        for index, (place, r) in enumerate(zip(places, requests, strict=True)):
            account = accounts.get(r["account"])
            key = (r["account"], r["client_order_id"])
            with translation.override(r["language"]):
                try:
                    if account is None or (r["owner"] is not None and account.owner_id != r["owner"]):
                        raise NotFound(ACCOUNT_NOT_FOUND)
                    if r["client_order_id"] and key in seen:
                        first = seen[key]
                        if isinstance(first, Order):
                            again.append((index, first))  # earlier in this batch
                        else:
                            out[index] = venue.Admission(None, {"order_id": first, "created": False})
                        continue
                    order = Order(
                        account=account,
                        symbol=symbols[place.code],
                        side=r["side"],
                        type=r["type"],
                        time_in_force=r["time_in_force"],
                        quantity=r["quantity"],
                        price=r["price"],
                        session=place.board,
                        client_order_id=r["client_order_id"],
                        condition_id=r["condition"],
                    )
                    position = _hold(account, order, r["upper"], positions.get((account.pk, order.symbol_id)))
                except DomainError as exc:
                    refused = {"code": exc.code, "message": exc.message, "field": exc.field}
                    out[index] = venue.Admission(None, {"refused": refused})
                    continue
            if position is not None:
                held[position.pk] = position
            if r["client_order_id"]:
                seen[key] = order
            new.append((index, order))
        if new:
            Order.objects.bulk_create([order for _, order in new])
            touched = {order.account_id: order.account for _, order in new}
            bulk_set(Account, list(touched.values()), ["reserved_cash"])
            if held:
                now = market_now()
                for position in held.values():
                    position.updated_at = now
                bulk_set(Position, list(held.values()), ["reserved_quantity", "updated_at"])
        for index, order in new:
            events.order(order.account.owner_id, order)
            out[index] = venue.Admission(submit_for(order), {"order_id": order.pk, "created": True})
        for index, first in again:
            out[index] = venue.Admission(None, {"order_id": first.pk, "created": False})
    return out


def submit_for(order: Order) -> venue.Submit:
    """What enters the book for an open order: its open quantity, on its board (a new order, or one
    re-entered after a restart)."""
    return venue.Submit(
        ref=f"o{order.pk}",
        code=order.symbol.code,
        board=order.session,
        side=order.side,
        kind=order.type,
        price=order.price,
        quantity=order.remaining_quantity,
        tif=order.time_in_force.lower(),
        owner=order.account_id,
    )


def _hold(account: Account, order: Order, upper: int, position: Position | None) -> Position | None:
    """Hold what the order may spend: a buy's cash (at its limit, or the upper limit where it may
    become a market order), a sell's shares (returns the position it holds them on). Raises
    DomainError when they are not there."""
    if order.side == OrderSide.BUY:
        needed = reservation_for(order, order.quantity)
        if needed > account.available_cash:
            if order.type == OrderType.LIMIT:
                raise DomainError(
                    NOT_ENOUGH_CASH.format(needed=needed, available=account.available_cash), field="quantity"
                )
            raise DomainError(
                MARKET_BUY_RESERVED.format(upper=upper, needed=needed, available=account.available_cash),
                field="quantity",
            )
        order.reserved_cash = needed
        account.reserved_cash += needed
        return None
    free = position.quantity - position.reserved_quantity if position else 0
    if order.quantity > free:
        raise DomainError(NOT_ENOUGH_SHARES.format(available=free, code=order.symbol.code), field="quantity")
    position.reserved_quantity += order.quantity
    return position
