"""The ledger: an account's cash, holds, positions and ledger rows, and how one fill moves them.

`lock_account` is the per-account row lock every writer takes first (before any order or position
row), so concurrent placements, cancels and fills of one account serialise and never deadlock.
`Ledger` collects one transaction's changes and writes them together.

Identity kept (checked by the property tests):
    account.cash == Σ ledger amounts  (every movement is one CashEntry)
    cash + Σ position.cost_basis == Σ deposit/reset entries + Σ realized_pnl
where cost_basis counts prices only and realized_pnl is net of every commission and tax.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from config.bulk import bulk_set
from config.exceptions import NotFound
from market import rules
from market.clock import market_now
from market.models import Symbol
from market.state import Quote, store
from orders import costs
from orders.enums import (
    CashEntryKind,
    OrderSide,
    OrderStatus,
    OrderType,
)
from orders.messages import ACCOUNT_NOT_FOUND
from orders.models import Account, CashEntry, Order, Position, Trade


def lock_account(account_id: int, owner_id: int | None = None) -> Account:
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


def ledger_entry(
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


@dataclass(frozen=True, slots=True)
class Fill:
    price: int
    quantity: int
    time: dt.datetime | None = None  # the execution's market time (None: the ledger's now)


def reference_price(symbol: Symbol, quote: Quote | None = None) -> int | None:
    """Base price of today's band: the symbol master's previous close, else the feed's."""
    if symbol.prev_close:
        return int(symbol.prev_close)
    quote = quote if quote is not None else store().quote(symbol.code)
    return quote.prev_close if quote is not None and quote.prev_close else None


def set_avg_cost(position: Position) -> None:
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


class Ledger:
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
        account, now = self.account, fill.time or self.now
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
            realized = -commission  # expensed: realised + unrealised = total P&L
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
            realized = amount - released - commission - tax
        position.realized_pnl += realized
        trade.realized_pnl = realized  # what this fill booked: the fills' sum is the position's
        set_avg_cost(position)
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
        save_ledgers([self])


ORDER_FIELDS = [
    "status",
    "reject_reason",
    "quantity",
    "price",
    "filled_quantity",
    "filled_amount",
    "avg_fill_price",
    "reserved_cash",
    "queue_key",
    "updated_at",
]
POSITION_FIELDS = ["quantity", "reserved_quantity", "cost_basis", "avg_cost", "realized_pnl", "updated_at"]


def save_ledgers(ledgers: Sequence[Ledger], orders: Sequence[Order] = ()) -> None:
    """Write what `ledgers` collected, and the `orders` they changed, in a fixed number of
    statements however many accounts and orders there are: the orders, the trades, the positions
    (new and changed), the ledger rows and the accounts, each in one statement."""
    if orders:
        now = market_now()
        for order in orders:
            order.updated_at = now
        bulk_set(Order, orders, ORDER_FIELDS)
    trades = [trade for ledger in ledgers for trade in ledger.trades]
    if trades:
        Trade.objects.bulk_create(trades)
    new, changed = [], []
    for ledger in ledgers:
        for symbol_id, position in ledger.positions.items():
            position.updated_at = ledger.now
            (new if symbol_id in ledger.new_positions else changed).append(position)
    if new:
        Position.objects.bulk_create(new)
    if changed:
        bulk_set(Position, changed, POSITION_FIELDS)
    entries = [
        CashEntry(
            account=ledger.account,
            kind=m.kind,
            amount=m.amount,
            balance_after=m.balance_after,
            order_id=m.order.pk,
            trade_id=m.trade.pk,
            time=m.trade.time,  # a fill's cash moves when it executed
        )
        for ledger in ledgers
        for m in ledger.entries
    ]
    if entries:
        CashEntry.objects.bulk_create(entries)
    if ledgers:
        bulk_set(Account, [ledger.account for ledger in ledgers], ["cash", "reserved_cash"])
