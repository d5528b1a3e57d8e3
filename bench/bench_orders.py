"""Order engine throughput on PostgreSQL, each figure against a bare insert+commit baseline.

Runs in a throwaway database `bench_orders` (created with psycopg, migrated, dropped at the end)
with its own Redis prefix and channel-layer prefix, so it never touches real data or reaches a
real user's /ws/orders stream.

- service: market orders placed through orders.services.order_place and filled by the exchange
  (the reservation transaction, the exchange in this process — market.testing's venue over real
  matching engines with a deep book of other participants' orders —, then the booking transaction
  of its fill), from 1 thread and from BENCH_ORDERS_THREADS threads on their own accounts;
- REST: the same through POST /api/v1/orders with DRF's test client (routing, auth, throttling,
  serializers included; no network), 1 and N threads;
- fill on execution: resting limit orders of many accounts filled by one other participant's sell
  that sweeps them (the feed's path: one order_events delivery, booked in one transaction).
The exchange group-commits: commands that queue up while it is busy are booked together, so the
N-thread figures share booking transactions.
Each figure runs for BENCH_ORDERS_SECONDS; the baselines are single-row INSERT + COMMIT on the
same database from the same number of threads, and a Redis round trip, measured in the same run.
Web processes of the services configuration reach the exchange over Redis (market.venue): one
LPUSH + BLPOP pair more per command than measured here.
"""

from __future__ import annotations

import os
import time

from bench.common import Result, cpu_note, cpu_reading, cpu_spent, leave_throwaway_database, use_throwaway_database

DB_NAME = "bench_orders"
CODE = "BNCH01"
PREV_CLOSE = 70_000
SECONDS = float(os.environ.get("BENCH_ORDERS_SECONDS", "4"))  # per measurement
THREADS = int(os.environ.get("BENCH_ORDERS_THREADS", "8"))  # concurrent users in the parallel runs
TICK_ACCOUNTS = 30
TICK_ORDERS_PER_ACCOUNT = 10


def _setup() -> str:
    """The throwaway database, migrated, and bench-only prefixes in Redis. Returns the previous database."""
    previous = use_throwaway_database(DB_NAME, bench="bench_orders")
    from channels.layers import channel_layers
    from django.conf import settings

    from market import state

    # Bench-only prefixes for market state and the channel layer.
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer and "prefix" in layer["CONFIG"]:
        layer["CONFIG"] = {**layer["CONFIG"], "prefix": "bench-orders:asgi"}
    channel_layers.backends = {}
    if settings.REDIS_URL:
        from market.redis_state import RedisQuoteStore

        state.set_store(RedisQuoteStore(settings.REDIS_URL, prefix="bench-orders"))
    else:
        state.set_store(state.MemoryQuoteStore())
    # orders fill in the continuous session only: run on a market clock that is in it
    import datetime as dt

    from market import clock, timetable

    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    clock.set_market_clock(clock.PracticeClock.starting(dt.datetime.combine(day, dt.time(10), tzinfo=timetable.SEOUL)))
    return previous


def _rate(step, *, seconds: float, threads: int = 1) -> float:
    """Calls of step(worker_index, i) per second, over `seconds`, from `threads` threads at once."""
    import threading

    from django.db import connection

    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)
    deadline: list[float] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            i = 0
            while time.perf_counter() < deadline[0]:
                step(index, i)
                i += 1
            counts[index] = i
        finally:
            connection.close()

    if threads == 1:
        started = time.perf_counter()
        i = 0
        while time.perf_counter() - started < seconds:
            step(0, i)
            i += 1
        return i / (time.perf_counter() - started)
    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    started = time.perf_counter()
    deadline.append(started + seconds)
    barrier.wait()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def _with_cpu(step, threads: int) -> tuple[float, str]:
    """_rate(step) from `threads` threads, and where the CPU went per order (this process: the
    service layer and the exchange; PostgreSQL's backends; Redis)."""
    before, started = cpu_reading("this process"), time.perf_counter()
    rate = _rate(step, seconds=SECONDS, threads=threads)
    elapsed = time.perf_counter() - started
    return rate, cpu_note(cpu_spent(before, cpu_reading("this process")), round(rate * elapsed), "order", elapsed)


def _baseline_insert_commit(*, seconds: float, threads: int = 1) -> float:
    """Rows/s of one INSERT + COMMIT each (autocommit), one connection per thread."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial primary key, value bigint, note text)")

    def insert(index: int, i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_baseline (value, note) VALUES (%s, %s)", [i, "x"])

    return _rate(insert, seconds=seconds, threads=threads)


def _book(depth: int = 1_000_000):
    from django.utils import timezone

    from market.rules import tick_down, tick_up
    from market.state import BookLevel, OrderBook

    asks = tuple(BookLevel(tick_up(PREV_CLOSE, i), depth) for i in range(10))
    bids = tuple(BookLevel(tick_down(PREV_CLOSE - 100, i), depth) for i in range(10))
    return OrderBook(code=CODE, asks=asks, bids=bids, time=timezone.now())


def run() -> list[Result]:
    previous = _setup()
    try:
        return _measure()
    finally:
        from market import clock, state

        try:
            state.store().clear()
        finally:
            state.set_store(None)
            clock.set_market_clock(None)
            leave_throwaway_database(DB_NAME, previous)


def _redis_round_trips(seconds: float) -> float | None:
    from django.conf import settings

    if not settings.REDIS_URL:
        return None
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    started, n = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        client.ping()
        n += 1
    return n / (time.perf_counter() - started)


def _measure() -> list[Result]:
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.models import User
    from config.throttling import AtomicScopedRateThrottle
    from market.models import Symbol
    from market.rules import tick_down, tick_up
    from market.testing import Exchange
    from orders import services
    from orders.models import Order, Trade

    Symbol.objects.create(code=CODE, name="Bench", market="KOSPI", prev_close=PREV_CLOSE)
    exchange = Exchange().__enter__()
    for i in range(10):  # a deep book of others' orders on both sides
        exchange.add_liquidity(CODE, "sell", tick_up(PREV_CLOSE, i), 10**8)
        exchange.add_liquidity(CODE, "buy", tick_down(PREV_CLOSE - 100, i), 10**8)
    users = [User.objects.create_user(username=f"bench-orders-{n}") for n in range(THREADS)]
    accounts = [services.account_create(owner=u, name="bench", initial_cash=10**13) for u in users]
    notes = [
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, channel layer "
        f"{settings.CHANNEL_LAYERS['default']['BACKEND'].rsplit('.', 1)[-1]}, {SECONDS:g} s per figure, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start"
    ]

    def place(index: int, i: int) -> None:
        order, _ = services.order_place(
            account_id=accounts[index].pk, symbol=CODE, side="buy" if i % 2 == 0 else "sell", type="market", quantity=1
        )
        assert order.status == "filled", order.reject_reason

    for i in range(20):  # warm up: imports, connection, caches
        place(0, i)
    baseline_1 = _baseline_insert_commit(seconds=SECONDS)
    redis_1 = _redis_round_trips(SECONDS)
    service_1, cpu_1 = _with_cpu(place, 1)
    baseline_n = _baseline_insert_commit(seconds=SECONDS, threads=THREADS)
    service_n, cpu_n = _with_cpu(place, THREADS)

    AtomicScopedRateThrottle.THROTTLE_RATES = {**AtomicScopedRateThrottle.THROTTLE_RATES, "orders": "100000000/min"}
    clients = []
    for user in users:
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)

    def post(index: int, i: int) -> None:
        body = {"account": accounts[index].pk, "symbol": CODE, "side": "buy" if i % 2 == 0 else "sell"}
        response = clients[index].post("/api/v1/orders", {**body, "type": "market", "quantity": 1}, format="json")
        assert response.status_code == 201, response.content

    for i in range(10):
        post(0, i)
    rest_1 = _rate(post, seconds=SECONDS)
    rest_n = _rate(post, seconds=SECONDS, threads=THREADS)

    # Fill on execution: resting buys of many accounts at the best bid, then one sell sweeps them.
    tick_users = [User.objects.create_user(username=f"bench-tick-{n}") for n in range(TICK_ACCOUNTS)]
    for user in tick_users:
        account = services.account_create(owner=user, name="tick", initial_cash=10**12)
        for _ in range(TICK_ORDERS_PER_ACCOUNT):
            services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_900)
    resting = TICK_ACCOUNTS * TICK_ORDERS_PER_ACCOUNT
    filled_before = Trade.objects.count()
    started = time.perf_counter()
    exchange.trade(CODE, 69_900, 10**8 + resting)  # the others' order at that price came first
    tick_rate = resting / (time.perf_counter() - started)
    filled = Trade.objects.count() - filled_before
    assert filled == resting, f"{filled} of {resting} resting orders filled"
    assert not Order.objects.filter(status="new", price=69_900).exists()
    exchange.__exit__()
    if redis_1 is not None:
        notes.append(f"a Redis round trip (PING) in the same run: {redis_1:,.0f}/s")

    target_service, target_rest = "≥600 orders/s", "≥300 orders/s"
    return [
        Result(
            "service layer: market orders placed+filled in the exchange / s (1 thread)",
            service_1,
            "orders/s",
            "bare PG insert+commit, 1 thread",
            baseline_1,
            target=target_service,
            notes=[*notes, cpu_1],
        ),
        Result(
            f"service layer: market orders placed+filled in the exchange / s ({THREADS} threads)",
            service_n,
            "orders/s",
            f"bare PG insert+commit, {THREADS} threads",
            baseline_n,
            target=target_service,
            notes=[cpu_n],
        ),
        Result(
            "REST POST /api/v1/orders placed+filled / s (1 thread)",
            rest_1,
            "orders/s",
            "bare PG insert+commit, 1 thread",
            baseline_1,
            target=target_rest,
        ),
        Result(
            f"REST POST /api/v1/orders placed+filled / s ({THREADS} threads)",
            rest_n,
            "orders/s",
            f"bare PG insert+commit, {THREADS} threads",
            baseline_n,
            target=target_rest,
        ),
        Result(
            f"fill on execution: {resting} resting orders of {TICK_ACCOUNTS} accounts swept / s",
            tick_rate,
            "fills/s",
            "bare PG insert+commit, 1 thread",
            baseline_1,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result.line())
        for note in result.notes:
            print(f"    {note}")
