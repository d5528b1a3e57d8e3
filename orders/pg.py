"""The order engine's hot path on PostgreSQL: one round trip to lock and read, one to write.

`orders.services.order_place` decides everything in Python, on both databases. On PostgreSQL it
locks the account and reads what it needs under that lock (the symbol's position, an earlier
order with the same client_order_id) in one round trip, and writes everything it decided (order,
trades, ledger entries, position, account) in one statement with data-modifying CTEs. Outside a
Django transaction (a request, a task, the feed) the BEGIN travels with the lock and the COMMIT
with the write: two round trips where the ORM made ten. Inside one (tests, callers that compose)
Django's atomic owns the transaction and the same statements run in it.

Each round trip is one simple-protocol query of several statements (the cheapest exchange psycopg
has), executing statements prepared once per connection (PREPARE; `PAPERTRADE_DB_PREPARE=false`
sends the full text instead, for poolers that cannot keep them). The write takes one JSON document.
The database's constraints check the result either way. SQLite, the embedded default, keeps the
ORM path in `services._Book.save`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from config.exceptions import NotFound
from orders.models import Account, Position

if TYPE_CHECKING:
    from market.models import Symbol
    from orders.models import Order, Trade
    from orders.services import _Book

# The lock and the reads are separate statements on purpose: under READ COMMITTED each statement
# reads a snapshot taken when it starts, so only a statement that starts after the lock was
# granted sees what the previous holder of the lock committed (a join in the locking statement
# would read the position as it was before).
_LOCK = """
SELECT owner_id, cash, reserved_cash FROM orders_account
WHERE id = $1 AND ($2::bigint IS NULL OR owner_id = $2::bigint)
FOR UPDATE
"""
_READ = """
SELECT p.id, p.quantity, p.reserved_quantity, p.cost_basis, p.avg_cost, p.realized_pnl, p.updated_at,
       (SELECT o.id FROM orders_order o
         WHERE o.account_id = $1 AND o.client_order_id = $3 AND $3 <> '' LIMIT 1)
FROM (VALUES (1)) AS one
LEFT JOIN orders_position p ON p.account_id = $1 AND p.symbol_id = $2
"""
# Trade ids are drawn first (fills), so the ledger rows can point at their trade in the same
# statement; rows go in in fill order, so ids grow as the ORM path's would.
_WRITE = """
WITH doc AS MATERIALIZED (
    SELECT $1::jsonb AS d, ($1::jsonb ->> 'account')::bigint AS account, ($1::jsonb ->> 'symbol')::bigint AS symbol,
           ($1::jsonb ->> 'now')::timestamptz AS now
), new_order AS (
    INSERT INTO orders_order (account_id, symbol_id, side, type, time_in_force, quantity, price, status,
                              reject_reason, filled_quantity, avg_fill_price, filled_amount, client_order_id,
                              reserved_cash, created_at, updated_at)
    SELECT account, symbol, d ->> 'side', d ->> 'type', d ->> 'time_in_force', (d ->> 'quantity')::bigint,
           (d ->> 'price')::bigint, d ->> 'status', d ->> 'reject_reason', (d ->> 'filled_quantity')::bigint,
           (d ->> 'avg_fill_price')::numeric, (d ->> 'filled_amount')::bigint, d ->> 'client_order_id',
           (d ->> 'order_reserved_cash')::bigint, now, now
    FROM doc
    RETURNING id
), fills AS MATERIALIZED (
    SELECT nextval(pg_get_serial_sequence('orders_trade', 'id')) AS id, f.n, f.quantity, f.price, f.commission, f.tax
    FROM doc, jsonb_to_recordset(doc.d -> 'fills')
         AS f(n bigint, quantity bigint, price bigint, commission bigint, tax bigint)
), trades AS (
    INSERT INTO orders_trade (id, order_id, account_id, symbol_id, side, quantity, price, commission, tax, time)
    SELECT fills.id, new_order.id, account, symbol, d ->> 'side', fills.quantity, fills.price, fills.commission,
           fills.tax, now
    FROM fills CROSS JOIN new_order CROSS JOIN doc
    ORDER BY fills.n
), ledger AS (
    INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, order_id, trade_id, note, time)
    SELECT account, e.kind, e.amount, e.balance_after, new_order.id, fills.id, '', now
    FROM doc CROSS JOIN jsonb_to_recordset(doc.d -> 'entries')
             AS e(n bigint, kind varchar, amount bigint, balance_after bigint, fill bigint)
    CROSS JOIN new_order
    LEFT JOIN fills ON fills.n = e.fill
    ORDER BY e.n
), position AS (
    INSERT INTO orders_position (account_id, symbol_id, quantity, reserved_quantity, cost_basis, avg_cost,
                                 realized_pnl, updated_at)
    SELECT account, symbol, (p ->> 'quantity')::bigint, (p ->> 'reserved_quantity')::bigint,
           (p ->> 'cost_basis')::bigint, (p ->> 'avg_cost')::numeric, (p ->> 'realized_pnl')::bigint, now
    FROM doc CROSS JOIN LATERAL (SELECT doc.d -> 'position' AS p) AS position_doc
    WHERE jsonb_typeof(p) = 'object'
    ON CONFLICT (account_id, symbol_id) DO UPDATE SET
        quantity = EXCLUDED.quantity, reserved_quantity = EXCLUDED.reserved_quantity,
        cost_basis = EXCLUDED.cost_basis, avg_cost = EXCLUDED.avg_cost,
        realized_pnl = EXCLUDED.realized_pnl, updated_at = EXCLUDED.updated_at
    RETURNING id
), account AS (
    UPDATE orders_account SET cash = (d ->> 'cash')::bigint, reserved_cash = (d ->> 'reserved_cash')::bigint
    FROM doc WHERE id = doc.account
)
SELECT new_order.id, ARRAY(SELECT fills.id FROM fills ORDER BY fills.n), (SELECT position.id FROM position)
FROM new_order
"""

_STATEMENTS = {
    "papertrade_orders_lock": ("bigint, bigint", _LOCK),
    "papertrade_orders_read": ("bigint, bigint, varchar", _READ),
    "papertrade_orders_write": ("jsonb", _WRITE),
}
_PARAMETER = re.compile(rb"\$(\d+)")
_PREPARE = ";\n".join(f"PREPARE {name} ({types}) AS {sql.strip()}" for name, (types, sql) in _STATEMENTS.items())

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
    each with its statements (two round trips for a whole order)."""
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
    with _errors_wrapped(db, own=begin):
        cursor = _cursor(db)
        account, owner = _int(account_id), _int(owner_id)
        coid = _text(db, client_order_id)
        query = (
            _call("papertrade_orders_lock", account, owner)
            + b";\n"
            + _call("papertrade_orders_read", account, _int(symbol.pk), coid)
        )
        cursor.execute((b"BEGIN;\n" + query) if begin else query)
        if begin:
            cursor.nextset()
        locked = cursor.fetchone()
        cursor.nextset()
        row = cursor.fetchone()
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
    doc = {
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
        "fills": [
            {"n": n, "quantity": t.quantity, "price": t.price, "commission": t.commission, "tax": t.tax}
            for n, t in enumerate(trades, start=1)
        ],
        "entries": [
            {"n": n, "kind": m.kind, "amount": m.amount, "balance_after": m.balance_after, "fill": fill_of[id(m.trade)]}
            for n, m in enumerate(books.entries, start=1)
        ],
        "position": None
        if position is None
        else {
            "quantity": position.quantity,
            "reserved_quantity": position.reserved_quantity,
            "cost_basis": position.cost_basis,
            "avg_cost": position.avg_cost,
            "realized_pnl": position.realized_pnl,
        },
        "cash": account.cash,
        "reserved_cash": account.reserved_cash,
    }
    # Decimals as exact strings (avg prices); datetimes as RFC 3339 with their offset.
    text = orjson.dumps(doc, default=str)
    db = connections[DEFAULT_DB_ALIAS]
    with _errors_wrapped(db, own=commit):
        cursor = _cursor(db)
        query = _call("papertrade_orders_write", _quoted(db, text))
        cursor.execute(query + b";\nCOMMIT" if commit else query)
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


def _call(name: str, *values: bytes) -> bytes:
    """EXECUTE of a prepared statement with these SQL literals as its parameters, or (preparing
    off) the statement's text with the literals in place of $1, $2, ..."""
    if settings.ORDERS_DB_PREPARE:
        return b"EXECUTE " + name.encode() + b"(" + b", ".join(values) + b")"
    types, sql = _STATEMENTS[name]
    typed = [
        b"(" + value + b"::" + type_.encode() + b")" for value, type_ in zip(values, types.split(", "), strict=True)
    ]
    return _PARAMETER.sub(lambda match: typed[int(match[1]) - 1], sql.strip().encode())


def _int(value: int | None) -> bytes:
    """An integer (or NULL) as an SQL literal; anything else is a TypeError, never text."""
    return b"NULL" if value is None else b"%d" % value.__index__()


def _text(db: Any, value: str) -> bytes:
    """A string as an SQL literal, quoted by libpq for this connection."""
    return _quoted(db, value.encode()) if value else b"''"


def _quoted(db: Any, data: bytes) -> bytes:
    db.ensure_connection()
    return psycopg.pq.Escaping(db.connection.pgconn).escape_literal(data)


def _cursor(db: Any) -> psycopg.ClientCursor:
    """A client-side-binding cursor kept with the connection, whose statements are prepared."""
    db.ensure_connection()
    raw = db.connection
    cursor = getattr(raw, "_papertrade_cursor", None)
    if cursor is None:
        cursor = psycopg.ClientCursor(raw)
        if settings.ORDERS_DB_PREPARE:
            # PREPARE is not transactional: the statements stay with the session even if the
            # transaction around this first use rolls back. Their plans never depend on the
            # values, so a generic plan from the start spares the planner on every call (it would
            # re-plan the write each time, 0.3 ms, until it settled on the same generic plan).
            # Django binds its own queries client-side and never prepares them: only ours use it.
            cursor.execute("SET plan_cache_mode = force_generic_plan;\n" + _PREPARE)
        raw._papertrade_cursor = cursor
    return cursor


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
