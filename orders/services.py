"""Every write of the order engine.

Each state change runs in one transaction under the account's row lock (`select_for_update`),
taken before any order or position row, so concurrent placements, cancels and fills of one
account serialise and never deadlock. Events go out after commit (orders.events.EventBatch).

Identity kept by every service (checked by the property tests):
    account.cash == Σ ledger amounts  (every movement is one CashEntry)
    cash + Σ position.cost_basis == Σ deposit/reset entries − Σ buy commissions + Σ realized_pnl
where cost_basis counts prices only and realized_pnl is net of the sell commission and tax, so
equivalently == deposits − all commissions − all taxes + gross realised P&L.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.exceptions import Conflict, DomainError, NotFound
from market import rules, timetable
from market.cache import symbol_cached
from market.clock import market_clock
from market.models import Symbol
from market.state import OrderBook, Quote, store
from market.state import Trade as MarketTrade
from orders import costs, pg
from orders.enums import OPEN_STATUSES, CashEntryKind, OrderSide, OrderStatus, OrderType, TimeInForce
from orders.events import EventBatch
from orders.models import Account, CashEntry, Order, Position, Trade

logger = logging.getLogger(__name__)

MAX_CASH = 10**15  # a quadrillion won: far beyond any paper account, far inside BIGINT
MAX_QUANTITY = 10**9

ACCOUNT_NOT_FOUND = "This account does not exist."
ORDER_NOT_FOUND = "This order does not exist."
AMOUNT_NOT_POSITIVE = "The amount must be a positive whole number of won."
AMOUNT_TOO_LARGE = "The amount is too large for a paper account."
NAME_REQUIRED = "Give the account a name."
QUANTITY_NOT_POSITIVE = "The quantity must be a positive whole number of shares."
QUANTITY_TOO_LARGE = "The quantity is too large."
SYMBOL_UNKNOWN = "There is no listed symbol {code}."
SYMBOL_INACTIVE = "{code} is not listed any more; orders are not accepted."
SYMBOL_NOT_TRADABLE = "Trading in {code} is suspended; orders are not accepted."
NO_REFERENCE_PRICE = "{code} has no reference price yet (no previous close), so today's price limits are unknown."
PRICE_REQUIRED = "A limit order needs a price."
PRICE_NOT_ALLOWED = "A market order takes no price; leave it empty."
PRICE_OFF_TICK = (
    "{price:,} won is not on the tick grid: prices around it move in steps of {tick:,} won (e.g. {down:,} or {up:,})."
)
PRICE_OUTSIDE_BAND = "{price:,} won is outside today's price limits for {code}: {lower:,} to {upper:,} won."
NOT_ENOUGH_CASH = (
    "Not enough cash: this order needs {needed:,} won including commission, {available:,} won are available."
)
NOT_ENOUGH_SHARES = "Not enough shares to sell: you can sell {available:,} of {code} (no short selling)."
BAD_SIDE = "Side must be buy or sell."
BAD_TYPE = "Type must be market or limit."
BAD_TIF = "Time in force must be DAY, IOC or FOK."
ORDER_NOT_OPEN = "Only open orders can be cancelled; this order is {status}."
NO_LIQUIDITY = "No {side} in the order book of {code} right now; the market order was not executed."
FOK_NOT_FILLABLE = "Fill-or-kill: only {available:,} of {quantity:,} shares were available at an acceptable price."
IOC_REMAINDER = "The unfilled rest was cancelled ({tif})."
EXPIRED_AT_CLOSE = "Day order expired at the close."
CANCELLED_BY_RESET = "Cancelled by an account reset."


# --- accounts ---------------------------------------------------------------------------------


def _lock_account(account_id: int, owner_id: int | None = None) -> Account:
    """Call inside transaction.atomic(): the per-account lock every writer takes first.

    With owner_id, another user's account answers NotFound, as if it did not exist.
    """
    accounts = Account.objects.select_for_update()
    if owner_id is not None:
        accounts = accounts.filter(owner_id=owner_id)
    try:
        return accounts.get(pk=account_id)
    except Account.DoesNotExist:
        raise NotFound(ACCOUNT_NOT_FOUND) from None


def _whole_won(amount: object, *, allow_zero: bool = False, field: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError(AMOUNT_NOT_POSITIVE, field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(AMOUNT_NOT_POSITIVE, field=field)
    if amount > MAX_CASH:
        raise DomainError(AMOUNT_TOO_LARGE, field=field)
    return amount


def _entry(
    entries: list[CashEntry],
    account: Account,
    kind: str,
    amount: int,
    now: dt.datetime,
    *,
    order: Order | None = None,
    trade: Trade | None = None,
    note: str = "",
) -> None:
    account.cash += amount
    entries.append(
        CashEntry(
            account=account,
            kind=kind,
            amount=amount,
            balance_after=account.cash,
            order=order,
            trade=trade,
            note=note,
            time=now,
        )
    )


def account_create(*, owner: object, name: str, initial_cash: int | None = None) -> Account:
    from django.conf import settings

    name = (name or "").strip()
    if not name:
        raise DomainError(NAME_REQUIRED, field="name")
    initial = settings.ORDERS_DEFAULT_INITIAL_CASH if initial_cash is None else initial_cash
    initial = _whole_won(initial, allow_zero=True, field="initial_cash")
    now = timezone.now()
    with transaction.atomic():
        account = Account.objects.create(owner=owner, name=name[:100], initial_cash=initial, cash=0)
        entries: list[CashEntry] = []
        if initial:
            _entry(entries, account, CashEntryKind.DEPOSIT, initial, now, note="Opening balance")
            CashEntry.objects.bulk_create(entries)
            account.save(update_fields=["cash"])
    return account


def account_deposit(*, account_id: int, amount: int) -> Account:
    amount = _whole_won(amount)
    with transaction.atomic():
        account = _lock_account(account_id)
        if account.cash + amount > MAX_CASH:
            raise DomainError(AMOUNT_TOO_LARGE, field="amount")
        entries: list[CashEntry] = []
        _entry(entries, account, CashEntryKind.DEPOSIT, amount, timezone.now(), note="Deposit")
        account.total_deposits += amount
        CashEntry.objects.bulk_create(entries)
        account.save(update_fields=["cash", "total_deposits"])
    pg.forget(account.pk)
    return account


def account_reset(*, account_id: int, initial_cash: int | None = None) -> Account:
    """Start the account over: open orders cancelled, positions removed, cash = initial cash."""
    now = timezone.now()
    events = EventBatch()
    with transaction.atomic():
        account = _lock_account(account_id)
        new_cash = (
            account.initial_cash
            if initial_cash is None
            else _whole_won(initial_cash, allow_zero=True, field="initial_cash")
        )
        open_orders = list(Order.objects.select_related("symbol").filter(account=account, status__in=OPEN_STATUSES))
        for order in open_orders:
            order.status = OrderStatus.CANCELLED
            order.reject_reason = CANCELLED_BY_RESET
            order.reserved_cash = 0
            order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
            events.order(account.owner_id, order)
        Position.objects.filter(account=account).delete()
        entries: list[CashEntry] = []
        _entry(entries, account, CashEntryKind.RESET, new_cash - account.cash, now, note="Reset")
        CashEntry.objects.bulk_create(entries)
        account.reserved_cash = 0
        account.initial_cash = new_cash
        account.total_deposits = 0
        account.reset_at = now
        account.save()
    pg.forget(account.pk)
    return account


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fill:
    price: int
    quantity: int


def reference_price(symbol: Symbol, quote: Quote | None = None) -> int | None:
    """Base price of today's band: the symbol master's previous close, else the feed's."""
    if symbol.prev_close:
        return int(symbol.prev_close)
    quote = quote if quote is not None else store().quote(symbol.code)
    return quote.prev_close if quote is not None and quote.prev_close else None


def fills_from_book(
    *,
    side: str,
    limit: int | None,
    quantity: int,
    book: OrderBook | None,
    band: tuple[int, int],
    taken: dict[tuple[str, int], int] | None = None,
) -> list[Fill]:
    """Walk the opposite side of the book level by level (best first) within the limit and band.

    `taken` records depth already consumed by earlier orders on the same tick, so two resting
    orders never both take the same visible shares.
    """
    if book is None or quantity <= 0:
        return []
    buying = side == OrderSide.BUY
    levels = book.asks if buying else book.bids
    fills: list[Fill] = []
    remaining = quantity
    for level in levels:
        if limit is not None and (level.price > limit if buying else level.price < limit):
            break  # levels are sorted best first: the rest are worse still
        if not (band[0] <= level.price <= band[1]):
            continue
        key = (side, level.price)
        used = taken.get(key, 0) if taken is not None else 0
        take = min(remaining, level.quantity - used)
        if take <= 0:
            continue
        fills.append(Fill(level.price, take))
        if taken is not None:
            taken[key] = used + take
        remaining -= take
        if remaining == 0:
            break
    return fills


def _set_avg_cost(position: Position) -> None:
    position.avg_cost = (
        (Decimal(position.cost_basis) / position.quantity).quantize(Decimal("0.0001"))
        if position.quantity
        else Decimal(0)
    )


class Movement(NamedTuple):
    """A ledger row of a fill, before it is written (a CashEntry on SQLite, a JSON row on PostgreSQL)."""

    kind: str
    amount: int
    balance_after: int
    order: Order
    trade: Trade


class _Book:
    """The rows one transaction touches, written once at the end."""

    def __init__(self, account: Account, now: dt.datetime) -> None:
        self.account = account
        self.now = now
        self.entries: list[Movement] = []
        self.trades: list[Trade] = []
        self.positions: dict[int, Position] = {}
        self.new_positions: set[int] = set()
        self.absent: set[int] = set()  # symbols known to have no position row

    def preload(self, symbol: Symbol, position: Position | None) -> None:
        """Use a position already read under the account lock (None: the account has none)."""
        if position is None:
            self.absent.add(symbol.pk)
        else:
            self.positions[symbol.pk] = position

    def position(self, symbol: Symbol) -> Position | None:
        if symbol.pk not in self.positions:
            if symbol.pk in self.absent:
                return None
            position = Position.objects.filter(account=self.account, symbol=symbol).first()
            if position is None:
                return None
            self.positions[symbol.pk] = position
        return self.positions[symbol.pk]

    def position_for_buy(self, symbol: Symbol) -> Position:
        position = self.position(symbol)
        if position is None:
            position = Position(account=self.account, symbol=symbol)
            self.positions[symbol.pk] = position
            self.new_positions.add(symbol.pk)
        return position

    def move(self, kind: str, amount: int, order: Order, trade: Trade) -> None:
        """One cash movement of a fill: the account's cash and its ledger row, in step."""
        self.account.cash += amount
        self.entries.append(Movement(kind, amount, self.account.cash, order, trade))

    def apply_fill(self, order: Order, fill: Fill) -> Trade:
        """Book one fill of `order`: cash, reservation, position, order progress, ledger."""
        account, now = self.account, self.now
        amount = fill.price * fill.quantity
        commission = costs.commission_for(amount)
        tax = 0
        if order.side == OrderSide.SELL:
            tax = costs.sell_tax_for(amount, order.symbol.market, costs.settlement_date(costs.trade_date(now)))
        trade = Trade(
            order=order,
            account=account,
            symbol=order.symbol,
            side=order.side,
            quantity=fill.quantity,
            price=fill.price,
            commission=commission,
            tax=tax,
            time=now,
        )
        self.trades.append(trade)
        order.filled_quantity += fill.quantity
        order.filled_amount += amount
        order.avg_fill_price = (Decimal(order.filled_amount) / order.filled_quantity).quantize(Decimal("0.0001"))
        if order.side == OrderSide.BUY:
            position = self.position_for_buy(order.symbol)
            if order.reserved_cash:
                still_needed = (
                    costs.buy_reservation(order.price, order.remaining_quantity) if order.remaining_quantity else 0
                )
                account.reserved_cash -= order.reserved_cash - still_needed
                order.reserved_cash = still_needed
            self.move(CashEntryKind.BUY, -amount, order, trade)
            if commission:
                self.move(CashEntryKind.COMMISSION, -commission, order, trade)
            position.quantity += fill.quantity
            position.cost_basis += amount
        else:
            position = self.position(order.symbol)
            assert position is not None and position.quantity >= fill.quantity, "sell fill without the shares"
            released = (
                position.cost_basis
                if fill.quantity == position.quantity
                else position.cost_basis * fill.quantity // position.quantity
            )
            self.move(CashEntryKind.SELL, amount, order, trade)
            if commission:
                self.move(CashEntryKind.COMMISSION, -commission, order, trade)
            if tax:
                self.move(CashEntryKind.TAX, -tax, order, trade)
            if order.type == OrderType.LIMIT:
                position.reserved_quantity -= fill.quantity
            position.quantity -= fill.quantity
            position.cost_basis -= released
            position.realized_pnl += amount - released - commission - tax
        _set_avg_cost(position)
        order.status = OrderStatus.FILLED if order.remaining_quantity == 0 else OrderStatus.PARTIALLY_FILLED
        return trade

    def close(self, order: Order, status: str, reason: str = "") -> None:
        """End an order that is still (partly) open: give back what it holds."""
        self.account.reserved_cash -= order.reserved_cash
        order.reserved_cash = 0
        if order.side == OrderSide.SELL and order.type == OrderType.LIMIT and order.remaining_quantity:
            position = self.position(order.symbol)
            if position is not None:
                position.reserved_quantity -= order.remaining_quantity
        order.status = status
        order.reject_reason = reason[:300]

    def save(self) -> None:
        """Write trades, positions, ledger and account (the order is saved by the caller first)."""
        if self.trades:
            Trade.objects.bulk_create(self.trades)
        for symbol_id, position in self.positions.items():
            if symbol_id in self.new_positions:
                position.save(force_insert=True)
            else:
                position.save(
                    update_fields=[
                        "quantity",
                        "reserved_quantity",
                        "cost_basis",
                        "avg_cost",
                        "realized_pnl",
                        "updated_at",
                    ]
                )
        if self.entries:
            CashEntry.objects.bulk_create(
                [
                    CashEntry(
                        account=self.account,
                        kind=m.kind,
                        amount=m.amount,
                        balance_after=m.balance_after,
                        order_id=m.order.pk,
                        trade_id=m.trade.pk,
                        time=self.now,
                    )
                    for m in self.entries
                ]
            )
        self.account.save(update_fields=["cash", "reserved_cash"])
        pg.forget(self.account.pk)


# --- orders ---------------------------------------------------------------------------------------


_CHOICES: dict[type, frozenset[str]] = {}


def _validate_choice(value: str, choices: type, message: str, field: str) -> str:
    allowed = _CHOICES.get(choices)
    if allowed is None:  # Choices.values builds a new list on every access
        allowed = _CHOICES[choices] = frozenset(choices.values)
    if not isinstance(value, str) or value not in allowed:
        raise DomainError(message, field=field)
    return value


def _check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise DomainError(QUANTITY_NOT_POSITIVE, field="quantity")
    if quantity > MAX_QUANTITY:
        raise DomainError(QUANTITY_TOO_LARGE, field="quantity")
    return quantity


def _tradable_symbol(code: str) -> Symbol:
    symbol = symbol_cached(code=code) if isinstance(code, str) else None
    if symbol is None:
        raise DomainError(SYMBOL_UNKNOWN.format(code=code), field="symbol")
    if not symbol.is_active:
        raise DomainError(SYMBOL_INACTIVE.format(code=code), field="symbol")
    if not symbol.is_tradable:
        raise DomainError(SYMBOL_NOT_TRADABLE.format(code=code), field="symbol")
    return symbol


def _check_limit_price(price: object, band: tuple[int, int], code: str) -> int:
    if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise DomainError("The price must be a positive whole number of won.", field="price")
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
) -> tuple[Order, bool]:
    """Validate, reserve and (where the book allows) fill an order. Returns (order, created).

    The same client_order_id on the same account returns the first order with created=False,
    also when two requests race: the second waits for the account lock and then sees the first,
    and the unique constraint backs that up. With owner_id the account must be that user's.
    """
    side = _validate_choice(side, OrderSide, BAD_SIDE, "side")
    type = _validate_choice(type, OrderType, BAD_TYPE, "type")
    time_in_force = _validate_choice(time_in_force, TimeInForce, BAD_TIF, "time_in_force")
    client_order_id = (client_order_id or "").strip()[:64]
    quantity = _check_quantity(quantity)
    if type == OrderType.LIMIT and price is None:
        raise DomainError(PRICE_REQUIRED, field="price")
    if type == OrderType.MARKET and price is not None:
        raise DomainError(PRICE_NOT_ALLOWED, field="price")
    sym = _tradable_symbol(symbol)
    quote = None if sym.prev_close else store().quote(sym.code)
    base = reference_price(sym, quote)
    if base is None:
        raise DomainError(NO_REFERENCE_PRICE.format(code=sym.code), field="symbol")
    band = rules.price_limit_band(base)
    if type == OrderType.LIMIT:
        price = _check_limit_price(price, band, sym.code)

    request = _OrderRequest(sym, side, type, time_in_force, quantity, price, client_order_id)
    try:
        return _place(request, account_id=account_id, owner_id=owner_id, band=band)
    except IntegrityError:
        # Only a writer that bypassed the account lock could have stored this client_order_id
        # meanwhile; the unique constraint stopped the second order, so answer with the first.
        if client_order_id and (first := _existing(account_id, client_order_id)) is not None:
            return first, False
        raise


@dataclass(frozen=True, slots=True)
class _OrderRequest:
    """An order as asked for, validated (symbol tradable, price on the grid and in the band)."""

    sym: Symbol
    side: str
    type: str
    time_in_force: str
    quantity: int
    price: int | None
    client_order_id: str


def _place(
    request: _OrderRequest, *, account_id: int, owner_id: int | None, band: tuple[int, int]
) -> tuple[Order, bool]:
    now = timezone.now()
    sym, client_order_id = request.sym, request.client_order_id
    # Market data, not account state: read before the lock, so the lock is held for less time.
    book = store().book(sym.code)
    fills = fills_from_book(side=request.side, limit=request.price, quantity=request.quantity, book=book, band=band)
    if fills and not _board_continuous(sym.code):
        fills = []  # a call or VI book is not there to trade against
    if connection.vendor != "postgresql":
        events = EventBatch()
        with transaction.atomic():
            account = _lock_account(account_id, owner_id)
            if (first := _existing(account.pk, client_order_id)) is not None:
                return first, False
            books = _Book(account, now)
            order = _decide(books, request, fills)
            order.save(force_insert=True)
            books.save()
            _announce(events, order, books)
        return order, True

    own = pg.own_transaction_possible()
    if own and (snapshot := pg.known_snapshot(account_id=account_id, owner_id=owner_id, symbol=sym)) is not None:
        placed = _place_on_known(request, snapshot, fills, now)
        if placed is not None:
            return placed
    events = EventBatch(on_commit=not own)
    with _pg_transaction(own):  # own: BEGIN with the lock, COMMIT with the write, two round trips in all
        snapshot, first_id = pg.lock_for_order(
            account_id=account_id, owner_id=owner_id, symbol=sym, client_order_id=client_order_id, begin=own
        )
        if first_id is None:
            books = _Book(snapshot.account, now)
            books.preload(sym, snapshot.position)
            order = _decide(books, request, fills)
            if not pg.write_new_order(order, books, snapshot, commit=own, meanwhile=_announcing(events, order, books)):
                raise RuntimeError(f"account {account_id} changed under its lock")  # rolls back
    if first_id is not None:
        return Order.objects.select_related("symbol").get(pk=first_id), False
    if own:
        events.send()
    return order, True


def _place_on_known(
    request: _OrderRequest, snapshot: pg.Snapshot, fills: list[Fill], now: dt.datetime
) -> tuple[Order, bool] | None:
    """Place the order on the account as this process last wrote it, in one statement and one
    round trip, without locking first. None when that is not possible: the account or position
    changed since (the write's guard found other versions and wrote nothing), the order would be
    refused (refusals are decided under the lock, on what is current), or the client_order_id is
    taken. The caller then goes the locked way, which decides again from scratch."""
    books = _Book(snapshot.account, now)
    books.preload(request.sym, snapshot.position)
    try:
        order = _decide(books, request, fills)
    except DomainError:
        return None
    events = EventBatch(on_commit=False)
    try:
        written = pg.write_new_order(order, books, snapshot, alone=True, meanwhile=_announcing(events, order, books))
    except IntegrityError:
        return None
    if not written:
        return None
    events.send()
    return order, True


@contextmanager
def _pg_transaction(own: bool) -> Iterator[None]:
    """The transaction of one placement on PostgreSQL: Django's atomic, or (own) the one that
    orders.pg opens with the lock and commits with the write, rolled back on any failure."""
    if not own:
        with transaction.atomic():
            yield
        return
    try:
        yield
    finally:
        pg.rollback_quietly()  # a no-op after the COMMIT


def _announcing(events: EventBatch, order: Order, books: _Book) -> Callable[[], None]:
    """The order's events, built while its write runs (they need no ids; send() adds them)."""

    def build() -> None:
        _announce(events, order, books)
        events.prepare()

    return build


def _announce(events: EventBatch, order: Order, books: _Book) -> None:
    events.order(books.account.owner_id, order)
    for trade in books.trades:
        events.fill(books.account.owner_id, trade, order)


def _decide(books: _Book, request: _OrderRequest, fills: list[Fill]) -> Order:
    """The order as placed against `fills` (the book's liquidity within its limit and the band),
    with every change to cash, reservations and the position collected in `books`.

    Raises DomainError (nothing changed) when the account cannot pay or has not the shares.
    """
    sym, side, type, time_in_force = request.sym, request.side, request.type, request.time_in_force  # noqa: A001
    quantity, price = request.quantity, request.price
    account = books.account
    order = Order(
        account=account,
        symbol=sym,
        side=side,
        type=type,
        time_in_force=time_in_force,
        quantity=quantity,
        price=price,
        client_order_id=request.client_order_id,
    )
    fillable = sum(f.quantity for f in fills)

    # Funds and shares first: an order that cannot be paid for is refused, not recorded.
    if side == OrderSide.BUY:
        if type == OrderType.LIMIT:
            needed = costs.buy_reservation(price, quantity)
        else:
            needed = sum(f.price * f.quantity + costs.commission_for(f.price * f.quantity) for f in fills)
        if needed > account.available_cash:
            raise DomainError(NOT_ENOUGH_CASH.format(needed=needed, available=account.available_cash), field="quantity")
        if type == OrderType.LIMIT:
            order.reserved_cash = needed
            account.reserved_cash += needed
    else:
        position = books.position(sym)
        free = position.quantity - position.reserved_quantity if position else 0
        if quantity > free:
            raise DomainError(NOT_ENOUGH_SHARES.format(available=free, code=sym.code), field="quantity")
        if type == OrderType.LIMIT:
            position.reserved_quantity += quantity

    if time_in_force == TimeInForce.FOK and fillable < quantity:
        fills = []
        books.close(order, OrderStatus.CANCELLED, FOK_NOT_FILLABLE.format(available=fillable, quantity=quantity))
    elif type == OrderType.MARKET and not fills:
        books.close(
            order,
            OrderStatus.REJECTED,
            NO_LIQUIDITY.format(side="asks" if side == OrderSide.BUY else "bids", code=sym.code),
        )
    for fill in fills:
        books.apply_fill(order, fill)
    if order.is_open and order.remaining_quantity and (type == OrderType.MARKET or time_in_force != TimeInForce.DAY):
        books.close(
            order,
            OrderStatus.CANCELLED,
            IOC_REMAINDER.format(tif="market order" if type == OrderType.MARKET else time_in_force),
        )
    return order


def order_cancel(*, order_id: int) -> Order:
    account_id = Order.objects.filter(pk=order_id).values_list("account_id", flat=True).first()
    if account_id is None:
        raise NotFound(ORDER_NOT_FOUND)
    events = EventBatch()
    with transaction.atomic():
        account = _lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open:
            raise Conflict(ORDER_NOT_OPEN.format(status=order.get_status_display().lower()))
        books = _Book(account, timezone.now())
        books.close(order, OrderStatus.CANCELLED)
        order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
        books.save()
        events.order(account.owner_id, order)
    return order


def order_expire_day_orders(*, before: dt.datetime | None = None) -> int:
    """Expire open DAY orders placed before `before` (default now). Safe to run twice."""
    before = before or timezone.now()
    candidates = list(
        Order.objects.filter(status__in=OPEN_STATUSES, time_in_force=TimeInForce.DAY, created_at__lte=before)
        .order_by("account_id", "id")
        .values_list("id", "account_id")
    )
    expired = 0
    for order_id, account_id in candidates:
        events = EventBatch()
        with transaction.atomic():
            account = _lock_account(account_id)
            order = Order.objects.select_related("symbol").get(pk=order_id)
            if not order.is_open:
                continue
            books = _Book(account, timezone.now())
            books.close(order, OrderStatus.EXPIRED, EXPIRED_AT_CLOSE)
            order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
            books.save()
            events.order(account.owner_id, order)
            expired += 1
    return expired


def order_expire_at_close(*, close: dt.datetime | None = None) -> int:
    """Expire the DAY orders placed before the regular board's last close on the market clock
    (or before `close`, a market time). Safe to run twice: orders placed since stay open."""
    clock = market_clock()
    close = close or timetable.last_regular_close(clock.now())
    return order_expire_day_orders(before=clock.wall_time_of(close))


# --- fills on market ticks ------------------------------------------------------------------------


def _board_continuous(code: str) -> bool:
    """Whether the symbol trades continuously now: a book in a call auction (the opening or closing
    call, after-hours single-price calls) or in a VI is not a book to fill against. The feed's
    quote says so; without one, the market clock's phase does."""
    quote = store().quote(code)
    if quote is None:
        return timetable.phase_at(market_clock().now()) == timetable.CONTINUOUS
    return quote.phase == timetable.CONTINUOUS and quote.vi is None


def orders_match_tick(*, code: str, book: OrderBook | None = None, trade: MarketTrade | None = None) -> int:
    """Fill resting limit orders of one symbol against a new book or a printed trade.

    Book: a buy fills at the ask levels at or below its limit (at those prices), a sell at the
    bid levels at or above it; the visible depth is shared by the orders in time priority.
    Trade: a print at or through the limit fills the order at its limit price (a resting order
    at a better price would have traded first), up to the printed quantity.
    Never outside today's band. Returns the number of fills.
    """
    if book is None and trade is None:
        return 0
    if book is not None:
        best_ask = book.asks[0].price if book.asks else None
        best_bid = book.bids[0].price if book.bids else None
    else:
        best_ask = best_bid = trade.price
    crossing = Q()
    if best_ask is not None:
        crossing |= Q(side=OrderSide.BUY, price__gte=best_ask)
    if best_bid is not None:
        crossing |= Q(side=OrderSide.SELL, price__lte=best_bid)
    if not crossing:
        return 0
    candidates = list(
        Order.objects.filter(crossing, symbol__code=code, status__in=OPEN_STATUSES, type=OrderType.LIMIT)
        .select_related("symbol")
        .order_by("id")
    )
    if not candidates or not _board_continuous(code):
        return 0
    base = reference_price(candidates[0].symbol)
    if base is None:
        return 0
    band = rules.price_limit_band(base)

    # Allocate the visible liquidity in time priority across all accounts first ...
    taken: dict[tuple[str, int], int] = {}
    trade_left = trade.quantity if trade is not None else 0
    planned: dict[int, dict[int, list[Fill]]] = {}
    for order in candidates:
        if book is not None:
            fills = fills_from_book(
                side=order.side, limit=order.price, quantity=order.remaining_quantity, book=book, band=band, taken=taken
            )
        else:
            if trade_left <= 0:
                break
            if not (band[0] <= order.price <= band[1]):
                continue
            take = min(order.remaining_quantity, trade_left)
            fills = [Fill(order.price, take)]
            trade_left -= take
        if fills:
            planned.setdefault(order.account_id, {})[order.pk] = fills

    # ... then book each account's fills in one transaction under its lock. The orders are read
    # again there: one may have been cancelled or filled meanwhile, so fills only ever shrink.
    fills_done = 0
    for account_id, by_order in planned.items():
        events = EventBatch()
        with transaction.atomic():
            account = _lock_account(account_id)
            books = _Book(account, timezone.now())
            changed: list[Order] = []
            for order in Order.objects.select_related("symbol").filter(pk__in=list(by_order)).order_by("id"):
                left = order.remaining_quantity if order.is_open else 0
                trades_before = len(books.trades)
                for fill in by_order[order.pk]:
                    if left <= 0:
                        break
                    books.apply_fill(order, Fill(fill.price, min(fill.quantity, left)))
                    left = order.remaining_quantity
                if len(books.trades) > trades_before:
                    changed.append(order)
                    for t in books.trades[trades_before:]:
                        events.fill(account.owner_id, t, order)
            if not changed:
                continue
            now = timezone.now()
            for order in changed:
                order.updated_at = now
            Order.objects.bulk_update(
                changed,
                ["status", "filled_quantity", "filled_amount", "avg_fill_price", "reserved_cash", "updated_at"],
            )
            books.save()
            fills_done += len(books.trades)
    return fills_done
