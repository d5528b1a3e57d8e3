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
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import Conflict, DomainError, NotFound, ServiceUnavailable
from market import rules, timetable, venue
from market.cache import symbol_cached
from market.clock import market_clock
from market.models import Symbol
from market.state import Quote, store
from orders import costs
from orders.enums import (
    LIVE_CONDITION_STATUSES,
    OPEN_STATUSES,
    CashEntryKind,
    ConditionStatus,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from orders.events import EventBatch
from orders.models import Account, CashEntry, Condition, Order, Position, Trade

logger = logging.getLogger(__name__)

MAX_CASH = 10**15  # a quadrillion won: far beyond any paper account, far inside BIGINT
MAX_QUANTITY = 10**9

ACCOUNT_NOT_FOUND = "계좌를 찾을 수 없습니다."
ORDER_NOT_FOUND = "주문을 찾을 수 없습니다."
AMOUNT_NOT_POSITIVE = "금액은 1원 이상의 정수로 입력해 주세요."
AMOUNT_TOO_LARGE = "모의투자 계좌에 넣을 수 있는 금액을 넘었습니다."
NAME_REQUIRED = "계좌 이름을 입력해 주세요."
QUANTITY_NOT_POSITIVE = "수량은 1주 이상의 정수로 입력해 주세요."
QUANTITY_TOO_LARGE = "주문 수량이 너무 많습니다."
SYMBOL_UNKNOWN = "{code} 종목을 찾을 수 없습니다."
SYMBOL_INACTIVE = "{code} 종목은 상장폐지되어 주문할 수 없습니다."
SYMBOL_NOT_TRADABLE = "{code} 종목은 거래정지 중이라 주문할 수 없습니다."
NO_REFERENCE_PRICE = "{code} 종목은 아직 기준가(전일 종가)가 없어 오늘의 가격제한폭을 알 수 없습니다."
PRICE_REQUIRED = "지정가·조건부지정가 주문은 가격을 입력해 주세요."
PRICE_NOT_ALLOWED = "시장가·최유리·최우선지정가 주문은 가격을 입력하지 않습니다."
PRICE_OFF_TICK = (
    "{price:,}원은 호가단위에 맞지 않습니다: 이 가격대의 호가단위는 {tick:,}원입니다(예: {down:,}원 또는 {up:,}원)."
)
PRICE_OUTSIDE_BAND = "{price:,}원은 {code}의 오늘 가격제한폭({lower:,}원~{upper:,}원)을 벗어납니다."
NOT_ENOUGH_CASH = (
    "주문가능금액이 부족합니다: 이 주문에는 수수료를 포함해 {needed:,}원이 필요하고, "
    "주문가능금액은 {available:,}원입니다."
)
NOT_ENOUGH_SHARES = "매도 가능 수량이 부족합니다: {code}은(는) {available:,}주까지 매도할 수 있습니다(공매도 불가)."
BAD_SIDE = "매매 구분은 buy(매수) 또는 sell(매도)입니다."
BAD_TYPE = (
    "주문 유형은 limit(지정가), market(시장가), conditional(조건부지정가), best(최유리지정가), "
    "priority(최우선지정가) 중 하나입니다."
)
BAD_TIF = "주문 조건은 DAY, IOC, FOK 중 하나입니다."
ORDER_NOT_OPEN = "미체결 주문만 정정·취소할 수 있습니다. 이 주문은 {status} 상태입니다."
EXPIRED_AT_CLOSE = "장 종료로 주문이 만료되었습니다."
MARKET_BUY_RESERVED = (
    "시장가·최유리·조건부지정가 매수는 상한가({upper:,}원) 기준으로 주문가능금액을 확인합니다: "
    "{needed:,}원이 필요하고, 주문가능금액은 {available:,}원입니다."
)
PRICE_NOT_POSITIVE = "가격은 0보다 큰 원 단위 정수로 입력해 주세요."
MODIFY_NOTHING = "정정할 가격이나 수량을 입력해 주세요."
CANCEL_TOO_MANY = "취소 수량은 미체결 수량({open:,}주) 이하여야 합니다."
BAD_SESSION = "주문 세션은 regular(정규장), close_price(시간외 종가), single_price(시간외 단일가) 중 하나입니다."
CANCEL_REASONS = {
    "ioc": "즉시체결되지 않은 잔량이 취소되었습니다(IOC).",
    "fok": "전량 체결할 수 없어 주문이 취소되었습니다(FOK).",
    "expired": "장 종료로 주문이 만료되었습니다.",
    "user": "",
}
CANCELLED_BY_RESET = "계좌 초기화로 주문이 취소되었습니다."


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
    return account


def account_reset(*, account_id: int, initial_cash: int | None = None) -> Account:
    """Start the account over: open orders and conditions cancelled, positions removed, cash =
    initial cash."""
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
        Condition.objects.filter(account=account, status__in=LIVE_CONDITION_STATUSES).update(
            status=ConditionStatus.CANCELLED, message=CANCELLED_BY_RESET, updated_at=now
        )
        entries: list[CashEntry] = []
        _entry(entries, account, CashEntryKind.RESET, new_cash - account.cash, now, note="Reset")
        CashEntry.objects.bulk_create(entries)
        account.reserved_cash = 0
        account.initial_cash = new_cash
        account.total_deposits = 0
        account.reset_at = now
        account.save()
    for order in open_orders:  # take them out of the book too (if it is away, their fills are dropped)
        try:
            venue.send(venue.Cancel(ref=f"o{order.pk}", code=order.symbol.code, board=order.session))
        except venue.VenueUnavailable:
            logger.warning("account %s reset: the exchange is away; order %s stays in its book", account.pk, order.pk)
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


def _set_avg_cost(position: Position) -> None:
    position.avg_cost = (
        (Decimal(position.cost_basis) / position.quantity).quantize(Decimal("0.0001"))
        if position.quantity
        else Decimal(0)
    )


def reservation_price(order: Order) -> int:
    """The price a buy's cash is held at: its limit, or (market, 최유리 before it is priced,
    조건부지정가 which may become a market order) today's upper limit, as brokers hold it."""
    if order.type in (OrderType.LIMIT, OrderType.BEST, OrderType.PRIORITY) and order.price:
        return order.price
    base = reference_price(order.symbol)
    return rules.price_limit_band(base)[1] if base else (order.price or 0)


def reservation_for(order: Order, open_quantity: int, *, filled_amount: int = 0) -> int:
    """Cash a buy holds for `open_quantity` more shares: their amount at the reservation price plus
    the commission the order's total will owe beyond what its fills so far paid."""
    if open_quantity <= 0:
        return 0
    amount = reservation_price(order) * open_quantity
    return amount + costs.commission_for(filled_amount + amount) - costs.commission_for(filled_amount)


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
        # Commission and tax on the order's total, not floored fill by fill: splitting an order
        # into many fills must not save any (each fill pays the total's increase).
        before, after = order.filled_amount, order.filled_amount + amount
        commission = costs.commission_for(after) - costs.commission_for(before)
        tax = 0
        if order.side == OrderSide.SELL:
            settles = costs.settlement_date(costs.trade_date(now))
            market = order.symbol.market
            tax = costs.sell_tax_for(after, market, settles) - costs.sell_tax_for(before, market, settles)
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
                still_needed = reservation_for(order, order.remaining_quantity, filled_amount=order.filled_amount)
                account.reserved_cash -= order.reserved_cash - still_needed
                order.reserved_cash = still_needed
            self.move(CashEntryKind.BUY, -amount, order, trade)
            if commission:
                self.move(CashEntryKind.COMMISSION, -commission, order, trade)
            position.quantity += fill.quantity
            position.cost_basis += amount
            position.realized_pnl -= commission  # expensed: realised + unrealised = total P&L
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
        if order.side == OrderSide.SELL and order.remaining_quantity:
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


BOARDS = ("regular", "close_price", "single_price")
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
    side = _validate_choice(side, OrderSide, BAD_SIDE, "side")
    type = _validate_choice(type, OrderType, BAD_TYPE, "type")
    time_in_force = _validate_choice(time_in_force, TimeInForce, BAD_TIF, "time_in_force")
    if session not in BOARDS:
        raise DomainError(BAD_SESSION, field="session")
    client_order_id = (client_order_id or "").strip()[:64]
    quantity = _check_quantity(quantity)
    if type in PRICED and price is None:
        raise DomainError(PRICE_REQUIRED, field="price")
    if type not in PRICED and price is not None:
        raise DomainError(PRICE_NOT_ALLOWED, field="price")
    sym = _tradable_symbol(symbol)
    quote = None if sym.prev_close else store().quote(sym.code)
    base = reference_price(sym, quote)
    if base is None:
        raise DomainError(NO_REFERENCE_PRICE.format(code=sym.code), field="symbol")
    band = rules.price_limit_band(base)
    if type in PRICED:
        price = _check_limit_price(price, band, sym.code)

    events = EventBatch()
    try:
        with transaction.atomic():
            account = _lock_account(account_id, owner_id)
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
        account = _lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open or order.filled_quantity:
            return
        books = _Book(account, timezone.now())
        books.close(order, OrderStatus.REJECTED, reason)
        order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
        books.save()
        events.order(account.owner_id, order)


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
        quantity = _check_quantity(quantity)
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
    return Order.objects.select_related("symbol").get(pk=order.pk)


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
        price = _check_limit_price(price, rules.price_limit_band(base), order.symbol.code)
    if quantity is not None:
        quantity = _check_quantity(quantity)
    extra = 0
    with transaction.atomic():
        account = _lock_account(order.account_id)
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
    return Order.objects.select_related("symbol").get(pk=order.pk)


def _release_surplus(order_id: int, *, shares_held: int = 0) -> None:
    """Give back what a modify held beyond what the order needs now: a buy's surplus cash, or the
    `shares_held` for a larger sell the exchange refused."""
    with transaction.atomic():
        account_id = Order.objects.filter(pk=order_id).values_list("account_id", flat=True).get()
        account = _lock_account(account_id)
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
        account = _lock_account(account_id)
        order = Order.objects.select_related("symbol").get(pk=order_id)
        if not order.is_open:
            return
        books = _Book(account, timezone.now())
        books.close(order, status, reason)
        order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
        books.save()
        EventBatch().order(account.owner_id, order)


# --- what the exchange did ------------------------------------------------------------------------
def _refs(event: dict[str, Any]) -> list[str]:
    if event["type"] == "traded":
        return [r for r in (event["buy_order_id"], event["sell_order_id"]) if venue.is_user_ref(r)]
    return [event["order_id"]] if venue.is_user_ref(event.get("order_id")) else []


def book_order_events(*, code: str, events: list[dict[str, Any]]) -> int:
    """Book what the exchange did with users' orders (market.signals.order_events): fills, the
    rest of IOC/FOK orders, cancels, expiries, modifications. Each order's events in one
    transaction under its account's lock, in the exchange's order; a fill is booked once (its
    `exec_id`), so a redelivery changes nothing. Returns the number of fills booked."""
    by_order: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        for ref in _refs(event):
            by_order.setdefault(int(ref[1:]), []).append(event)
    return sum(_book_one(order_id, order_events) for order_id, order_events in by_order.items())


def _book_one(order_id: int, events: list[dict[str, Any]]) -> int:
    if all(event["type"] == "accepted" for event in events):  # it rests: only its place in the queue
        Order.objects.filter(pk=order_id).update(queue_key=events[-1]["queue_key"])
        return 0
    batch = EventBatch()
    fills = 0
    with transaction.atomic():
        # The order with its account, the account's row locked (the lock every writer takes first).
        order = (
            Order.objects.select_related("account", "symbol")
            .select_for_update(of=("account",))
            .filter(pk=order_id)
            .first()
        )
        if order is None:
            return 0
        account = order.account
        books = _Book(account, timezone.now())
        seen = set()
        if order.filled_quantity:  # a redelivery: what was booked already
            seen = set(Trade.objects.filter(order=order).exclude(exec_id="").values_list("exec_id", flat=True))
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
                    changed = True
            elif kind == "traded":
                if event["exec_id"] in seen:
                    continue
                take = min(event["quantity"], order.remaining_quantity)
                if take <= 0:
                    continue
                trade = books.apply_fill(order, Fill(event["price"], take))
                trade.exec_id = event["exec_id"]
                seen.add(event["exec_id"])
                fills += 1
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
                if event.get("price") is not None:
                    order.price = event["price"]
                _shrink(books, order, order.filled_quantity + event["quantity"])
                changed = True
        if not changed:
            return 0
        order.save()
        books.save()
        for trade in books.trades:  # a fill's message carries its order as it stands
            batch.fill(account.owner_id, trade, order)
        if not books.trades:
            batch.order(account.owner_id, order)
    return fills


def _shrink(books: _Book, order: Order, quantity: int) -> None:
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
    closed = timetable.last_regular_close(market_clock().now())
    order_expire_at_close(close=closed)
    out = []
    for order in Order.objects.filter(status__in=OPEN_STATUSES).select_related("symbol").order_by("queue_key", "id"):
        out.append(
            venue.Submit(
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
        )
    return out


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
