"""The order engine's hot path on PostgreSQL: one round trip to lock and read, one to write.

`orders.services.order_place` decides everything in Python, on both databases. On PostgreSQL it
locks the account and reads what it needs under that lock (the symbol's position, an earlier
order with the same client_order_id) in one pipelined round trip, and writes everything it
decided in one statement (order, trades, ledger entries, position, account) with data-modifying
CTEs. Outside a Django transaction (a request, a task, the feed) it sends the BEGIN with the lock
and the COMMIT with the write: two round trips where the ORM made ten. Inside one (tests, callers
that compose) Django's atomic owns the transaction and the two statements run in it. The
statements are prepared once per connection. The database's constraints check the result either
way. SQLite, the embedded default, keeps the ORM path in `services._Book.save`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
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
# statement; rows go in in fill order, so ids grow as the ORM path's would. Fills and ledger rows
# travel as JSON documents: one text parameter each is far cheaper to send than a column array
# per field.
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
    FROM jsonb_to_recordset(%(fills)s::jsonb)
         AS f(n bigint, quantity bigint, price bigint, commission bigint, tax bigint)
), trades AS (
    INSERT INTO orders_trade (id, order_id, account_id, symbol_id, side, quantity, price, commission, tax, time)
    SELECT fills.id, new_order.id, %(account)s, %(symbol)s, %(side)s, fills.quantity, fills.price, fills.commission,
           fills.tax, %(now)s
    FROM fills CROSS JOIN new_order
    ORDER BY fills.n
), ledger AS (
    INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, order_id, trade_id, note, time)
    SELECT %(account)s, e.kind, e.amount, e.balance_after, new_order.id, fills.id, '', %(now)s
    FROM jsonb_to_recordset(%(entries)s::jsonb) AS e(n bigint, kind varchar, amount bigint, balance_after bigint,
                                                    fill bigint)
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


def own_transaction_possible() -> bool:
    """True when no Django transaction is open: the hot path may then BEGIN and COMMIT itself,
    each inside a pipeline with its statements (two round trips for a whole order)."""
    db = connections[DEFAULT_DB_ALIAS]
    return not db.in_atomic_block and db.get_autocommit()


def lock_for_order(
    *, account_id: int, owner_id: int | None, symbol: Symbol, client_order_id: str, begin: bool = False
) -> tuple[Account, Position | None, int | None]:
    """Lock the account and read what placing an order needs.

    Inside transaction.atomic, or with begin=True outside of it: then this opens the transaction
    (BEGIN goes in the same round trip) and the caller must end it with write_new_order(...,
    commit=True) or rollback_quietly().

    Returns the account (cash fields loaded, the rest deferred), the account's position in the
    symbol or None, and the id of an earlier order with this client_order_id or None. Another
    user's account, with owner_id given, is NotFound as if it did not exist.
    """
    from orders.services import ACCOUNT_NOT_FOUND

    db = connections[DEFAULT_DB_ALIAS]
    params = {"account": account_id, "owner": owner_id, "symbol": symbol.pk, "client_order_id": client_order_id}
    with _errors_wrapped(db, own=begin):
        lock, read = _cursors(db)
        with lock.connection.pipeline():
            if begin:
                lock.execute("BEGIN")
            lock.execute(_LOCK, params, prepare=True)
            read.execute(_READ, params, prepare=True)
        locked, row = lock.fetchone(), read.fetchone()
    if locked is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    owner, cash, reserved_cash = locked
    position_id, *position_row, existing = row
    account = Account.from_db(
        db.alias, ["id", "owner_id", "cash", "reserved_cash"], [account_id, owner, cash, reserved_cash]
    )
    position = None
    if position_id is not None:
        position = Position.from_db(db.alias, _POSITION_FIELDS, [position_id, account_id, symbol.pk, *position_row])
        position.account = account
        position.symbol = symbol
    return account, position, existing


def write_new_order(order: Order, books: _Book, *, commit: bool = False) -> None:
    """Insert `order` with everything `books` collected for it, in one statement.

    commit=True ends the transaction lock_for_order(begin=True) opened, in the same round trip.
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
        "fills": orjson.dumps(
            [
                {"n": n, "quantity": t.quantity, "price": t.price, "commission": t.commission, "tax": t.tax}
                for n, t in enumerate(trades, start=1)
            ]
        ).decode(),
        "entries": orjson.dumps(
            [
                {
                    "n": n,
                    "kind": m.kind,
                    "amount": m.amount,
                    "balance_after": m.balance_after,
                    "fill": fill_of[id(m.trade)],
                }
                for n, m in enumerate(books.entries, start=1)
            ]
        ).decode(),
        "position_write": position is not None,
        "position_quantity": position.quantity if position else 0,
        "position_reserved": position.reserved_quantity if position else 0,
        "position_cost_basis": position.cost_basis if position else 0,
        "position_avg_cost": position.avg_cost if position else Decimal(0),
        "position_realized_pnl": position.realized_pnl if position else 0,
        "cash": account.cash,
        "reserved_cash": account.reserved_cash,
    }
    db = connections[DEFAULT_DB_ALIAS]
    with _errors_wrapped(db, own=commit):
        cursor, other = _cursors(db)
        if commit:
            with cursor.connection.pipeline():
                cursor.execute(_WRITE, params, prepare=True)
                other.execute("COMMIT")
        else:
            cursor.execute(_WRITE, params, prepare=True)
        order_id, trade_ids, position_id = cursor.fetchone()
    _saved(db, order, order_id)
    order.created_at = order.updated_at = now
    for trade, trade_id in zip(trades, trade_ids, strict=True):
        trade.order_id = order_id
        _saved(db, trade, trade_id)
    if position is not None:
        position.updated_at = now
        _saved(db, position, position_id)


def rollback_quietly() -> None:
    """End a transaction lock_for_order(begin=True) opened, if it is still open."""
    db = connections[DEFAULT_DB_ALIAS]
    raw = db.connection
    if raw is None or raw.closed or raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    try:
        raw.execute("ROLLBACK")
    except psycopg.Error:
        db.close()  # a broken connection: let Django replace it


def _cursors(db: Any) -> tuple[psycopg.Cursor, psycopg.Cursor]:
    """Two server-side-binding cursors on Django's connection (same transaction), kept with it.

    Every int goes as int8, so each statement keeps one prepared plan whatever the values' sizes.
    """
    db.ensure_connection()
    raw = db.connection
    cursors = getattr(raw, "_papertrade_cursors", None)
    if cursors is None:
        adapters = AdaptersMap(raw.adapters)
        adapters.register_dumper(int, Int8Dumper)
        cursors = (psycopg.Cursor(raw), psycopg.Cursor(raw))
        for cursor in cursors:
            cursor._adapters = adapters
        raw._papertrade_cursors = cursors
    return cursors


@contextmanager
def _errors_wrapped(db: Any, *, own: bool = False) -> Iterator[None]:
    """Django's checks and exception classes (IntegrityError, ...) around raw psycopg calls."""
    if not own:
        db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        yield


def _saved(db: Any, instance: Any, pk: int) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias
