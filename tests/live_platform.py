"""A real papertrade server for the tests of the Python client and the MCP server: daphne on a free
port with a fresh database (a session fixture; test modules import `platform_server`).

The embedded run (PAPERTRADE_TEST_EMBEDDED=1) starts the embedded default (SQLite, in-process feed
and channel layer); otherwise a fresh PostgreSQL database and Redis, with the feed as its own
process, as in production. The market clock is a practice clock at 10:00 of the next trading day,
so the synthetic market trades continuously while the tests run.
PAPERTRADE_TEST_SERVER_URL=http://127.0.0.1:8000 runs the tests against a server you started with
demo data instead (`make run`), as E2E_BASE_URL does for the browser tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from papertrade import Client, NotFound

from tests import servers

DEMO_USER, DEMO_PASSWORD = "demo", "papertrade-demo"


@dataclass(frozen=True)
class PlatformServer:
    url: str
    env: dict[str, str]
    log_dir: Path


@pytest.fixture
def demo(platform_server: PlatformServer) -> Iterator[Client]:
    """The demo user's client, logged in with a token."""
    client = Client(platform_server.url)
    client.login(DEMO_USER, DEMO_PASSWORD)
    yield client
    client.close()


def _warm_up(url: str) -> None:
    """The first requests of a fresh server (imports, the first password hash, the feed's first books, the
    first quote subscription) are slow on a loaded machine; made once here, so no test's timeout pays for them."""
    with Client(url, timeout=180) as client:
        client.login(DEMO_USER, DEMO_PASSWORD)
        client.orders()
        deadline = time.monotonic() + 120
        while True:  # until the feed has published both symbols the tests trade
            try:
                for code in ("005930", "000660"):
                    client.quote(code)
                    client.order_book(code)
                break
            except NotFound:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        # With Redis, a web process loads its mirror of the books on the first quote subscription.
        asyncio.run(_first_subscription(client))


async def _first_subscription(client: Client) -> None:
    stream = client.stream_quotes(["005930"])
    try:
        async with asyncio.timeout(180):
            async for message in stream:
                if message["type"] == "subscribed":
                    return
    finally:
        await stream.aclose()


def _clock_start() -> str:
    from market import timetable

    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=timetable.SEOUL).isoformat()


@pytest.fixture(scope="session")
def platform_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformServer]:
    log_dir = tmp_path_factory.mktemp("client-server")
    if os.environ.get("PAPERTRADE_TEST_SERVER_URL"):
        yield PlatformServer(url=os.environ["PAPERTRADE_TEST_SERVER_URL"].rstrip("/"), env={}, log_dir=log_dir)
        return
    embedded = bool(os.environ.get("PAPERTRADE_TEST_EMBEDDED"))
    prefix = f"ptclient{uuid.uuid4().hex[:8]}"
    database = f"test_client_{uuid.uuid4().hex[:8]}"
    extra = {
        "PAPERTRADE_VAR_DIR": str(log_dir / "var"),
        "PAPERTRADE_MARKET_CLOCK": "practice",
        "PAPERTRADE_CLOCK_START": _clock_start(),
        "PAPERTRADE_FEED_RATE": "10",
        # every test logs in as it would from a notebook: the default (10 a minute) is for people
        "PAPERTRADE_THROTTLE_LOGIN": "1000/min",
    }
    if embedded:
        env = servers.service_env("", "", prefix, **extra)
    else:
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
        env = servers.service_env(servers.fresh_database(database), redis_url, prefix, **extra)
    try:
        servers.migrate_and_seed(env)
        port = servers.free_port()
        url = f"http://127.0.0.1:{port}"
        with contextlib.ExitStack() as stack:
            stack.enter_context(servers.process(servers.web_cmd(port), env, log_dir / "web.log"))
            if not embedded:
                stack.enter_context(servers.process(servers.feed_cmd(), env, log_dir / "feed.log"))
            servers.wait_exchange(url)
            _warm_up(url)
            yield PlatformServer(url=url, env=env, log_dir=log_dir)
    finally:
        if not embedded:
            servers.drop_database(database)
