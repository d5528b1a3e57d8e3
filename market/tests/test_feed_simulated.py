"""The simulated feed's shell: the synthetic market on a practice clock, published through the Publisher.

The market itself (phases, auctions, depth, determinism) is tested purely in test_synthetic_market.py.
"""

import asyncio
import datetime as dt

import pytest
from channels.layers import get_channel_layer
from django.db import connections

from market import events, signals, timetable
from market.clock import PracticeClock
from market.feeds.publisher import Publisher
from market.feeds.simulated import SimulatedFeed, SymbolSpec, SyntheticMarket
from market.models import Quote as QuoteSnapshot
from market.models import Symbol
from market.state import store

SAMSUNG = SymbolSpec("005930", "KOSPI", 71_000, 10**12, kospi200=True)


def test_symbols_without_a_previous_close_are_not_simulated():
    market = SyntheticMarket([SAMSUNG, SymbolSpec("000660", "KOSPI", 0, 10**12)], seed=1)
    assert list(market.symbols) == ["005930"]


def test_a_new_trading_day_starts_from_yesterdays_close():
    market = SyntheticMarket([SAMSUNG], seed=5, scale=0.1)
    day = dt.date(2026, 12, 3)
    now = dt.datetime(2026, 12, 3, 14, 0, tzinfo=timetable.SEOUL)
    while now < dt.datetime(2026, 12, 4, 8, 35, tzinfo=timetable.SEOUL):
        now += dt.timedelta(minutes=1)
        market.advance_to(now)
    sym = market.symbols["005930"]
    assert market.day == timetable.next_trading_day(day)
    assert sym.prev_close == market.prev_closes()["005930"] != 71_000
    assert sym.regular.lower, sym.regular.upper == (sym.regular.lower, sym.regular.upper)
    quote = market.quote("005930", now)
    assert (quote.prev_close, quote.volume, quote.phase) == (sym.prev_close, sym.volume, "pre_open")


async def _collect(layer, channel, count: int, timeout: float = 5) -> list[dict]:
    return [await asyncio.wait_for(layer.receive(channel), timeout) for _ in range(count)]


@pytest.mark.django_db(transaction=True)
async def test_feed_publishes_state_signals_groups_and_snapshots():
    from asgiref.sync import sync_to_async

    from market.runner import run_feed

    await sync_to_async(Symbol.objects.create)(code="005930", name="삼성전자", market="KOSPI", prev_close=71_000)
    layer = get_channel_layer(events.layer_alias())
    channel = await layer.new_channel()
    await layer.group_add(events.quote_group("005930"), channel)
    await layer.group_add(events.STATUS_GROUP, channel)
    printed = []

    def on_trade(sender, trade, quote, **kwargs):
        printed.append((trade, quote))

    signals.trade_printed.connect(on_trade, weak=False)
    publisher = Publisher(names={"005930": "삼성전자"}, snapshot_interval=0.2)
    # 10:00 of a trading day, a minute of market a second: continuous trading from the start
    clock = PracticeClock.starting(dt.datetime(2026, 12, 3, 10, 0, tzinfo=timetable.SEOUL), speed=60)
    feed = SimulatedFeed([SAMSUNG], clock=clock, seed=3, steps_per_second=20)
    stop = asyncio.Event()
    task = asyncio.create_task(run_feed(feed, publisher, stop))
    try:
        received = await _collect(layer, channel, 40)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await task
        signals.trade_printed.disconnect(on_trade)
        publisher.close()
    types = {message["type"] for message in received}
    assert {"market.status", "quote.update", "quote.trade", "quote.book"} <= types
    status = next(m["message"] for m in received if m["type"] == "market.status")
    assert (status["phase"], status["clock"]) == ("continuous", "practice")
    trade_msg = next(m["message"] for m in received if m["type"] == "quote.trade")
    assert trade_msg["type"] == "trade" and trade_msg["quote"]["name"] == "삼성전자"
    assert trade_msg["trade"]["time"].startswith("2026-12-03T10:")  # market-clock time, in Seoul
    assert trade_msg["quote"]["phase"] == "continuous"
    book_msg = [m["message"] for m in received if m["type"] == "quote.book"][-1]
    assert len(book_msg["book"]["bids"]) == 10 and book_msg["book"]["bids"][0]["quantity"] >= 1_000
    assert printed and printed[0][0].code == "005930"
    quote = await sync_to_async(store().quote)("005930")
    assert quote is not None and quote.volume >= printed[-1][1].volume
    assert (await sync_to_async(store().book)("005930")).bids
    snapshot = await sync_to_async(QuoteSnapshot.objects.get)(symbol__code="005930")
    assert snapshot.price == quote.price and snapshot.volume <= quote.volume
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_new_session_records_previous_closes():
    from asgiref.sync import sync_to_async

    await sync_to_async(Symbol.objects.create)(code="005930", name="삼성전자", market="KOSPI", prev_close=71_000)
    publisher = Publisher(send_signals=False)
    try:
        await publisher.new_session({"005930": 72_300})
    finally:
        await sync_to_async(publisher.close)()
    assert (await sync_to_async(Symbol.objects.get)(code="005930")).prev_close == 72_300
    await sync_to_async(connections.close_all)()
