"""The Python client and the `papertrade` command against a real server (tests/live_platform.py):
login by token and by session, errors carrying the API's message and fields, market data and
candles as DataFrames, an order placed from the command line arriving on `stream_orders()`, and
streams that come back and resubscribe after the connection drops."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest
from papertrade import AuthenticationError, Client, InvalidRequest, NotFound, StreamError
from rich.cells import cell_len

from accounts.api import INVALID_CREDENTIALS
from tests.live_platform import DEMO_PASSWORD, DEMO_USER

CODE, OTHER = "005930", "000660"


async def _next(stream: AsyncIterator[dict[str, Any]], kind: str | tuple[str, ...], timeout: float = 20) -> dict:
    """The stream's next message of `kind` (skipping others)."""
    kinds = (kind,) if isinstance(kind, str) else kind

    async def first() -> dict:
        async for message in stream:
            if message.get("type") in kinds:
                return message
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(first(), timeout)


def _resting_limit(client: Client, code: str) -> int:
    """A buy limit that rests in the book: the day's lower limit (하한가), always on the tick grid."""
    return int(client.symbol(code)["price_limits"]["lower"])


def _cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRADE_")}
    env["PAPERTRADE_CONFIG"] = str(home / "credentials.json")
    return subprocess.run(
        [sys.executable, "-m", "papertrade", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- REST ------------------------------------------------------------------------------------------


def test_token_login_reads_the_users_accounts_and_session_login_writes_with_csrf(platform_server):
    with Client(platform_server.url) as by_token:
        user = by_token.login(DEMO_USER, DEMO_PASSWORD)
        assert user["username"] == DEMO_USER and by_token.token
        accounts = by_token.accounts()
        assert accounts and all(a["equity"] >= 0 for a in accounts)

    # The same token works on its own, as a script given only the token would use it.
    with Client(platform_server.url, token=by_token.token) as script:
        assert script.me()["username"] == DEMO_USER

    # A session (the web app's way): writes carry the CSRF token Django asks for.
    with Client(platform_server.url) as browser_like:
        browser_like.login(DEMO_USER, DEMO_PASSWORD, session=True)
        account = browser_like.default_account()
        order = browser_like.buy(account["id"], CODE, 1, limit=_resting_limit(browser_like, CODE))
        assert order["status"] == "new"
        assert browser_like.cancel_order(order["id"])["status"] == "cancelled"
        browser_like.logout()
        with pytest.raises(AuthenticationError):
            browser_like.accounts()


def test_errors_carry_the_apis_message_and_field_errors(platform_server, demo):
    with Client(platform_server.url) as anonymous:
        with pytest.raises(InvalidRequest) as refused:
            anonymous.login(DEMO_USER, "not-the-password")
        assert refused.value.message == INVALID_CREDENTIALS and refused.value.status == 422
        with pytest.raises(AuthenticationError):
            anonymous.accounts()

    account = demo.default_account()
    with pytest.raises(InvalidRequest) as invalid:
        demo.place_order(account["id"], CODE, "buy", 0, price=70_000)
    assert "quantity" in invalid.value.fields and invalid.value.fields["quantity"]
    assert invalid.value.message and "quantity" in str(invalid.value)

    with pytest.raises(NotFound) as missing:
        demo.account(999_999)
    assert missing.value.message and missing.value.status == 404


def test_market_data_and_candles_as_dataframes(demo):
    found = demo.symbols("삼성", limit=5)
    assert found and all("삼성" in s["name"] for s in found)

    quote = demo.quote(CODE)
    assert quote["code"] == CODE and quote["price"] > 0
    both = demo.quotes([CODE, OTHER])
    assert [q["code"] for q in both] == [CODE, OTHER]

    book = demo.order_book(CODE)
    asks, bids = [level["price"] for level in book["asks"]], [level["price"] for level in book["bids"]]
    assert asks == sorted(asks) and bids == sorted(bids, reverse=True) and bids[0] < asks[0]

    candles = demo.candles(CODE)
    assert list(candles.columns) == ["open", "high", "low", "close", "volume", "value"]
    assert isinstance(candles.index, pd.DatetimeIndex) and candles.index.is_monotonic_increasing
    assert len(candles) > 30 and (candles["high"] >= candles["low"]).all()
    assert candles.attrs["symbol"] == CODE and isinstance(candles.attrs["simulated"], bool)
    start = candles.index[-10].date()
    assert len(demo.candles(CODE, start=start)) == 10
    weekly = demo.candles(CODE, timeframe="1w", start=start)
    assert 2 <= len(weekly) <= 3 and (weekly.index.dayofweek == 0).all()

    assert isinstance(demo.strategies(), list)


# --- the command line and the order stream -------------------------------------------------------------


async def test_an_order_placed_from_the_cli_shows_up_on_stream_orders(platform_server, demo, tmp_path):
    login_args = ["login", "--url", platform_server.url, "--username", DEMO_USER, "--password-stdin"]
    login = await asyncio.to_thread(_cli, tmp_path, *login_args, stdin=DEMO_PASSWORD + "\n")
    assert login.returncode == 0, login.stderr
    stored = json.loads((tmp_path / "credentials.json").read_text())
    assert stored["token"] and stored["url"] == platform_server.url
    assert (tmp_path / "credentials.json").stat().st_mode & 0o077 == 0

    stream = demo.stream_orders()
    assert (await _next(stream, "hello"))["stream"] == "orders"
    limit = _resting_limit(demo, CODE)
    placed = await asyncio.to_thread(_cli, tmp_path, "--json", "buy", CODE, "3", "--limit", str(limit))
    assert placed.returncode == 0, placed.stderr
    order = json.loads(placed.stdout)
    assert (order["symbol"], order["side"], order["quantity"], order["price"]) == (CODE, "buy", 3, limit)

    pushed = await _next(stream, "order")
    assert pushed["order"]["id"] == order["id"] and pushed["order"]["status"] == "new"

    listed = await asyncio.to_thread(_cli, tmp_path, "--json", "orders", "--status", "new")
    assert order["id"] in [o["id"] for o in json.loads(listed.stdout)]
    table = await asyncio.to_thread(_cli, tmp_path, "orders")
    assert str(order["id"]) in table.stdout and CODE in table.stdout

    cancelled = await asyncio.to_thread(_cli, tmp_path, "--json", "cancel", str(order["id"]))
    assert json.loads(cancelled.stdout)["status"] == "cancelled"
    pushed = await _next(stream, "order")
    assert pushed["order"]["id"] == order["id"] and pushed["order"]["status"] == "cancelled"
    await stream.aclose()

    # A refusal is the API's message on stderr and a non-zero exit.
    refused = await asyncio.to_thread(_cli, tmp_path, "buy", CODE, "0", "--limit", str(limit))
    assert refused.returncode == 1 and "quantity" in refused.stderr

    logged_out = await asyncio.to_thread(_cli, tmp_path, "logout")
    assert logged_out.returncode == 0
    after = await asyncio.to_thread(_cli, tmp_path, "positions")
    assert after.returncode == 1 and "papertrade login" in after.stderr


def test_cli_modifies_and_partly_cancels_orders_and_watches_conditions(platform_server, demo, tmp_path):
    login_args = ["login", "--url", platform_server.url, "--username", DEMO_USER, "--password-stdin"]
    assert _cli(tmp_path, *login_args, stdin=DEMO_PASSWORD + "\n").returncode == 0
    limits = demo.symbol(CODE)["price_limits"]
    lower, upper = int(limits["lower"]), int(limits["upper"])
    account_id = demo.accounts()[0]["id"]
    order = demo.buy(account_id, CODE, 5, limit=lower)
    assert order["status"] == "new" and order["queue_ahead"] is not None

    modified = _cli(tmp_path, "--json", "modify", str(order["id"]), "--quantity", "3")
    assert modified.returncode == 0, modified.stderr
    assert json.loads(modified.stdout)["quantity"] == 3
    reduced = _cli(tmp_path, "--json", "cancel", str(order["id"]), "--quantity", "1")
    assert (json.loads(reduced.stdout)["quantity"], json.loads(reduced.stdout)["status"]) == (2, "new")
    too_many = _cli(tmp_path, "cancel", str(order["id"]), "--quantity", "9")
    assert too_many.returncode == 1 and "미체결 수량" in too_many.stderr
    # In an 80-column terminal (rich's width when not a terminal) the list fits, every heading whole.
    listed = _cli(tmp_path, "orders")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    headings = next(line for line in lines if line.startswith("id "))
    assert headings.split() == ["id", "symbol", "side", "type", "price", "filled/qty", "avg", "status", "created"]
    row = next(line for line in lines if line.startswith(f"{order['id']} "))
    assert max(cell_len(line) for line in lines) <= 80  # Hangul takes two cells
    assert row.split()[-6:-2] == [f"{lower:,}", "0/2", "-", "new"]  # price, filled/qty, avg, status
    # An IOC buy at the lower limit finds nothing to take: the command says so, why, and fails.
    unfilled = _cli(tmp_path, "buy", CODE, "1", "--limit", str(lower), "--tif", "IOC")
    assert unfilled.returncode == 1, unfilled.stdout
    assert "Order ended unfilled" in unfilled.stdout
    assert "즉시체결되지 않은 잔량이 취소되었습니다(IOC)" in unfilled.stdout
    assert max(cell_len(line) for line in unfilled.stdout.splitlines()) <= 80
    assert demo.cancel_order(order["id"])["status"] == "cancelled"

    # A buy stop at the upper limit watches; the table lists it; cancelling ends it.
    watching = _cli(tmp_path, "--json", "stop", CODE, "2", str(upper), "--buy")
    assert watching.returncode == 0, watching.stderr
    condition = json.loads(watching.stdout)
    assert (condition["status"], condition["trigger_price"], condition["side"]) == ("active", upper, "buy")
    table = _cli(tmp_path, "conditions", "--status", "active")
    assert str(condition["id"]) in table.stdout and "stop" in table.stdout
    ended = _cli(tmp_path, "--json", "cancel-condition", str(condition["id"]))
    assert json.loads(ended.stdout)["status"] == "cancelled"

    # A bracket on a new buy: the legs wait for the entry's fills.
    bracket = demo.place_bracket(account_id, CODE, 4, take_profit=upper, stop_loss=lower, entry_price=lower)
    assert bracket["entry_order"]["status"] == "new"
    assert [leg["status"] for leg in bracket["conditions"]] == ["waiting", "waiting"]
    assert {leg["id"] for leg in demo.conditions(account_id=account_id, status="waiting")} == {
        leg["id"] for leg in bracket["conditions"]
    }
    with pytest.raises(InvalidRequest) as refused:
        demo.place_condition(account_id, CODE, "buy", 1, trigger="trailing")
    assert "trail_amount" in refused.value.message
    for leg in bracket["conditions"]:
        demo.cancel_condition(leg["id"])
    demo.cancel_order(bracket["entry_order"]["id"])


def test_cli_reads_quotes_positions_and_a_live_table(platform_server, tmp_path):
    login_args = ["login", "--url", platform_server.url, "--username", DEMO_USER, "--password-stdin"]
    env_login = _cli(tmp_path, *login_args, stdin=DEMO_PASSWORD)
    assert env_login.returncode == 0, env_login.stderr
    quote = _cli(tmp_path, "--json", "quote", CODE, OTHER)
    assert [q["code"] for q in json.loads(quote.stdout)] == [CODE, OTHER]
    positions = _cli(tmp_path, "--json", "positions")
    assert positions.returncode == 0 and isinstance(json.loads(positions.stdout), list)
    watch = _cli(tmp_path, "watch", CODE, OTHER, "--seconds", "8")
    assert watch.returncode == 0, watch.stderr
    assert CODE in watch.stdout and OTHER in watch.stdout and "live" in watch.stdout


# --- streams that survive a dropped connection -----------------------------------------------------------


class CuttableProxy:
    """A TCP forwarder in front of the server whose connections can be cut, as a network drop would."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connections: list[asyncio.StreamWriter] = []
        self.accepted = 0

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.port)
        self.connections += [client_writer, upstream_writer]

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    def cut(self) -> None:
        for writer in self.connections:
            writer.transport.abort()
        self.connections.clear()

    async def stop(self) -> None:
        self.cut()
        self.server.close()


async def test_a_dropped_quote_stream_reconnects_and_resubscribes(platform_server, demo):
    proxy = CuttableProxy(platform_server.url)
    via_proxy = Client(await proxy.start(), token=demo.token)
    try:
        stream = via_proxy.stream_quotes([CODE, OTHER])
        assert (await _next(stream, "subscribed"))["codes"] == sorted([CODE, OTHER])
        assert (await _next(stream, ("quote", "trade")))["quote"]["code"] in (CODE, OTHER)

        proxy.cut()
        assert (await _next(stream, "hello"))["stream"] == "quotes"
        assert (await _next(stream, "subscribed"))["codes"] == sorted([CODE, OTHER])
        seen = set()
        while seen != {CODE, OTHER}:
            seen.add((await _next(stream, ("quote", "trade")))["quote"]["code"])
        assert proxy.accepted >= 2
        await stream.aclose()

        orders = via_proxy.stream_orders()
        await _next(orders, "hello")
        proxy.cut()
        await _next(orders, "hello")
        order = demo.buy(demo.default_account()["id"], CODE, 1, limit=_resting_limit(demo, CODE))
        assert (await _next(orders, "order"))["order"]["id"] == order["id"]
        demo.cancel_order(order["id"])
        await orders.aclose()
    finally:
        await proxy.stop()
        via_proxy.close()


async def test_streams_refused_for_good_raise_instead_of_retrying(platform_server):
    stranger = Client(platform_server.url, token="0" * 40)
    with pytest.raises(StreamError):
        await _next(stranger.stream_orders(), "hello", timeout=10)
    with pytest.raises(StreamError):
        await _next(stranger.stream_quotes([CODE]), "subscribed", timeout=10)

    demo_client = Client(platform_server.url)
    demo_client.login(DEMO_USER, DEMO_PASSWORD)
    with pytest.raises(StreamError, match="999999"):
        await _next(demo_client.stream_quotes(["999999"]), "subscribed", timeout=10)
    demo_client.close()


def test_the_readme_example_backtests_on_stored_candles_then_trades_the_paper_account(platform_server, demo, tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = re.search(r"```python\n(# example: backtest-then-trade\n.*?)```", readme, re.S)
    assert example, "the README lost its example"
    script = tmp_path / "example.py"
    script.write_text(example.group(1))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRADE_")}
    env |= {"PAPERTRADE_URL": platform_server.url, "PAPERTRADE_TOKEN": demo.token}

    def run() -> list[str]:
        result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()

    backtest, traded = run()
    days = len(demo.candles(CODE))
    assert re.fullmatch(rf"{CODE} over {days} days: the rule [+-]\d+\.\d%, buy and hold [+-]\d+\.\d%", backtest)
    assert re.fullmatch(r"no order today|(buy|sell) \d+: \w+", traded)
    if traded != "no order today":
        side = traded.split()[0]
        mine = [o for o in demo.orders(symbol=CODE) if o["client_order_id"].startswith(f"ma-{side}-")]
        assert len(mine) == 1
        # Run again the same day: the position is held now (no order), or the client_order_id makes it the
        # same order; never a second one.
        again = run()[1]
        assert again == "no order today" or again.startswith(side)
        assert len([o for o in demo.orders(symbol=CODE) if o["client_order_id"] == mine[0]["client_order_id"]]) == 1


def test_account_history_and_activities(platform_server, demo, tmp_path):
    account = demo.accounts()[-1]
    deposited = demo.deposit(account["id"], 1_000_000)
    bought = demo.buy(account["id"], CODE, 1)  # market: fills against the synthetic book
    assert bought["status"] == "filled", bought

    today = demo.history(account["id"], period="1D")
    assert today.attrs["period"] == "1D" and today.attrs["timeframe"] == "1Min"
    assert isinstance(today.index, pd.DatetimeIndex) and today.index.is_monotonic_increasing and len(today)
    columns = {"equity", "cash", "market_value", "invested", "profit_loss", "return_rate", "period_profit_loss"}
    assert columns <= set(today.columns)
    assert today["cash"].iloc[-1] == demo.account(account["id"])["cash"]  # the last point is live
    monthly = demo.history(account["id"])
    assert (monthly.attrs["period"], monthly.attrs["timeframe"]) == ("1M", "1D")
    login_args = ["login", "--url", platform_server.url, "--username", DEMO_USER, "--password-stdin"]
    assert _cli(tmp_path, *login_args, stdin=DEMO_PASSWORD).returncode == 0
    shown = _cli(tmp_path, "--json", "history", "--period", "1D", "--account", str(account["id"]))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["points"][-1]["cash"] == today["cash"].iloc[-1]
    with pytest.raises(InvalidRequest) as refused:
        demo.history(account["id"], period="5Y")
    assert refused.value.status == 400 and refused.value.fields["period"] and refused.value.message

    deposits = list(demo.activities(account["id"], types=["deposit"]))
    assert deposits[0]["type"] == "deposit" and deposits[0]["amount"] == 1_000_000
    assert deposits[0]["balance_after"] == deposited["cash"]
    fills = list(demo.activities(account["id"], types=["fill"]))
    assert fills[0]["order"] == bought["id"] and fills[0]["symbol"] == CODE and fills[0]["quantity"] == 1
    everything = list(demo.activities(account["id"]))
    assert {"deposit", "fill"} <= {a["type"] for a in everything}
    times = [a["time"] for a in everything]
    assert times == sorted(times, reverse=True)
    filled_at = dt.datetime.fromisoformat(fills[0]["time"])
    just_before = filled_at - dt.timedelta(microseconds=1)
    window = list(demo.activities(account["id"], types=["fill"], after=just_before, until=filled_at))
    assert [a["id"] for a in window] == [fills[0]["id"]]
    assert fills[0]["id"] not in [a["id"] for a in demo.activities(account["id"], until=just_before)]
    fill = demo.fills(account_id=account["id"], after=just_before, until=filled_at)
    assert [(f["order"], f["symbol_name"], f["realized_pnl"]) for f in fill] == [
        (bought["id"], "삼성전자", -fill[0]["commission"])  # a buy's realised P&L is its commission
    ]
    assert fill[0]["id"] not in [f["id"] for f in demo.fills(account_id=account["id"], until=just_before)]
    with pytest.raises(NotFound):
        list(demo.activities(999_999))


def test_the_quote_table_shows_the_expected_price_only_during_a_call_auction():
    from papertrade.cli import _quote_table
    from rich.console import Console

    pre_open = {"code": CODE, "name": "삼성전자", "price": 71000, "change": 0, "change_rate": 0.0, "volume": 0}
    pre_open |= {"best_bid": 92300, "best_ask": 70200, "phase": "pre_open", "expected_price": 70500}
    continuous = {**pre_open, "phase": "continuous", "expected_price": None, "volume": 1200}

    def shown(quotes: list[dict[str, Any]]) -> list[str]:
        console = Console(width=80, record=True)
        console.print(_quote_table(quotes))
        return console.export_text().splitlines()

    auction = shown([pre_open])
    assert auction[1].split()[-1] == "expected" and auction[3].split()[-1] == "70,500"
    assert "expected" not in "\n".join(shown([continuous]))
