"""Minute bars from the market's own trades: the synthetic feed's trades go through the publisher (and
`market.signals.trade_printed`) exactly as in the feed process, and come back out of the candle API."""

import datetime as dt
from collections import defaultdict

import pytest
from asgiref.sync import async_to_sync

from historical.enums import Timeframe
from historical.intraday import minute_bars
from historical.models import Candle
from market.feeds.publisher import Publisher
from market.feeds.simulated import SymbolSpec, SyntheticMarket
from market.timetable import SEOUL

# The publisher writes from its own worker thread and connection, as in the feed process.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/historical/candles"
OPEN = dt.datetime(2024, 6, 12, 10, 0, tzinfo=SEOUL)


def publish_session(seconds: int, *, start: dt.datetime = OPEN, seed: int = 7, every: int = 4) -> list:
    """Step the synthetic market every `every` seconds from `start`, publish every trade; the trades printed."""
    market = SyntheticMarket([SymbolSpec("005930", "KOSPI", 71_000, 10**12, kospi200=True)], seed=seed)
    publisher = Publisher(names={"005930": "삼성전자"})
    printed = []
    try:
        for second in range(0, seconds, every):
            for update in market.advance_to(start + dt.timedelta(seconds=second)):
                for trade in update.trades:
                    async_to_sync(publisher.trade)(trade, update.quote)
                    printed.append(trade)
        minute_bars.flush()
    finally:
        publisher.close()
    assert len(printed) > seconds // every // 4, "the synthetic market printed too few trades to test anything"
    return printed


def expected_bars(trades, minutes: int) -> list[dict]:
    """The bars computed by hand from the trades: buckets of `minutes` stamped at their start."""
    buckets = defaultdict(list)
    for trade in trades:
        local = trade.time.astimezone(SEOUL)
        start = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
        buckets[start].append(trade)
    return [
        {
            "time": start.isoformat(),
            "open": group[0].price,
            "high": max(t.price for t in group),
            "low": min(t.price for t in group),
            "close": group[-1].price,
            "volume": sum(t.quantity for t in group),
            "value": sum(t.price * t.quantity for t in group),
        }
        for start, group in sorted(buckets.items())
    ]


@pytest.fixture
def traded(samsung):
    return publish_session(16 * 60)  # 10:00 to 10:16: sixteen 1-minute bars, three 5-minute ones


@pytest.mark.parametrize(("timeframe", "minutes"), [("1m", 1), ("5m", 5), ("15m", 15), ("60m", 60)])
def test_intraday_bars_are_the_trades_aggregated(auth_client, traded, timeframe, minutes):
    response = auth_client.get(URL, {"symbol": "005930", "timeframe": timeframe, "start": "2024-06-12"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["timeframe"] == timeframe and body["simulated"] is True
    assert body["candles"] == expected_bars(traded, minutes)


def test_bars_are_stamped_at_the_minute_start_in_seoul(auth_client, traded):
    candles = auth_client.get(URL, {"symbol": "005930", "timeframe": "5m"}).json()["candles"]
    assert [c["time"] for c in candles] == [
        "2024-06-12T10:00:00+09:00",
        "2024-06-12T10:05:00+09:00",
        "2024-06-12T10:10:00+09:00",
        "2024-06-12T10:15:00+09:00",
    ]


def test_a_restarted_builder_continues_the_stored_minute(auth_client, samsung):
    first = publish_session(90)  # 10:00:00 .. 10:01:29
    minute_bars.forget()  # the feed process restarts in the middle of 10:01
    second = publish_session(60, start=OPEN + dt.timedelta(seconds=90), seed=8)
    candles = auth_client.get(URL, {"symbol": "005930", "timeframe": "1m", "start": "2024-06-12"}).json()["candles"]
    assert candles == expected_bars(first + second, 1)


def test_writing_the_same_bars_again_changes_nothing(samsung):
    publish_session(120)
    stored = list(Candle.objects.filter(timeframe=Timeframe.MINUTE).values_list("time", "open", "close", "volume"))
    assert minute_bars.flush() == 0
    minute_bars._dirty.update({(samsung.pk, bar.time): bar for bar in minute_bars._bars.values()})
    assert minute_bars.flush() == 1  # the open bar once more: an upsert of what is already stored
    again = list(Candle.objects.filter(timeframe=Timeframe.MINUTE).values_list("time", "open", "close", "volume"))
    assert again == stored and len(stored) == 2


def test_without_start_minute_bars_begin_a_week_before_the_last(auth_client, samsung):
    publish_session(61)
    publish_session(61, start=OPEN + dt.timedelta(days=14), seed=9)
    candles = auth_client.get(URL, {"symbol": "005930", "timeframe": "1m"}).json()["candles"]
    assert candles and all(c["time"].startswith("2024-06-26") for c in candles)


def test_unknown_timeframe_is_refused(auth_client, samsung):
    response = auth_client.get(URL, {"symbol": "005930", "timeframe": "3m"})
    assert response.status_code == 400
    assert "timeframe" in response.json()["error"]["fields"]
