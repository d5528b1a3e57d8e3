"""The order engine's hot path on PostgreSQL: one round trip to lock and read, one to write.

`orders.services.order_place` decides everything in Python, on both databases. On PostgreSQL it
locks the account and reads what it needs under that lock (the symbol's position, an earlier order
with the same client_order_id) in one pipelined round trip after the BEGIN, and writes everything
it decided in one statement (order, trades, ledger entries, position, account) with
data-modifying CTEs: BEGIN, lock and read, write, COMMIT, where the ORM made ten round trips. The
statements are prepared once per connection. The database's constraints check the result either
way. SQLite, the embedded default, keeps the ORM path in `services._Book.save`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import psycopg
from django.db import connection
from psycopg.adapt import AdaptersMap
from psycopg.types.numeric import Int8Dumper

from config.exceptions import NotFound
from orders.models import Account, Position

if TYPE_CHECKING:
    from market.models import Symbol
    from orders.models import Order, Trade
    from orders.services import _Book

# Two statements sent together in one pipeline (one round trip with the BEGIN): the lock first,
# then the reads. They must be separate statements: under READ COMMITTED each statement reads a
# snapshot taken when it starts, so only a statement that starts after the lock was granted sees
# what the previous holder of the lock committed (a join in the locking statement would not).
_LOCK = """
SELECT owner_id, cash, reserved_cash FROM orders_account
WHERE id = %(account)s AND (%(owner)s::bigint IS NULL OR owner_id = %(owner)s::bigint)
FOR UPDATE
"""
_READ = """
SELECT p.id, p.quantity, p.reserved_quantity, p.cost_basis, p.avg_cost, p.realized_pnl, p.updated_at,
       (SELECT o.id FROM orders_order o
         WHERE o.account_id = %(account)s AND o.client_order_id = %(client_order_id)s AND %(client_order_id)s <> ''
         LIMIT 1)
FROM (VALUES (1)) AS one
LEFT JOIN orders_position p ON p.account_id = %(account)s AND p.symbol_id = %(symbol)s
"""

# Trade ids are drawn first (fills), so the ledger rows can point at their trade in the same
# statement; rows go in in fill order, so ids grow as the ORM path's would.
_WRITE = """
WITH new_order AS (
    INSERT INTO orders_order (account_id, symbol_id, side, type, time_in_force, quantity, price, status,
                              reject_reason, filled_quantity, avg_fill_price, filled_amount, client_order_id,
                              reserved_cash, created_at, updated_at)
    VALUES (%(account)s, %(symbol)s, %(side)s, %(type)s, %(time_in_force)s, %(quantity)s, %(price)s, %(status)s,
            %(reject_reason)s, %(filled_quantity)s, %(avg_fill_price)s, %(filled_amount)s, %(client_order_id)s,
            %(order_reserved_cash)s, %(now)s, %(now)s)
    RETURNING id
), fills AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('orders_trade', 'id')) AS id, f.quantity, f.price, f.commission, f.tax, f.n
    FROM unnest(%(fill_quantity)s::bigint[], %(fill_price)s::bigint[], %(fill_commission)s::bigint[],
                %(fill_tax)s::bigint[]) WITH ORDINALITY AS f(quantity, price, commission, tax, n)
), trades AS (
    INSERT INTO orders_trade (id, order_id, account_id, symbol_id, side, quantity, price, commission, tax, time)
    SELECT fills.id, new_order.id, %(account)s, %(symbol)s, %(side)s, fills.quantity, fills.price, fills.commission,
           fills.tax, %(now)s
    FROM fills CROSS JOIN new_order
    ORDER BY fills.n
), ledger AS (
    INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, order_id, trade_id, note, time)
    SELECT %(account)s, e.kind, e.amount, e.balance_after, new_order.id, fills.id, e.note, %(now)s
    FROM unnest(%(entry_kind)s::varchar[], %(entry_amount)s::bigint[], %(entry_balance)s::bigint[],
                %(entry_fill)s::bigint[], %(entry_note)s::varchar[]) WITH ORDINALITY
             AS e(kind, amount, balance_after, fill, note, n)
    CROSS JOIN new_order
    LEFT JOIN fills ON fills.n = e.fill
    ORDER BY e.n
), position AS (
    INSERT INTO orders_position (account_id, symbol_id, quantity, reserved_quantity, cost_basis, avg_cost,
                                 realized_pnl, updated_at)
    SELECT %(account)s, %(symbol)s, %(position_quantity)s, %(position_reserved)s, %(position_cost_basis)s,
           %(position_avg_cost)s, %(position_realized_pnl)s, %(now)s
    WHERE %(position_write)s
    ON CONFLICT (account_id, symbol_id) DO UPDATE SET
        quantity = EXCLUDED.quantity, reserved_quantity = EXCLUDED.reserved_quantity,
        cost_basis = EXCLUDED.cost_basis, avg_cost = EXCLUDED.avg_cost,
        realized_pnl = EXCLUDED.realized_pnl, updated_at = EXCLUDED.updated_at
    RETURNING id
), account AS (
    UPDATE orders_account SET cash = %(cash)s, reserved_cash = %(reserved_cash)s WHERE id = %(account)s
)
SELECT new_order.id, ARRAY(SELECT fills.id FROM fills ORDER BY fills.n), (SELECT position.id FROM position)
FROM new_order
"""

_POSITION_FIELDS = [
    "id",
    "account_id",
    "symbol_id",
    "quantity",
    "reserved_quantity",
    "cost_basis",
    "avg_cost",
    "realized_pnl",
    "updated_at",
]


def lock_for_order(
    *, account_id: int, owner_id: int | None, symbol: Symbol, client_order_id: str
) -> tuple[Account, Position | None, int | None]:
    """Lock the account (inside transaction.atomic) and read what placing an order needs.

    Returns the account (cash fields loaded, the rest deferred), the account's position in the
    symbol or None, and the id of an earlier order with this client_order_id or None. Another
    user's account, with owner_id given, is NotFound as if it did not exist.
    """
    from orders.services import ACCOUNT_NOT_FOUND

    params = {"account": account_id, "owner": owner_id, "symbol": symbol.pk, "client_order_id": client_order_id}
    with _errors_wrapped():
        lock, read = _cursor(), _cursor()
        with lock.connection.pipeline():
            lock.execute(_LOCK, params, prepare=True)
            read.execute(_READ, params, prepare=True)
        locked, row = lock.fetchone(), read.fetchone()
    if locked is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    owner, cash, reserved_cash = locked
    position_id, *position_row, existing = row
    account = Account.from_db(
        connection.alias, ["id", "owner_id", "cash", "reserved_cash"], [account_id, owner, cash, reserved_cash]
    )
    position = None
    if position_id is not None:
        position = Position.from_db(
            connection.alias, _POSITION_FIELDS, [position_id, account_id, symbol.pk, *position_row]
        )
        position.account = account
        position.symbol = symbol
    return account, position, existing


def write_new_order(order: Order, books: _Book) -> None:
    """Insert `order` with everything `books` collected for it, in one statement.

    Sets the primary keys the database gave (order, trades, a new position) on the instances.
    """
    account, now = books.account, books.now
    trades: list[Trade] = books.trades
    fill_of = {id(trade): n for n, trade in enumerate(trades, start=1)}
    position = books.positions.get(order.symbol_id)
    params = {
        "account": account.pk,
        "symbol": order.symbol_id,
        "side": order.side,
        "type": order.type,
        "time_in_force": order.time_in_force,
        "quantity": order.quantity,
        "price": order.price,
        "status": order.status,
        "reject_reason": order.reject_reason,
        "filled_quantity": order.filled_quantity,
        "avg_fill_price": order.avg_fill_price,
        "filled_amount": order.filled_amount,
        "client_order_id": order.client_order_id,
        "order_reserved_cash": order.reserved_cash,
        "now": now,
        "fill_quantity": [t.quantity for t in trades],
        "fill_price": [t.price for t in trades],
        "fill_commission": [t.commission for t in trades],
        "fill_tax": [t.tax for t in trades],
        "entry_kind": [str(e.kind) for e in books.entries],
        "entry_amount": [e.amount for e in books.entries],
        "entry_balance": [e.balance_after for e in books.entries],
        "entry_fill": [fill_of[id(e.trade)] if e.trade is not None else None for e in books.entries],
        "entry_note": [e.note for e in books.entries],
        "position_write": position is not None,
        "position_quantity": position.quantity if position else 0,
        "position_reserved": position.reserved_quantity if position else 0,
        "position_cost_basis": position.cost_basis if position else 0,
        "position_avg_cost": position.avg_cost if position else Decimal(0),
        "position_realized_pnl": position.realized_pnl if position else 0,
        "cash": account.cash,
        "reserved_cash": account.reserved_cash,
    }
    with _errors_wrapped():
        cursor = _cursor()
        cursor.execute(_WRITE, params, prepare=True)
        order_id, trade_ids, position_id = cursor.fetchone()
    _saved(order, order_id)
    order.created_at = order.updated_at = now
    for trade, trade_id in zip(trades, trade_ids, strict=True):
        trade.order_id = order_id
        _saved(trade, trade_id)
    if position is not None:
        position.updated_at = now
        _saved(position, position_id)


_ADAPTERS: dict[int, AdaptersMap] = {}


def _cursor() -> psycopg.Cursor:
    """A server-side-binding cursor on Django's connection (same transaction), for prepared statements.

    Every int goes as int8, so each statement keeps one prepared plan whatever the values' sizes.
    """
    connection.ensure_connection()
    raw = connection.connection
    adapters = _ADAPTERS.get(id(raw.adapters))
    if adapters is None:
        adapters = AdaptersMap(raw.adapters)
        adapters.register_dumper(int, Int8Dumper)
        _ADAPTERS.clear()
        _ADAPTERS[id(raw.adapters)] = adapters
    cursor = psycopg.Cursor(raw)
    cursor._adapters = adapters
    return cursor


@contextmanager
def _errors_wrapped() -> Iterator[None]:
    """Django's checks and exception classes (IntegrityError, ...) around raw psycopg calls."""
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        yield


def _saved(instance: Any, pk: int) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
