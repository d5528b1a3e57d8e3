"""The order engine's hot path on PostgreSQL: one statement per order, or two round trips.

`orders.services.order_place` decides everything in Python, on both databases. On PostgreSQL
everything it decided (order, trades, ledger entries, position, account) is written by one
statement with data-modifying CTEs, guarded: the account's update, and with it every other row,
happens only if the account and position rows are still the versions (xmin) the order was decided
on. What it is decided on comes one of two ways:

- the locked way: lock the account and read what the order needs under that lock (the symbol's
  position, an earlier order with the same client_order_id), one round trip, then the write.
  Outside a Django transaction (a request, a task, the feed) the BEGIN travels with the lock and
  the COMMIT with the write: two round trips where the ORM made ten. Inside one (tests, callers
  that compose) Django's atomic owns the transaction and the same statements run in it;
- the known way, outside a Django transaction: the account and position as this process last
  wrote them (`known_snapshot`), and the write alone, its own transaction: one round trip. If the
  guard finds other versions (a cancel, a tick fill, a deposit by another process), nothing is
  written and the order goes the locked way; so does an order the known state would refuse
  (refusals are decided under the lock, on what is current) and one whose client_order_id the
  unique index turns away (the locked way then finds the first order and answers with it).

Each round trip is one simple-protocol query of several statements (the cheapest exchange psycopg
has), executing statements prepared once per connection (PREPARE; `PAPERTRADE_DB_PREPARE=false`
sends the full text instead, for poolers that cannot keep them). The write takes one JSON document.
The database's constraints check the result either way. SQLite, the embedded default, keeps the
ORM path in `services._Book.save`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import ModelState
from psycopg import generators

from config.exceptions import NotFound
from orders.models import Account, Position

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from market.models import Symbol
    from orders.models import Order, Trade
    from orders.services import _Book

# The lock and the reads are separate statements on purpose: under READ COMMITTED each statement
# reads a snapshot taken when it starts, so only a statement that starts after the lock was
# granted sees what the previous holder of the lock committed (a join in the locking statement
# would read the position as it was before).
_LOCK = """
SELECT owner_id, cash, reserved_cash, xmin::text::bigint FROM orders_account
WHERE id = $1 AND ($2::bigint IS NULL OR owner_id = $2::bigint)
FOR UPDATE
"""
_READ = """
SELECT p.id, p.quantity, p.reserved_quantity, p.cost_basis, p.avg_cost, p.realized_pnl, p.updated_at,
       p.xmin::text::bigint,
       (SELECT o.id FROM orders_order o
         WHERE o.account_id = $1 AND o.client_order_id = $3 AND $3 <> '' LIMIT 1)
FROM (VALUES (1)) AS one
LEFT JOIN orders_position p ON p.account_id = $1 AND p.symbol_id = $2
"""
# The account's update is the guard: it happens only if the account row and the position row are
# the versions the order was decided on (their xmin, which every update of a row changes), and
# every other row is written only if it happened. Under READ COMMITTED an update that waited for
# another transaction re-checks its WHERE on the row as that one left it, so a change committed
# meanwhile fails the guard; the position, read from the statement's snapshot, is covered by the
# account's version because every writer of a position updates its account in the same
# transaction (orders.services), and checked itself against any writer that would not.
# Trade ids are drawn first (fills), so the ledger rows can point at their trade in the same
# statement; rows go in in fill order, so ids grow as the ORM path's would.
_WRITE = """
WITH doc AS MATERIALIZED (
    SELECT $1::jsonb AS d, ($1::jsonb ->> 'account')::bigint AS account, ($1::jsonb ->> 'symbol')::bigint AS symbol,
           ($1::jsonb ->> 'now')::timestamptz AS now
), account AS (
    UPDATE orders_account SET cash = (d ->> 'cash')::bigint, reserved_cash = (d ->> 'reserved_cash')::bigint
    FROM doc
    WHERE id = doc.account AND orders_account.xmin = (d ->> 'version')::xid
      AND CASE WHEN d ->> 'position_version' IS NULL
               THEN NOT EXISTS (SELECT FROM orders_position p
                                WHERE p.account_id = doc.account AND p.symbol_id = doc.symbol)
               ELSE EXISTS (SELECT FROM orders_position p
                            WHERE p.account_id = doc.account AND p.symbol_id = doc.symbol
                              AND p.xmin = (d ->> 'position_version')::xid)
          END
    RETURNING orders_account.xmin::text::bigint AS version
), new_order AS (
    INSERT INTO orders_order (account_id, symbol_id, side, type, time_in_force, quantity, price, status,
                              reject_reason, filled_quantity, avg_fill_price, filled_amount, client_order_id,
                              reserved_cash, created_at, updated_at)
    SELECT account, symbol, d ->> 'side', d ->> 'type', d ->> 'time_in_force', (d ->> 'quantity')::bigint,
           (d ->> 'price')::bigint, d ->> 'status', d ->> 'reject_reason', (d ->> 'filled_quantity')::bigint,
           (d ->> 'avg_fill_price')::numeric, (d ->> 'filled_amount')::bigint, d ->> 'client_order_id',
           (d ->> 'order_reserved_cash')::bigint, now, now
    FROM doc CROSS JOIN account
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
    FROM doc CROSS JOIN account CROSS JOIN LATERAL (SELECT doc.d -> 'position' AS p) AS position_doc
    WHERE jsonb_typeof(p) = 'object'
    ON CONFLICT (account_id, symbol_id) DO UPDATE SET
        quantity = EXCLUDED.quantity, reserved_quantity = EXCLUDED.reserved_quantity,
        cost_basis = EXCLUDED.cost_basis, avg_cost = EXCLUDED.avg_cost,
        realized_pnl = EXCLUDED.realized_pnl, updated_at = EXCLUDED.updated_at
    RETURNING id
)
SELECT new_order.id, ARRAY(SELECT fills.id FROM fills ORDER BY fills.n), (SELECT position.id FROM position),
       account.version
FROM new_order CROSS JOIN account
"""

_STATEMENTS = {
    "papertrade_orders_lock": ("bigint, bigint", _LOCK),
    "papertrade_orders_read": ("bigint, bigint, varchar", _READ),
    "papertrade_orders_write": ("jsonb", _WRITE),
}
_PARAMETER = re.compile(rb"\$(\d+)")
_PREPARE = ";\n".join(f"PREPARE {name} ({types}) AS {sql.strip()}" for name, (types, sql) in _STATEMENTS.items())


def own_transaction_possible() -> bool:
    """True when no Django transaction is open: the hot path may then BEGIN and COMMIT itself,
    each with its statements (two round trips for a whole order), or send one statement alone."""
    db = connections[DEFAULT_DB_ALIAS]
    return not db.in_atomic_block and db.get_autocommit()


class Snapshot(NamedTuple):
    """The account and position an order is decided on, with the row versions the write checks."""

    account: Account
    position: Position | None
    version: int  # the account row's xmin
    position_version: int | None  # the position row's xmin, None: the account has no position


class _PositionState(NamedTuple):
    id: int
    quantity: int
    reserved_quantity: int
    cost_basis: int
    avg_cost: Decimal
    realized_pnl: int
    updated_at: dt.datetime
    version: int


class _AccountState(NamedTuple):
    owner_id: int
    cash: int
    reserved_cash: int
    version: int
    positions: dict[int, _PositionState | None]  # by symbol id; absent: not known
    written_at: float  # time.monotonic()


# What this process last wrote to each account, so the next order needs no locking round trip.
# Only ever a guess: the write's guard checks it against the rows (see _WRITE).
_known: dict[int, _AccountState] = {}
KNOWN_ACCOUNTS_MAX = 10_000
# A version is a 32-bit transaction id: it comes round again only after billions of transactions,
# far beyond this, so an old guess can never pass the guard by a coincidence of numbers.
KNOWN_FOR_SECONDS = 300.0


def forget(account_id: int | None = None) -> None:
    """Drop what is known of one account (or of all): its next order locks and reads first."""
    if account_id is None:
        _known.clear()
    else:
        _known.pop(account_id, None)


def known_snapshot(*, account_id: int, owner_id: int | None, symbol: Symbol) -> Snapshot | None:
    """The account and position as this process last wrote them, or None if it does not know them."""
    state = _known.get(account_id)
    if (
        state is None
        or (owner_id is not None and state.owner_id != owner_id)
        or symbol.pk not in state.positions
        or time.monotonic() - state.written_at > KNOWN_FOR_SECONDS
    ):
        return None
    db = connections[DEFAULT_DB_ALIAS]
    account = _loaded(
        Account,
        db,
        {"id": account_id, "owner_id": state.owner_id, "cash": state.cash, "reserved_cash": state.reserved_cash},
    )
    held = state.positions[symbol.pk]
    position = None if held is None else _position(db, account, symbol, held)
    return Snapshot(account, position, state.version, None if held is None else held.version)


def lock_for_order(
    *, account_id: int, owner_id: int | None, symbol: Symbol, client_order_id: str, begin: bool = False
) -> tuple[Snapshot, int | None]:
    """Lock the account and read what placing an order needs.

    Inside transaction.atomic, or with begin=True outside of it: then this opens the transaction
    (BEGIN goes in the same round trip) and the caller must end it with write_new_order(...,
    commit=True) or rollback_quietly().

    Returns the snapshot (the account with its cash fields loaded and the rest deferred, its
    position in the symbol or None) and the id of an earlier order with this client_order_id or
    None. Another user's account, with owner_id given, is NotFound as if it did not exist.
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
    owner, cash, reserved_cash, version = locked
    *position_row, existing = row
    account = _loaded(Account, db, {"id": account_id, "owner_id": owner, "cash": cash, "reserved_cash": reserved_cash})
    position, position_version = None, None
    if position_row[0] is not None:
        held = _PositionState(*position_row)
        position, position_version = _position(db, account, symbol, held), held.version
    return Snapshot(account, position, version, position_version), existing


def write_new_order(
    order: Order,
    books: _Book,
    snapshot: Snapshot,
    *,
    commit: bool = False,
    alone: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> bool:
    """Insert `order` with everything `books` collected for it, in one statement, if the account
    and position are still the versions of `snapshot`. Returns False if they are not (nothing was
    written).

    commit=True ends the transaction lock_for_order(begin=True) opened, in the same round trip;
    alone=True sends the statement outside any transaction (it is its own). In both cases the
    account's new state is remembered for its next order (known_snapshot); otherwise forgotten.
    Sets the primary keys the database gave (order, trades, a new position) on the instances.

    `meanwhile` runs after the statement is sent and before its answer is read: work that needs
    no ids (building the order's events) is done while the database writes and syncs. It must
    not raise; if it does, that is logged and the write goes on.
    """
    account, now = books.account, books.now
    trades: list[Trade] = books.trades
    fill_of = {id(trade): n for n, trade in enumerate(trades, start=1)}
    position = books.positions.get(order.symbol_id)
    doc = {
        "account": account.pk,
        "symbol": order.symbol_id,
        "version": snapshot.version,
        "position_version": snapshot.position_version,
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
    previous = _known.pop(account.pk, None)  # forgotten until the write is known to have succeeded
    order.created_at = order.updated_at = now
    with _errors_wrapped(db, own=commit or alone):
        _cursor(db)  # prepares the statements on a new connection
        query = _call("papertrade_orders_write", _quoted(db, text))
        raw = db.connection
        raw.pgconn.send_query(query + b";\nCOMMIT" if commit else query)
        try:
            raw.wait(generators.send(raw.pgconn))
            if meanwhile is not None:
                try:
                    meanwhile()
                except Exception:  # noqa: BLE001 - the statement's answer must still be read
                    logger.exception("hot path: work done while the write ran failed")
        finally:
            results = raw.wait(generators.fetch_many(raw.pgconn))
        for result in results:
            if result.status == psycopg.pq.ExecStatus.FATAL_ERROR:
                raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
    row = _first_row(results[0])
    if row is None:
        return False
    order_id, trade_ids, position_id, version = row
    _saved(db, order, order_id)
    for trade, trade_id in zip(trades, trade_ids, strict=True):
        trade.order_id = order_id
        _saved(db, trade, trade_id)
    if position is not None:
        position.updated_at = now
        _saved(db, position, position_id)
    if commit or alone:
        _remember(account, snapshot, previous, order.symbol_id, position, version)
    return True


def _remember(
    account: Account,
    snapshot: Snapshot,
    previous: _AccountState | None,
    symbol_id: int,
    position: Position | None,
    version: int,
) -> None:
    # Positions in other symbols known at the version this write checked are still what they
    # were: the guard passed, so nothing touched the account in between, and this write did not.
    positions = dict(previous.positions) if previous is not None and previous.version == snapshot.version else {}
    # The order's symbol: `position` is the row as written (a held position is always preloaded
    # into the books, so it is written with the order), or None if the account still has none.
    positions[symbol_id] = (
        None
        if position is None
        else _PositionState(
            position.pk,
            position.quantity,
            position.reserved_quantity,
            position.cost_basis,
            position.avg_cost,
            position.realized_pnl,
            position.updated_at,
            version,
        )
    )
    if len(_known) >= KNOWN_ACCOUNTS_MAX:
        _known.clear()
    _known[account.pk] = _AccountState(
        account.owner_id, account.cash, account.reserved_cash, version, positions, time.monotonic()
    )


def _position(db: Any, account: Account, symbol: Symbol, held: _PositionState) -> Position:
    position = _loaded(
        Position,
        db,
        {
            "id": held.id,
            "account_id": account.pk,
            "symbol_id": symbol.pk,
            "quantity": held.quantity,
            "reserved_quantity": held.reserved_quantity,
            "cost_basis": held.cost_basis,
            "avg_cost": held.avg_cost,
            "realized_pnl": held.realized_pnl,
            "updated_at": held.updated_at,
        },
    )
    position.account = account
    position.symbol = symbol
    return position


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


def _first_row(result: psycopg.pq.PGresult) -> tuple[int, list[int], int | None, int] | None:
    """The write's answer (order id, trade ids, position id, account version), from its text form."""
    if result.ntuples == 0:
        return None
    order_id, trade_ids, position_id, version = (result.get_value(0, n) for n in range(4))
    return (
        int(order_id),
        [int(t) for t in trade_ids[1:-1].split(b",")] if len(trade_ids) > 2 else [],
        None if position_id is None else int(position_id),
        int(version),
    )


def _loaded(model: type[Any], db: Any, values: dict[str, Any]) -> Any:
    """An instance as Model.from_db makes it with only these fields loaded (the rest deferred),
    without running Model.__init__ over every field: the hot path makes two per order."""
    instance = model.__new__(model)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = db.alias
    instance.__dict__.update(values)
    return instance


def _saved(db: Any, instance: Any, pk: int) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias
