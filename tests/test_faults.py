"""Faults caused for real on this machine: a Celery worker killed in the middle of an ingestion job,
Redis stopped and started under live streams, PostgreSQL restarted under a stream of orders."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
import requests

from tests import servers

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _job(database_url: str, job_id: int) -> dict:
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT status, attempts, progress, message, result, error FROM jobs_job WHERE id = %s", (job_id,)
        ).fetchone()
    return dict(zip(["status", "attempts", "progress", "message", "result", "error"], row, strict=True))


def test_worker_killed_mid_ingestion_job_completes_exactly_after_restart(tmp_path):
    import exchange_calendars

    name = f"pt_fault_worker_{os.getpid()}"
    database_url = servers.fresh_database(name)
    try:
        with servers.private_redis(tmp_path) as (redis_port, _, _):
            env = servers.service_env(
                database_url,
                f"redis://127.0.0.1:{redis_port}/0",
                "ptfault",
                PAPERTRADE_TASK_MODE="celery",
                PAPERTRADE_CELERY_VISIBILITY_TIMEOUT="5",
            )
            servers.migrate_and_seed(env)
            start, end = dt.date(2008, 1, 1), dt.date(2015, 12, 31)
            created = servers.manage(
                env,
                "shell",
                "-c",
                "import datetime as dt; from market.models import Symbol; from historical import services;"
                "codes = list(Symbol.objects.filter(is_active=True).values_list('code', flat=True));"
                f"job = services.backfill_job_create(codes=codes, start=dt.date({start.year}, 1, 1),"
                f" end=dt.date({end.year}, 12, 31), source='synthetic'); print(job.pk, len(codes))",
            )
            job_id, symbols = (int(x) for x in created.strip().splitlines()[-1].split())

            first = subprocess.Popen(
                servers.celery_worker_cmd("first"),
                env=env,
                cwd=servers.ROOT,
                stdout=(tmp_path / "worker1.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.time() + 120
            while _job(database_url, job_id)["status"] != "running":
                assert time.time() < deadline, "the job never started"
                assert first.poll() is None, (tmp_path / "worker1.log").read_text()[-3000:]
                time.sleep(0.05)
            os.killpg(first.pid, signal.SIGKILL)  # no warm shutdown, no ack: the task is mid-flight
            first.wait(timeout=10)
            killed_at = _job(database_url, job_id)
            assert killed_at["status"] == "running"

            with servers.process(servers.celery_worker_cmd("second"), env, tmp_path / "worker2.log"):
                deadline = time.time() + 300
                while (job := _job(database_url, job_id))["status"] in ("queued", "running"):
                    assert time.time() < deadline, f"the job did not finish after the restart: {job}"
                    time.sleep(0.5)
            assert job["status"] == "succeeded", job
            assert job["attempts"] >= 2, "the redelivered task should have started the job again"

        sessions = len(exchange_calendars.get_calendar("XKRX").sessions_in_range(start.isoformat(), end.isoformat()))
        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
            counts = conn.execute(
                "SELECT symbol_id, count(*), count(DISTINCT time) FROM historical_candle"
                " WHERE time >= %s AND time < %s GROUP BY symbol_id",
                (start, end + dt.timedelta(days=1)),
            ).fetchall()
        assert len(counts) == symbols
        assert {(total, distinct) for _, total, distinct in counts} == {(sessions, sessions)}, "gaps or duplicates"
    finally:
        servers.drop_database(name)


def _next_trade(ws_url: str, headers: dict[str, str], origin: str, timeout: float) -> dict:
    """Connect (again) to /ws/quotes/005930 and wait for a trade message."""
    from websockets.sync.client import connect

    deadline = time.time() + timeout
    last_error: Exception | None = None
    while time.time() < deadline:
        try:
            with connect(f"{ws_url}/ws/quotes/005930", additional_headers={**headers, "Origin": origin}) as ws:
                while time.time() < deadline:
                    message = json.loads(ws.recv(timeout=max(0.1, deadline - time.time())))
                    if message.get("type") == "trade":
                        return message
        except Exception as exc:  # closed while Redis recovers: reconnect as the SPA does
            last_error = exc
            time.sleep(0.5)
    raise AssertionError(f"no trade within {timeout}s: {last_error!r}")


def test_redis_stop_and_start_streaming_resumes_without_restarts(tmp_path):
    name = f"pt_fault_redis_{os.getpid()}"
    database_url = servers.fresh_database(name)
    try:
        with servers.private_redis(tmp_path) as (redis_port, stop_redis, start_redis):
            env = servers.service_env(
                database_url,
                f"redis://127.0.0.1:{redis_port}/0",
                "ptredis",
                PAPERTRADE_FEED_RATE="10",
                **servers.busy_market_env(),
            )
            servers.migrate_and_seed(env)
            port = servers.free_port()
            base_url, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
            with (
                servers.process(servers.web_cmd(port), env, tmp_path / "web.log") as web,
                servers.process(servers.feed_cmd(), env, tmp_path / "feed.log") as feed,
            ):
                servers.wait_healthy(base_url)
                headers = servers.demo_headers(base_url)
                assert _next_trade(ws_url, headers, base_url, timeout=60)["trade"]["code"] == "005930"

                stop_redis()
                time.sleep(2)
                # REST keeps answering from the database while Redis is away.
                symbols = requests.get(f"{base_url}/api/v1/market/symbols", headers=headers, timeout=15)
                assert symbols.status_code == 200, symbols.text
                assert requests.get(f"{base_url}/api/v1/accounts", headers=headers, timeout=15).status_code == 200
                health = requests.get(f"{base_url}/api/v1/health", timeout=15)
                assert health.status_code == 503 and health.json()["checks"]["channel_layer"]["ok"] is False
                time.sleep(3)

                start_redis()
                trade = _next_trade(ws_url, headers, base_url, timeout=90)
                assert trade["trade"]["code"] == "005930"
                assert web.poll() is None and feed.poll() is None, "a process had to be restarted"
                assert requests.get(f"{base_url}/api/v1/health", timeout=15).status_code == 200
    finally:
        servers.drop_database(name)


INVARIANTS = """
from orders.models import Account, Order
from orders.tests.invariants import assert_account_invariants
for account_id in Account.objects.values_list("id", flat=True):
    assert_account_invariants(account_id)
import itertools
import json
print(json.dumps(list(Order.objects.values_list("client_order_id", flat=True))))
"""


@pytest.mark.skipif(not servers.PG_BIN.exists(), reason="PostgreSQL server binaries not installed")
def test_postgres_restart_under_a_stream_of_orders_loses_nothing(tmp_path):
    with (
        servers.private_postgres() as (pg_port, restart_postgres),
        servers.private_redis(tmp_path) as (redis_port, _, _),
    ):
        env = servers.service_env(
            f"postgres://papertrade@127.0.0.1:{pg_port}/papertrade",
            f"redis://127.0.0.1:{redis_port}/0",
            "ptpg",
            PAPERTRADE_FEED_RATE="10",
            PAPERTRADE_THROTTLE_ORDERS="100000/min",
            **servers.busy_market_env(),
            PAPERTRADE_DB_POOL_TIMEOUT="3",
        )
        servers.migrate_and_seed(env)
        port = servers.free_port()
        base_url = f"http://127.0.0.1:{port}"
        with (
            servers.process(servers.web_cmd(port), env, tmp_path / "web.log") as web,
            servers.process(servers.feed_cmd(), env, tmp_path / "feed.log") as feed,
        ):
            servers.wait_exchange(base_url)
            headers = servers.demo_headers(base_url)
            account = requests.get(f"{base_url}/api/v1/accounts", headers=headers, timeout=10).json()["results"][0]
            outcomes: list[tuple[str, int | str]] = []
            stop = threading.Event()

            def place_orders(stream: int) -> None:
                session = requests.Session()
                n = 0
                while not stop.is_set():
                    n += 1
                    client_order_id = f"stream{stream}-{n}"
                    body = {
                        "account": account["id"],
                        "symbol": "005930" if n % 2 else "000660",
                        "side": "buy" if n % 3 else "sell",
                        "type": "market",
                        "quantity": 1,
                        "client_order_id": client_order_id,
                    }
                    try:
                        response = session.post(f"{base_url}/api/v1/orders", json=body, headers=headers, timeout=15)
                        outcomes.append((client_order_id, response.status_code))
                    except requests.RequestException as exc:
                        outcomes.append((client_order_id, type(exc).__name__))
                    time.sleep(0.02)

            def postmaster_started() -> object:
                with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg_port}/postgres") as conn:
                    return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]

            placers = [threading.Thread(target=place_orders, args=(i,)) for i in range(4)]
            for placer in placers:
                placer.start()
            time.sleep(4)
            before = (postmaster_started(), len(outcomes))
            restart_postgres()
            after = (postmaster_started(), len(outcomes))
            time.sleep(6)
            stop.set()
            for placer in placers:
                placer.join(timeout=30)
            assert after[0] > before[0], "PostgreSQL did not restart"
            assert before[1] > 0 and len(outcomes) > after[1], "orders did not stream on both sides of the restart"

            codes = [status for _, status in outcomes]
            assert any(s in (201, 422) for s in codes[:5]), f"orders were not accepted before the restart: {codes[:5]}"
            # An order caught by the restart is refused with 503 (its transaction rolled back); the
            # pool's health checks replace dead connections, so most never notice the restart.
            refused = [cid for cid, status in outcomes if status not in (201, 422)]
            assert all(s in (201, 422, 503) for s in codes), f"unexpected answers: {sorted(set(map(str, codes)))}"
            assert codes[-1] in (201, 422), "orders are not accepted again after the restart"
            assert web.poll() is None and feed.poll() is None, "a process died with the database restart"

            # The client retries what it saw refused, with the same client_order_id: exactly one order each.
            for client_order_id, _ in outcomes:
                if client_order_id in refused:
                    retry = requests.post(
                        f"{base_url}/api/v1/orders",
                        json={
                            "account": account["id"],
                            "symbol": "005930",
                            "side": "buy",
                            "type": "market",
                            "quantity": 1,
                            "client_order_id": client_order_id,
                        },
                        headers=headers,
                        timeout=15,
                    )
                    assert retry.status_code in (200, 201, 422), retry.text

        checked = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", INVARIANTS],
            env=env,
            cwd=servers.ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert checked.returncode == 0, checked.stderr[-3000:]
        stored = json.loads(checked.stdout.strip().splitlines()[-1])
        accepted = {cid for cid, status in outcomes if status == 201}
        assert accepted <= set(stored), "an order the client saw accepted is missing"
        assert len(stored) == len(set(stored)), "a client_order_id was stored twice"


RESTING = """
import itertools
import json
from orders.models import Order, Trade
rows = list(
    Order.objects.values("id", "client_order_id", "status", "price", "quantity", "filled_quantity", "queue_key")
)
fills = {}
for order_id, exec_id in Trade.objects.values_list("order_id", "exec_id"):
    fills.setdefault(order_id, []).append(exec_id)
print(json.dumps({"orders": rows, "fills": {str(k): v for k, v in fills.items()}}))
"""


def test_book_owner_killed_under_a_stream_of_orders_loses_none_and_keeps_priority(tmp_path):
    """SIGKILL the process that owns the books while four clients stream orders: orders answer 503
    while it is away; once a new owner has taken over, every accepted order is resting in the book
    in its original priority or filled, exactly once, and the ledger's invariants hold."""
    name = f"pt_fault_owner_{os.getpid()}"
    database_url = servers.fresh_database(name)
    try:
        with servers.private_redis(tmp_path) as (redis_port, _, _):
            env = servers.service_env(
                database_url,
                f"redis://127.0.0.1:{redis_port}/0",
                "ptowner",
                PAPERTRADE_FEED_RATE="10",
                PAPERTRADE_THROTTLE_ORDERS="100000/min",
                **servers.busy_market_env(speed=10),
            )
            servers.migrate_and_seed(env)
            port = servers.free_port()
            base_url = f"http://127.0.0.1:{port}"
            with servers.process(servers.web_cmd(port), env, tmp_path / "web.log") as web:
                first_owner = subprocess.Popen(
                    servers.feed_cmd(),
                    env=env,
                    cwd=servers.ROOT,
                    stdout=(tmp_path / "feed-1.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                try:
                    servers.wait_exchange(base_url)
                    headers = servers.demo_headers(base_url)
                    account = requests.get(f"{base_url}/api/v1/accounts", headers=headers, timeout=10).json()
                    account_id = account["results"][0]["id"]
                    quote = requests.get(f"{base_url}/api/v1/market/quotes/005930", headers=headers, timeout=10)
                    lower = quote.json()["lower_limit"]
                    from market.rules import tick_up

                    # Buys a few ticks above the lower limit rest all day; one price in three is shared
                    # by every stream, so their relative priority there is tested.
                    prices = [tick_up(lower, n) for n in (1, 2, 3)]
                    outcomes: list[tuple[str, int | str]] = []
                    stop = threading.Event()

                    def place_orders(stream: int) -> None:
                        session = requests.Session()
                        n = 0
                        while not stop.is_set():
                            n += 1
                            body: dict = {
                                "account": account_id,
                                "symbol": "005930",
                                "side": "buy",
                                "quantity": 1 + n % 3,
                                "client_order_id": f"owner{stream}-{n}",
                            }
                            if n % 4 == 0:
                                body |= {"type": "market", "quantity": 1}  # fills against the others
                            else:
                                body |= {"type": "limit", "price": prices[n % 3]}
                            try:
                                response = session.post(
                                    f"{base_url}/api/v1/orders", json=body, headers=headers, timeout=15
                                )
                                outcomes.append((body["client_order_id"], response.status_code))
                            except requests.RequestException as exc:
                                outcomes.append((body["client_order_id"], type(exc).__name__))
                            time.sleep(0.05)

                    placers = [threading.Thread(target=place_orders, args=(i,)) for i in range(4)]
                    for placer in placers:
                        placer.start()
                    time.sleep(4)
                    # The exchange's priority as the ledger recorded it, just before the kill.
                    before_kill = json.loads(servers.manage(env, "shell", "-c", RESTING).strip().splitlines()[-1])
                    accepted_before = sum(1 for _, s in outcomes if s == 201)
                    os.killpg(first_owner.pid, signal.SIGKILL)
                    first_owner.wait(timeout=10)
                    time.sleep(3)
                    refused_while_away = [s for _, s in outcomes[-10:]]
                finally:
                    servers.stop(first_owner)
                with servers.process(servers.feed_cmd(), env, tmp_path / "feed-2.log"):
                    servers.wait_exchange(base_url, timeout=120)  # the dead owner's lock expires first
                    time.sleep(4)
                    stop.set()
                    for placer in placers:
                        placer.join(timeout=30)
                    assert web.poll() is None, "the web process died with the book owner"
                    assert accepted_before > 0, "no order was accepted before the kill"
                    assert 503 in refused_while_away, f"not refused while the owner was away: {refused_while_away}"
                    assert outcomes[-1][1] == 201, f"orders are not accepted again: {outcomes[-5:]}"
                    codes = {str(s) for _, s in outcomes}
                    assert codes <= {"201", "503"}, f"unexpected answers: {sorted(codes)}"

                    state = json.loads(servers.manage(env, "shell", "-c", RESTING).strip().splitlines()[-1])
                    by_client = {row["client_order_id"]: row for row in state["orders"]}
                    assert len(by_client) == len(state["orders"]), "an order was recorded twice"
                    accepted = [cid for cid, s in outcomes if s == 201]
                    for cid in accepted:  # recorded once, and in the book or filled
                        assert by_client[cid]["status"] in ("new", "partially_filled", "filled"), by_client[cid]
                    # A 503 records nothing, unless the owner took the order just before it died: then
                    # the order lives like any other (its client_order_id finds it), checked below.
                    refused = [cid for cid, s in outcomes if s == 503]
                    assert set(by_client) <= set(accepted) | set(refused), "an order nobody placed"
                    assert any(cid not in by_client for cid in refused), "every refused order was recorded all the same"
                    all_fills = [e for fills in state["fills"].values() for e in fills]
                    assert len(all_fills) == len(set(all_fills)), "an execution was booked twice"

                    # Every open order is in the new owner's book, and those from before the kill
                    # in the priority they had then.
                    resting = [r for r in state["orders"] if r["status"] in ("new", "partially_filled")]
                    assert resting, "no order rests in the book"
                    earlier = {r["id"]: r["queue_key"] for r in before_kill["orders"] if r["queue_key"]}
                    ahead_of: dict[int, int] = {}
                    for row in resting:
                        detail = requests.get(f"{base_url}/api/v1/orders/{row['id']}", headers=headers, timeout=10)
                        ahead = detail.json()["queue_ahead"]
                        assert ahead is not None, f"order {row['id']} is open in the ledger but not in the book"
                        ahead_of[row["id"]] = ahead
                    survivors = [r for r in resting if r["id"] in earlier]
                    assert survivors, "none of the orders from before the kill is still resting"
                    by_price: dict[int, list[dict]] = {}
                    for row in sorted(survivors, key=lambda r: earlier[r["id"]]):
                        by_price.setdefault(row["price"], []).append(row)
                    for price, queue in by_price.items():
                        for first, second in itertools.pairwise(queue):
                            open_first = first["quantity"] - first["filled_quantity"]
                            assert ahead_of[second["id"]] >= ahead_of[first["id"]] + open_first, (
                                f"priority at {price} lost: order {second['id']} is now ahead of {first['id']}"
                            )

                    check = servers.manage(env, "shell", "-c", INVARIANTS)
                    assert check.strip(), "the invariants did not run"
    finally:
        servers.drop_database(name)
