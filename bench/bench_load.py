"""Load test: N users browsing, streaming quotes and placing orders at once, on loopback.

Real processes in the services configuration: the web tier (`python -m config.serve`, uvicorn with
BENCH_WEB_WORKERS processes) and `manage.py run_feed` (simulated feed + order engine) on a throwaway
PostgreSQL database and a private Redis prefix. Each simulated user logs in with a token, opens
/ws/quotes/<code> and loops: symbol list, quote, order book, a limit or market order, its orders.
Reported: requests/s, p50/p99 latency, error count (5xx and transport errors; domain 4xx such as
"not enough cash" are counted apart), quote messages received. Two baselines at the same
concurrency: the cheapest endpoint (GET /auth/csrf) of the same server, and a bare ASGI app that
answers a constant (bench/bare_asgi.py) from the same server software with the same number of
processes -- the limit of Python HTTP on this machine. The ledger invariants of every account are
checked at the end; the load average is printed beside the figures, and where the CPU went.

The loop has no pause, so its latency is the users' number over the rate (Little's law). After it,
the same mix is offered at fixed rates (BENCH_LOAD_RATES, an open model: each user sends its next
request at its appointed moment, as users with think time do), each beside GET /auth/csrf offered
at the same rate: the p99 a given traffic gets, counted from each request's appointed moment.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bench.common import Result, cpu_note, cpu_reading, cpu_spent, percentile
from tests import servers

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", str(os.cpu_count() or 1)))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
CODES = ["005930", "000660", "035420", "005380", "035720"]
# The same mix offered at fixed rates (an open model), after the closed loop: BENCH_LOAD_RATES req/s.
PACED_RATES = [int(rate) for rate in os.environ.get("BENCH_LOAD_RATES", "100,200,300").split(",") if rate]
PACED_SECONDS = float(os.environ.get("BENCH_LOAD_RATE_SECONDS", "10"))
DB_NAME = "bench_load"

INVARIANTS = """
from orders.models import Account
from orders.tests.invariants import assert_account_invariants
ids = list(Account.objects.values_list("id", flat=True))
for account_id in ids:
    assert_account_invariants(account_id)
print(len(ids))
"""


async def _hammer(url: str, seconds: float) -> tuple[float, list[float], int]:
    """USERS clients GET `url` back to back: (requests/s, latencies in ms, failures)."""
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(url) as resp:
                await resp.read()
                failures += resp.status >= 400
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=USERS)) as session:
        await asyncio.gather(*(worker(session) for _ in range(USERS)))
    return len(latencies) / (time.perf_counter() - started), latencies, failures


async def _sign_up(index: int, base_url: str) -> tuple[str, int]:
    """A user with a token and a funded account (before the clock starts: hashing is slow by design)."""
    async with aiohttp.ClientSession() as session:
        name = f"load{index}_{uuid.uuid4().hex[:6]}"
        async with session.post(
            f"{base_url}/api/v1/auth/register", json={"username": name, "password": "load-test-password-1"}
        ) as resp:
            token = (await resp.json())["token"]
        async with session.post(
            f"{base_url}/api/v1/accounts",
            json={"name": "load", "initial_cash": 50_000_000},
            headers={"Authorization": f"Token {token}"},
        ) as resp:
            return token, (await resp.json())["id"]


Call = tuple[str, str, dict | None]  # a request: method, path, JSON body


def _mix_request(rng: random.Random, code: str, account: int, step: int, quote: dict | None) -> Call:
    """A user's `step`-th request (0-4) of the mix's cycle as (method, path, JSON body): symbol
    search, quote, order book, a limit (at the last quote's best price, half the time) or market
    order, its orders."""
    if step == 0:
        return "GET", "/api/v1/market/symbols?search=" + rng.choice(["삼성", "SK", "0", "NAVER"]), None
    if step == 1:
        return "GET", f"/api/v1/market/quotes/{code}", None
    if step == 2:
        return "GET", f"/api/v1/market/orderbook/{code}", None
    if step == 4:
        return "GET", f"/api/v1/orders?account={account}", None
    side = rng.choice(["buy", "buy", "sell"])
    if quote and quote.get("best_ask") and rng.random() < 0.5:
        order = {"type": "limit", "price": quote["best_ask"] if side == "buy" else quote["best_bid"]}
    else:
        order = {"type": "market"}
    return (
        "POST",
        "/api/v1/orders",
        {"account": account, "symbol": code, "side": side, "quantity": rng.randint(1, 5), **order},
    )


async def _stream_quotes(
    session: aiohttp.ClientSession, base_url: str, code: str, headers: dict, until: float
) -> tuple[int, str | None]:
    """Follow /ws/quotes/<code> until `until`: (messages received, the transport error if it failed)."""
    received = 0
    ws_url = base_url.replace("http://", "ws://")
    try:
        async with session.ws_connect(f"{ws_url}/ws/quotes/{code}", headers={**headers, "Origin": base_url}) as ws:
            while (left := until - time.perf_counter()) > 0:
                try:
                    await asyncio.wait_for(ws.receive(), timeout=max(0.1, left))
                except TimeoutError:
                    break
                received += 1
    except aiohttp.ClientError as exc:
        return received, f"{type(exc).__name__} /ws/quotes/{code}"
    return received, None


async def _user(index: int, base_url: str, deadline: float, stats: dict, login: tuple) -> None:
    rng = random.Random(index)
    token, account = login
    headers = {"Authorization": f"Token {token}"}
    code = CODES[index % len(CODES)]
    async with aiohttp.ClientSession() as session:

        async def stream() -> None:
            received, failed = await _stream_quotes(session, base_url, code, headers, deadline)
            stats["ws_messages"] += received
            if failed:
                stats["errors"] += 1
                stats["error_samples"].append(failed)

        async def call(method: str, path: str, **kwargs) -> dict | None:
            started = time.perf_counter()
            try:
                async with session.request(method, f"{base_url}{path}", headers=headers, **kwargs) as resp:
                    body = await resp.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    stats["latencies"].append(elapsed)
                    stats["by_endpoint"].setdefault(f"{method} {path.split('?')[0].rstrip('0123456789/')}", []).append(
                        elapsed
                    )
                    if resp.status >= 500:
                        stats["errors"] += 1
                        stats["error_samples"].append(f"{resp.status} {method} {path}")
                    elif resp.status >= 400:
                        stats["domain_4xx"] += 1
                    return json.loads(body) if body else None
            except (aiohttp.ClientError, TimeoutError) as exc:
                stats["errors"] += 1
                stats["error_samples"].append(f"{type(exc).__name__} {method} {path}")
                return None

        streamer = asyncio.create_task(stream())
        quote = None
        while time.perf_counter() < deadline:
            for step in range(5):
                method, path, body = _mix_request(rng, code, account, step, quote)
                answer = await call(method, path, json=body)
                if step == 1:
                    quote = answer
        await streamer


async def _sign_up_all(base_url: str) -> list[tuple[str, int]]:
    return [await _sign_up(i, base_url) for i in range(USERS)]


async def _load(base_url: str, logins: list[tuple[str, int]]) -> tuple[float, dict]:
    stats = {"latencies": [], "by_endpoint": {}, "errors": 0, "domain_4xx": 0, "ws_messages": 0, "error_samples": []}
    deadline = time.perf_counter() + SECONDS
    started = time.perf_counter()
    await asyncio.gather(*(_user(i, base_url, deadline, stats, logins[i]) for i in range(USERS)))
    return len(stats["latencies"]) / (time.perf_counter() - started), stats


Request = Callable[[int, int, dict], Call]


async def offer(
    base_url: str,
    logins: list[tuple[str, int]],
    rate: float,
    seconds: float,
    request: Request,
    *,
    streams: bool = False,
) -> dict:
    """`rate` requests/s offered for `seconds`, spread evenly over the users: each user sends its
    next request at its appointed moment whether or not the last was answered (an open model, as
    users with think time are). `request(user, k, quote)` is the user's k-th request as (method,
    path, JSON body); `quote` is the user's last quote answer. With `streams` each user follows its
    symbol's quote stream meanwhile. Returns the latencies (ms, counted from each request's
    appointed moment), the statuses, the transport errors and the rate answered."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    period = len(logins) / rate  # each user's interval between requests
    count = int(seconds * rate / len(logins))

    async def user(session: aiohttp.ClientSession, index: int, start: float) -> None:
        headers = {"Authorization": f"Token {logins[index][0]}"}
        quote: dict = {}

        async def one(k: int, due: float) -> None:
            method, path, body = request(index, k, quote)
            try:
                async with session.request(method, f"{base_url}{path}", headers=headers, json=body) as resp:
                    data = await resp.read()
                    statuses[resp.status] = statuses.get(resp.status, 0) + 1
                    if path.startswith("/api/v1/market/quotes/") and resp.status == 200:
                        quote.update(json.loads(data))
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__} {method} {path}")
                return
            latencies.append((time.perf_counter() - due) * 1000)

        async def stream() -> None:
            _, failed = await _stream_quotes(session, base_url, CODES[index % len(CODES)], headers, start + seconds)
            if failed:
                errors.append(failed)

        tasks = [asyncio.create_task(stream())] if streams else []
        for k in range(count):
            due = start + index * period / len(logins) + k * period
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            tasks.append(asyncio.create_task(one(k, due)))
        await asyncio.gather(*tasks)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        start = time.perf_counter() + 0.5
        await asyncio.gather(*(user(session, i, start) for i in range(len(logins))))
        elapsed = time.perf_counter() - start
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "rate": len(latencies) / elapsed}


def csrf(user: int, k: int, quote: dict) -> Call:
    """The cheapest endpoint, for a baseline offered at the same rate."""
    return "GET", "/api/v1/auth/csrf", None


async def _paced(base_url: str, logins: list[tuple[str, int]], rate: float) -> tuple[dict, dict]:
    """The mix at `rate` requests/s offered, each user keeping its quote stream open, and GET
    /auth/csrf offered at the same rate (the baseline)."""
    rngs = [random.Random(index) for index in range(len(logins))]

    def mix(user: int, k: int, quote: dict) -> Call:
        return _mix_request(rngs[user], CODES[user % len(CODES)], logins[user][1], k % 5, quote)

    return (
        await offer(base_url, logins, rate, PACED_SECONDS, mix, streams=True),
        await offer(base_url, logins, rate, PACED_SECONDS, csrf),
    )


def _failures(run: dict) -> int:
    """What an `offer` run counts as errors: 5xx answers and transport errors."""
    return sum(n for status, n in run["statuses"].items() if status >= 500) + len(run["errors"])


def services_for_bench(db_name: str, prefix: str) -> dict[str, str]:
    """A fresh database `db_name`, migrated and seeded, and the services configuration's environment
    on it with a private Redis prefix, in continuous trading from the first second (the practice
    clock would open at 08:50, in the pre-open call auction; 2026-12-01 is a Tuesday, a KRX
    trading day) and with the throttles out of the way."""
    env = servers.service_env(
        servers.fresh_database(db_name),
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        f"{prefix}{uuid.uuid4().hex[:8]}",
        PAPERTRADE_FEED_RATE="4",
        PAPERTRADE_CLOCK_START="2026-12-01T10:00:00+09:00",
        PAPERTRADE_THROTTLE_LOGIN="100000/min",
        PAPERTRADE_THROTTLE_ORDERS="100000/min",
        PAPERTRADE_TASK_MODE="eager",
    )
    servers.migrate_and_seed(env)
    return env


def run() -> list[Result]:
    env = services_for_bench(DB_NAME, "ptload")
    port = servers.free_port()
    base_url = f"http://127.0.0.1:{port}"
    logs = Path(tempfile.mkdtemp(prefix="bench_load"))
    baseline_seconds = min(8.0, SECONDS / 2)
    load_before = os.getloadavg()
    try:
        bare_cmd = [*servers.web_cmd(port, WORKERS), "--app", "bench.bare_asgi:application"]
        with servers.process(bare_cmd, env, logs / "bare.log"):
            servers.wait_healthy(base_url)
            bare_rps, bare_lat, bare_failures = asyncio.run(_hammer(f"{base_url}/", baseline_seconds))
        with (
            servers.process(servers.web_cmd(port, WORKERS), env, logs / "web.log") as web,
            servers.process(servers.feed_cmd(), env, logs / "feed.log") as feed,
        ):
            servers.wait_healthy(base_url)
            time.sleep(2)  # let the feed publish a first quote and book for every symbol
            cheap_rps, cheap_lat, cheap_failures = asyncio.run(
                _hammer(f"{base_url}/api/v1/auth/csrf", baseline_seconds)
            )
            logins = asyncio.run(_sign_up_all(base_url))
            idle_before = cpu_reading(web=web.pid)
            time.sleep(3)  # what the web processes spend with no request (book mirror, feed ticks)
            idle_cpu = (cpu_reading(web=web.pid)["web"] - idle_before["web"]) / 3
            cpu_before, started = cpu_reading(web=web.pid, feed=feed.pid), time.perf_counter()
            rps, stats = asyncio.run(_load(base_url, logins))
            spent = cpu_spent(cpu_before, cpu_reading(web=web.pid, feed=feed.pid))
            wall = time.perf_counter() - started
            paced = [(rate, *asyncio.run(_paced(base_url, logins, rate))) for rate in PACED_RATES]
        load_after = os.getloadavg()
        checked = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", INVARIANTS],
            env=env,
            cwd=servers.ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        servers.drop_database(DB_NAME)
    invariants = (
        f"ledger invariants hold on {checked.stdout.strip().splitlines()[-1]} accounts"
        if checked.returncode == 0
        else f"LEDGER INVARIANTS BROKEN: {checked.stderr[-2000:]}"
    )
    lat = stats["latencies"]
    notes = [
        f"{USERS} users for {SECONDS:.0f} s against {WORKERS} uvicorn worker(s) on {os.cpu_count()} cores: "
        f"{len(lat)} requests, {stats['errors']} errors (5xx/transport), "
        f"{stats['domain_4xx']} domain refusals (4xx), {stats['ws_messages']} quote messages streamed",
        invariants,
        f"baselines at {USERS} users: bare ASGI {bare_rps:,.0f} req/s (p50 {percentile(bare_lat, 50):.1f} ms, "
        f"p99 {percentile(bare_lat, 99):.1f} ms, {bare_failures} failed); GET /auth/csrf {cheap_rps:,.0f} req/s "
        f"(p50 {percentile(cheap_lat, 50):.1f} ms, p99 {percentile(cheap_lat, 99):.1f} ms, {cheap_failures} failed)",
        f"{cpu_note(spent, len(lat), 'request', wall)}; idle, the web processes use {idle_cpu:.0%} of a core",
        "p50/p99 by endpoint: "
        + "; ".join(
            f"{name} {percentile(ms, 50):.0f}/{percentile(ms, 99):.0f} ms" for name, ms in stats["by_endpoint"].items()
        ),
        "load average (1, 5, 15 min) before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        ),
    ]
    if stats["error_samples"]:
        from collections import Counter

        notes.append(f"errors: {dict(Counter(stats['error_samples']).most_common(5))}")
    return [
        Result(
            "load: mixed browse/stream/order requests per second",
            rps,
            "req/s",
            "GET /auth/csrf",
            cheap_rps,
            target=">= 300 req/s and >= 0.6x",
            notes=notes,
        ),
        Result("load: mixed requests per second vs bare ASGI", rps, "req/s", "bare ASGI app", bare_rps),
        Result("load: GET /auth/csrf vs bare ASGI", cheap_rps, "req/s", "bare ASGI app", bare_rps),
        Result(
            "load: p50 latency",
            percentile(lat, 50),
            "ms",
            "bare ASGI p50",
            percentile(bare_lat, 50),
            higher_is_better=False,
        ),
        Result(
            "load: p99 latency",
            percentile(lat, 99),
            "ms",
            "bare ASGI p99",
            percentile(bare_lat, 99),
            higher_is_better=False,
            target="< 150 ms",
        ),
        Result("load: errors (5xx and transport)", float(stats["errors"]), "count", target="0"),
        *(
            Result(
                f"load: mixed p99 at {rate} req/s offered (open model)",
                percentile(mix["latencies"], 99),
                "ms",
                f"GET /auth/csrf p99 at {rate}/s",
                percentile(cheap["latencies"], 99),
                higher_is_better=False,
                notes=[
                    f"{USERS} users with their quote streams, {PACED_SECONDS:g} s: {len(mix['latencies'])} answered "
                    f"at {mix['rate']:,.0f}/s, p50 {percentile(mix['latencies'], 50):.1f} ms, "
                    f"{_failures(mix)} errors (5xx/transport); GET /auth/csrf at the same rate: "
                    f"p50 {percentile(cheap['latencies'], 50):.1f} ms"
                ],
            )
            for rate, mix, cheap in paced
        ),
    ]
