"""Order latency at a fixed offered rate, in the services configuration (issue target: p99 < 30 ms at
200 orders/s from 50 users).

Real processes, as bench_load starts them: the web tier (`python -m config.serve`, BENCH_WEB_WORKERS
uvicorn processes) and `manage.py run_feed` (the synthetic market and the book owner) on a
throwaway PostgreSQL database and a private Redis prefix. USERS users, each with a token and a
funded account, send `POST /api/v1/orders` (a market buy of one share: the answer carries its
immediate fill) on a fixed schedule — open loop: each order leaves at its appointed moment whether
or not the user's previous one has been answered, and its latency counts from that moment, so a
server that falls behind shows it in the figures instead of slowing the senders down.

Each offered rate runs for BENCH_ORDER_RATE_SECONDS. The baseline is the same server's cheapest
endpoint (`GET /api/v1/auth/csrf`) offered at the same rate by the same users.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.bench_load import CODES, _sign_up_all, csrf, offer, services_for_bench
from bench.common import Result, cpu_note, cpu_reading, cpu_spent, percentile
from tests import servers

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", str(os.cpu_count() or 1)))
SECONDS = float(os.environ.get("BENCH_ORDER_RATE_SECONDS", "8"))
RATES = [int(r) for r in os.environ.get("BENCH_ORDER_RATES", "50,100,200").split(",")]
DB_NAME = "bench_order_rate"


def _market_buy(logins: list[tuple[str, int]]):
    """Each user's requests: a market buy of one share of its symbol."""

    def order(user: int, k: int, quote: dict) -> tuple[str, str, dict]:
        body = {"account": logins[user][1], "symbol": CODES[user % len(CODES)], "side": "buy", "type": "market"}
        return "POST", "/api/v1/orders", {**body, "quantity": 1}

    return order


def run() -> list[Result]:
    env = services_for_bench(DB_NAME, "ptrate")
    port = servers.free_port()
    base_url = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="bench_order_rate"))
    measured: list[tuple[int, dict, dict]] = []
    try:
        with (
            servers.process(servers.web_cmd(port, WORKERS), env, logs / "web.log") as web,
            servers.process(servers.feed_cmd(), env, logs / "feed.log") as feed,
        ):
            servers.wait_exchange(base_url)
            time.sleep(2)  # a first quote and book for every symbol
            logins = asyncio.run(_sign_up_all(base_url))
            buy = _market_buy(logins)
            asyncio.run(offer(base_url, logins, 20, SECONDS, buy))  # warm up: connections, imports
            for rate in RATES:
                cheap = asyncio.run(offer(base_url, logins, rate, SECONDS, csrf))
                before, started = cpu_reading(web=web.pid, feed=feed.pid), time.perf_counter()
                orders = asyncio.run(offer(base_url, logins, rate, SECONDS, buy))
                orders["cpu"] = cpu_note(
                    cpu_spent(before, cpu_reading(web=web.pid, feed=feed.pid)),
                    len(orders["latencies"]),
                    "order",
                    time.perf_counter() - started,
                )
                measured.append((rate, orders, cheap))
    finally:
        servers.drop_database(DB_NAME)
    results = []
    for rate, orders, cheap in measured:
        lat = orders["latencies"]
        refused = sum(n for status, n in orders["statuses"].items() if status != 201)
        note = (
            f"{USERS} users, {WORKERS} uvicorn worker(s), {os.cpu_count()} cores, {SECONDS:g} s: "
            f"{len(lat)} orders answered at {orders['rate']:,.0f}/s, p50 {percentile(lat, 50):.1f} ms, "
            f"{refused} not 201 ({orders['statuses']}), {len(orders['errors'])} transport errors; "
            f"GET /auth/csrf at the same rate: p50 {percentile(cheap['latencies'], 50):.1f} ms, "
            f"p99 {percentile(cheap['latencies'], 99):.1f} ms"
        )
        results.append(
            Result(
                f"REST order → answer with its fill, p99 at {rate} orders/s offered",
                percentile(lat, 99),
                "ms",
                f"GET /auth/csrf p99 at {rate}/s",
                percentile(cheap["latencies"], 99),
                higher_is_better=False,
                target="< 30 ms at 200 orders/s" if rate == 200 else "",
                notes=[note, orders["cpu"]],
            )
        )
    return results
