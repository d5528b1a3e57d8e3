"""Order engine throughput on PostgreSQL, each figure against a bare insert+commit baseline.

Runs in a throwaway database `bench_orders` (created with psycopg, migrated, dropped at the end)
with its own Redis prefix and channel-layer prefix, so it never touches real data or reaches a
real user's /ws/orders stream.

- service: market orders placed and filled through orders.services.order_place (one transaction
  each: lock, order, trades, position, ledger, account, event after commit);
- REST: the same through POST /api/v1/orders with DRF's test client (routing, auth, throttling,
  serializers included; no network);
- fill on tick: resting limit orders filled by one book_changed signal (the feed's path).
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit, urlunsplit

from bench.common import Result

DB_NAME = "bench_orders"
CODE = "BNCH01"
PREV_CLOSE = 70_000
SERVICE_ORDERS = int(os.environ.get("BENCH_ORDERS_SERVICE_N", "1000"))
REST_ORDERS = int(os.environ.get("BENCH_ORDERS_REST_N", "500"))
TICK_ORDERS = int(os.environ.get("BENCH_ORDERS_TICK_N", "500"))
BASELINE_INSERTS = 2000


def _pg_url() -> str:
    return os.environ.get("DATABASE_URL") or "postgres://papertrade@127.0.0.1:5432/papertrade"


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _recreate_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _setup() -> str:
    """Point Django at the throwaway database (before or after django.setup) and migrate it."""
    url = _pg_url()
    if not url.startswith("postgres"):
        raise RuntimeError("bench_orders needs PostgreSQL: set DATABASE_URL=postgres://...")
    _recreate_database(url)
    os.environ.setdefault("DATABASE_URL", _with_db(url, DB_NAME))
    os.environ.setdefault("PAPERTRADE_TASK_MODE", "eager")
    from bench.common import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connections

    if connections["default"].vendor != "postgresql":
        raise RuntimeError("Django is configured for SQLite; run with DATABASE_URL=postgres://...")
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = DB_NAME
    settings.DATABASES["default"]["NAME"] = DB_NAME

    # Bench-only prefixes for market state and the channel layer.
    from channels.layers import channel_layers

    from market import state

    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer and "prefix" in layer["CONFIG"]:
        layer["CONFIG"] = {**layer["CONFIG"], "prefix": "bench-orders:asgi"}
    channel_layers.backends = {}
    if settings.REDIS_URL:
        from market.redis_state import RedisQuoteStore

        state.set_store(RedisQuoteStore(settings.REDIS_URL, prefix="bench-orders"))
    else:
        state.set_store(state.MemoryQuoteStore())

    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return url


def _baseline_insert_commit(n: int) -> float:
    """Rows/s of one INSERT + COMMIT each, on the same connection (autocommit)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial primary key, value bigint, note text)")
        started = time.perf_counter()
        for i in range(n):
            cursor.execute("INSERT INTO bench_baseline (value, note) VALUES (%s, %s)", [i, "x"])
        elapsed = time.perf_counter() - started
    return n / elapsed


def _book(depth: int = 1_000_000):
    from django.utils import timezone

    from market.rules import tick_down, tick_up
    from market.state import BookLevel, OrderBook

    asks = tuple(BookLevel(tick_up(PREV_CLOSE, i), depth) for i in range(10))
    bids = tuple(BookLevel(tick_down(PREV_CLOSE - 100, i), depth) for i in range(10))
    return OrderBook(code=CODE, asks=asks, bids=bids, time=timezone.now())


def run() -> list[Result]:
    url = _setup()
    try:
        return _measure()
    finally:
        from django.db import connections

        from market import state

        try:
            state.store().clear()
        finally:
            state.set_store(None)
            connections.close_all()
            _drop_database(url)


def _measure() -> list[Result]:
    from django.conf import settings
    from rest_framework.test import APIClient
    from rest_framework.throttling import ScopedRateThrottle

    from accounts.models import User
    from market.models import Symbol
    from market.state import store
    from orders import services
    from orders.models import Order, Trade

    Symbol.objects.create(code=CODE, name="Bench", market="KOSPI", prev_close=PREV_CLOSE)
    store().put(book=_book())
    user = User.objects.create_user(username="bench-orders", password="bench-orders-password")
    account = services.account_create(owner=user, name="bench", initial_cash=10**13)

    baseline = _baseline_insert_commit(BASELINE_INSERTS)
    notes = [
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, channel layer "
        f"{settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}"
    ]

    # Warm up (imports, prepared connection, caches).
    for _ in range(20):
        services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=1)

    started = time.perf_counter()
    for i in range(SERVICE_ORDERS):
        services.order_place(
            account_id=account.pk, symbol=CODE, side="buy" if i % 2 == 0 else "sell", type="market", quantity=1
        )
    service_rate = SERVICE_ORDERS / (time.perf_counter() - started)

    client = APIClient()
    client.force_authenticate(user)
    ScopedRateThrottle.THROTTLE_RATES = {**ScopedRateThrottle.THROTTLE_RATES, "orders": "10000000/min"}
    body = {"account": account.pk, "symbol": CODE, "side": "buy", "type": "market", "quantity": 1}
    for _ in range(10):
        assert client.post("/api/v1/orders", body, format="json").status_code == 201
    started = time.perf_counter()
    for i in range(REST_ORDERS):
        body["side"] = "buy" if i % 2 == 0 else "sell"
        response = client.post("/api/v1/orders", body, format="json")
        assert response.status_code == 201, response.content
    rest_rate = REST_ORDERS / (time.perf_counter() - started)

    # Fill on tick: resting buys below the market, then one book whose asks cross all of them.
    from django.utils import timezone

    from market.signals import book_changed
    from market.state import BookLevel, OrderBook

    store().put(book=OrderBook(code=CODE, asks=(), bids=(), time=timezone.now()))
    for _ in range(TICK_ORDERS):
        services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000)
    crossing = OrderBook(code=CODE, asks=(BookLevel(68_900, 10**9),), bids=(), time=timezone.now())
    filled_before = Trade.objects.count()
    started = time.perf_counter()
    book_changed.send(sender=None, book=crossing)
    tick_rate = TICK_ORDERS / (time.perf_counter() - started)
    filled = Trade.objects.count() - filled_before
    assert filled == TICK_ORDERS, f"{filled} of {TICK_ORDERS} resting orders filled"
    assert not Order.objects.filter(status="new").exists()

    return [
        Result(
            "orders placed+filled / s, service layer (market, 1 fill each)",
            service_rate,
            "orders/s",
            "bare PG insert+commit",
            baseline,
            target="≥1,000 orders/s",
            notes=notes,
        ),
        Result(
            "orders placed+filled / s, REST POST /api/v1/orders",
            rest_rate,
            "orders/s",
            "bare PG insert+commit",
            baseline,
            target="≥300 orders/s",
        ),
        Result(
            "resting orders filled / s on one book tick",
            tick_rate,
            "fills/s",
            "bare PG insert+commit",
            baseline,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result.line())
        for note in result.notes:
            print(f"    {note}")
