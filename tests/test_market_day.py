"""A whole KRX trading day in seconds, watched as a browser would.

A real daphne in the services configuration (PostgreSQL, Redis) runs the synthetic market in its
process on a practice clock that starts at 08:25 of a trading day and runs 2,400 times wall time.
The test follows three symbols on `/ws/quotes` and polls `GET /api/v1/market/status` until the
after-hours single-price session, then checks what a trader would have seen: the pre-open call with
expected prices, one opening trade per symbol at its uncross price, continuous trading, the closing
call and its uncross, and the after-hours sessions at the close.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
import urllib.request
import uuid

import pytest

from market import timetable
from tests import servers

pytestmark = [pytest.mark.services, pytest.mark.slow]

CODES = ["005930", "000660", "035720"]
SPEED = 600
SEOUL = timetable.SEOUL


def _seoul(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(SEOUL)


@pytest.fixture(scope="module")
def practice_day(tmp_path_factory):
    day = timetable.next_trading_day(dt.datetime.now(tz=SEOUL).date())
    name = f"pt_day_{os.getpid()}"
    env = servers.service_env(
        servers.fresh_database(name),
        "redis://127.0.0.1:6379/2",
        f"ptday{uuid.uuid4().hex[:8]}",
        PAPERTRADE_FEED_IN_PROCESS="1",
        PAPERTRADE_FEED_RATE="8",
        PAPERTRADE_FEED_SEED="7",
        PAPERTRADE_MARKET_CLOCK="practice",
        PAPERTRADE_CLOCK_START=f"{day.isoformat()}T08:25:00+09:00",
        PAPERTRADE_CLOCK_SPEED=str(SPEED),
    )
    servers.migrate_and_seed(env)
    servers.manage(
        env,
        "shell",
        "-c",
        f"from market.models import Symbol; Symbol.objects.exclude(code__in={CODES!r}).update(is_active=False)",
    )
    port = servers.free_port()
    log = tmp_path_factory.mktemp("day") / "daphne.log"
    with servers.process(servers.web_cmd(port), env, log):
        base_url = f"http://127.0.0.1:{port}"
        servers.wait_healthy(base_url)
        headers = servers.demo_headers(base_url)
        _status(base_url, headers, timeout=90)  # the first answer waits for the exchange calendar
        yield {"base_url": base_url, "headers": headers, "day": day, "log": log}
    servers.drop_database(name)


def _status(base_url: str, headers: dict[str, str], timeout: float = 10) -> dict:
    request = urllib.request.Request(f"{base_url}/api/v1/market/status", headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _watch(practice_day) -> tuple[list[dict], list[dict]]:
    """Every /ws/quotes message and every polled status until 17:00 of the practice day (as the
    stream tells it: the stream may run behind the polled clock)."""
    from websockets.sync.client import connect

    base_url, headers = practice_day["base_url"], practice_day["headers"]
    messages: list[dict] = []
    statuses: list[dict] = []
    done = threading.Event()
    ws_url = base_url.replace("http://", "ws://")
    with connect(f"{ws_url}/ws/quotes", additional_headers={**headers, "Origin": base_url}) as ws:
        ws.send(json.dumps({"action": "subscribe", "codes": CODES}))

        def poll() -> None:
            while not done.is_set():
                statuses.append(_status(base_url, headers))
                time.sleep(0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        deadline = time.time() + 180
        until = dt.datetime.combine(practice_day["day"], dt.time(17, 0), tzinfo=SEOUL)
        try:
            while time.time() < deadline:
                message = json.loads(ws.recv(timeout=30))
                messages.append(message)
                stamp = message.get("quote", message).get("time") or message.get("now")
                if stamp and _seoul(stamp) >= until:  # the stream itself has reached the evening
                    break
        finally:
            done.set()
            poller.join(timeout=5)
    statuses.append(_status(base_url, headers))  # the stream may also run ahead of the last poll
    assert _seoul(statuses[-1]["now"]) >= until, practice_day["log"].read_text()[-3000:]
    return messages, statuses


@pytest.fixture(scope="module")
def watched(practice_day):
    return _watch(practice_day)


def _trades(messages: list[dict], code: str) -> list[dict]:
    return [m["trade"] for m in messages if m["type"] == "trade" and m["trade"]["code"] == code]


def _at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SEOUL)


def test_the_status_walks_through_the_day(watched, practice_day):
    _, statuses = watched
    seen = [(s["phase"], s["session"]) for s in statuses]
    order = [("pre_open", "close_price"), ("continuous", None), ("closing_auction", None)]
    order += [("after_hours", "close_price"), ("after_hours", "single_price")]
    positions = [seen.index(phase) for phase in order]  # every phase was seen ...
    assert positions == sorted(positions)  # ... in the day's order
    assert {s["clock"] for s in statuses} == {"practice"}
    assert {s["speed"] for s in statuses} == {SPEED}
    assert statuses[0]["trading_day"] == practice_day["day"].isoformat()
    pre_open = next(s for s in statuses if s["phase"] == "pre_open")
    assert (pre_open["next_phase"], _seoul(pre_open["next_phase_at"]).time()) == ("continuous", dt.time(9, 0))


def test_phase_changes_are_pushed_on_the_quote_stream(watched):
    messages, _ = watched
    pushed = [m["phase"] for m in messages if m["type"] == "market.status"]
    for phase in ("continuous", "closing_auction", "after_hours"):
        assert phase in pushed


def test_the_pre_open_call_publishes_expected_prices(watched):
    messages, _ = watched
    for code in CODES:
        calls = [m["quote"] for m in messages if m.get("quote", {}).get("code") == code]
        expected = [q for q in calls if q["phase"] == "pre_open" and q["expected_price"]]
        assert expected, code
        assert all(q["expected_quantity"] > 0 for q in expected)


def test_one_opening_trade_price_per_symbol_then_continuous_trading(watched, practice_day):
    messages, _ = watched
    day = practice_day["day"]
    for code in CODES:
        trades = _trades(messages, code)
        regular = [t for t in trades if _seoul(t["time"]) >= _at(day, 9, 0)]
        assert all(_seoul(t["time"]) >= _at(day, 9, 0) for t in regular)
        opening_time = _seoul(regular[0]["time"])
        assert opening_time <= _at(day, 9, 0, 30)  # the opening uncross, with its random end
        opening = [t for t in regular if _seoul(t["time"]) == opening_time]
        assert len({t["price"] for t in opening}) == 1 and {t["side"] for t in opening} == {""}
        continuous = [t for t in regular if _at(day, 9, 1) <= _seoul(t["time"]) < _at(day, 15, 20)]
        assert {t["side"] for t in continuous} == {"buy", "sell"}, code
        quotes = [m["quote"] for m in messages if m["type"] == "trade" and m["quote"]["code"] == code]
        assert all(q["open"] == opening[0]["price"] for q in quotes if _seoul(q["time"]) > opening_time)


def test_the_closing_uncross_sets_the_close_and_after_hours_trade_around_it(watched, practice_day):
    messages, _ = watched
    day = practice_day["day"]
    for code in CODES:
        trades = _trades(messages, code)
        closing = [t for t in trades if _at(day, 15, 30) <= _seoul(t["time"]) <= _at(day, 15, 30, 30)]
        assert closing and len({t["price"] for t in closing}) == 1, code
        close = closing[0]["price"]
        in_call = [t for t in trades if _at(day, 15, 20, 31) <= _seoul(t["time"]) < _at(day, 15, 30)]
        assert not in_call  # nothing trades during the closing call
        post = [t for t in trades if _at(day, 15, 40) <= _seoul(t["time"]) < _at(day, 16, 0)]
        assert all(t["price"] == close for t in post)
        last = [m["quote"] for m in messages if m.get("quote", {}).get("code") == code][-1]
        assert last["price"] == close and last["phase"] == "after_hours"
