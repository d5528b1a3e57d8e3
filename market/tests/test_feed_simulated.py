import asyncio
import datetime as dt

import pytest
from channels.layers import get_channel_layer
from django.db import connections

from market import events, rules, signals, timetable
from market.feeds.publisher import Publisher
from market.feeds.simulated import SimulatedFeed, SymbolSim, trading_now
from market.models import Quote as QuoteSnapshot
from market.models import Symbol
from market.state import store

T0 = dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.UTC)
BASES = [("005930", 71_000), ("000001", 1_999), ("000002", 49_950), ("000003", 500_000), ("000004", 4_995)]


def _run(feed: SimulatedFeed, steps: int):
    out = []
    for i in range(steps):
        out.extend(feed.step(T0 + dt.timedelta(milliseconds=250 * i)))
    return out


def test_same_seed_same_ticks_other_seed_other_ticks():
    a = _run(SimulatedFeed(BASES, seed=7), 500)
    b = _run(SimulatedFeed(BASES, seed=7), 500)
    c = _run(SimulatedFeed(BASES, seed=8), 500)
    assert a == b
    assert [t for t, _, _ in a] != [t for t, _, _ in c]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ticks_stay_on_the_grid_inside_the_band_and_trade_at_the_touch(seed):
    feed = SimulatedFeed(BASES, seed=seed)
    trades: dict[str, list] = {code: [] for code, _ in BASES}
    last_quote = {}
    for trade, quote, book in _run(feed, 1200):
        lower, upper = rules.price_limit_band(quote.prev_close)
        asks = [level.price for level in book.asks]
        bids = [level.price for level in book.bids]
        assert 1 <= len(bids) <= 10 and len(asks) <= 10
        assert len(bids) == 10 or bids[-1] == lower  # fewer levels only against the lower limit
        assert asks or bids[0] == upper  # no asks only at the upper limit
        assert all(level.quantity > 0 for level in (*book.asks, *book.bids))
        for price in asks + bids:
            assert rules.is_on_tick(price) and lower <= price <= upper
        assert all(rules.tick_up(p) == q for p, q in zip(asks, asks[1:], strict=False))
        assert all(rules.tick_down(p) == q for p, q in zip(bids, bids[1:], strict=False))
        if asks:
            assert asks[0] == rules.tick_up(bids[0]) > bids[0]
        assert quote.best_bid == bids[0] and quote.best_ask == (asks[0] if asks else None)
        if trade is not None:
            assert rules.is_on_tick(trade.price) and lower <= trade.price <= upper
            assert trade.quantity > 0 and trade.side in ("buy", "sell")
            # at the touch; a trade that took the whole level moved the touch by one tick
            assert trade.price in (bids[0], asks[0] if asks else None)
            trades[trade.code].append(trade)
        last_quote[quote.code] = quote
    for code, prints in trades.items():
        quote = last_quote[code]
        assert len(prints) > 500
        assert quote.open == prints[0].price and quote.price == prints[-1].price
        assert quote.high == max(t.price for t in prints) and quote.low == min(t.price for t in prints)
        assert quote.volume == sum(t.quantity for t in prints)
        assert quote.value == sum(t.price * t.quantity for t in prints)
    moved = {code for code, prints in trades.items() if len({t.price for t in prints}) > 5}
    assert moved == set(trades)  # prices actually move


def test_limit_up_has_no_asks_and_only_sells_print():
    import random

    sim = SymbolSim(code="005930", prev_close=71_000, rng=random.Random(1))
    sim.bid = sim.upper
    for i in range(200):
        trade, book = sim.step(T0 + dt.timedelta(seconds=i))
        assert sim.bid <= sim.upper
        if sim.bid == sim.upper:
            assert book.asks == ()
            if trade is not None:
                assert trade.side == "sell" and trade.price == sim.upper


def test_limit_down_keeps_the_book_inside_the_band():
    import random

    sim = SymbolSim(code="005930", prev_close=71_000, rng=random.Random(2))
    sim.bid = sim.lower
    for i in range(200):
        trade, book = sim.step(T0 + dt.timedelta(seconds=i))
        assert all(level.price >= sim.lower for level in book.bids)
        assert book.bids[-1].price >= sim.lower and book.asks[0].price > book.bids[0].price
        if trade is not None:
            assert trade.price >= sim.lower


def test_the_feed_trades_only_in_the_continuous_session():
    seoul = timetable.SEOUL
    assert trading_now(dt.datetime(2024, 6, 12, 10, 0, tzinfo=seoul))
    assert not trading_now(dt.datetime(2024, 6, 12, 8, 45, tzinfo=seoul))
    assert not trading_now(dt.datetime(2024, 6, 12, 15, 25, tzinfo=seoul))
    assert not trading_now(dt.datetime(2024, 9, 17, 10, 0, tzinfo=seoul))  # Chuseok


def test_symbols_without_a_previous_close_are_not_simulated():
    feed = SimulatedFeed([("005930", 71_000), ("000660", 0)], seed=1)
    assert list(feed.sims) == ["005930"]


@pytest.mark.django_db(transaction=True)
async def test_feed_publishes_state_signals_groups_and_snapshots():
    from asgiref.sync import sync_to_async

    await sync_to_async(Symbol.objects.create)(code="005930", name="삼성전자", market="KOSPI", prev_close=71_000)
    layer = get_channel_layer(events.layer_alias())
    channel = await layer.new_channel()
    await layer.group_add(events.quote_group("005930"), channel)
    printed = []

    def on_trade(sender, trade, quote, **kwargs):
        printed.append((trade, quote))

    signals.trade_printed.connect(on_trade, weak=False)
    publisher = Publisher(names={"005930": "삼성전자"}, snapshot_interval=0.2)
    feed = SimulatedFeed([("005930", 71_000)], seed=3, ticks_per_second=50)
    stop = asyncio.Event()
    from market.runner import run_feed

    task = asyncio.create_task(run_feed(feed, publisher, stop))
    try:
        received = [await asyncio.wait_for(layer.receive(channel), 2) for _ in range(20)]
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await task
        signals.trade_printed.disconnect(on_trade)
        publisher.close()
    types = {message["type"] for message in received}
    assert types == {"quote.trade", "quote.book"}
    trade_msg = next(m["message"] for m in received if m["type"] == "quote.trade")
    assert trade_msg["type"] == "trade" and trade_msg["quote"]["name"] == "삼성전자"
    assert trade_msg["trade"]["time"].endswith("+09:00")
    assert printed and printed[0][0].code == "005930"
    quote = await sync_to_async(store().quote)("005930")
    assert quote is not None and quote.volume == printed[-1][1].volume
    assert (await sync_to_async(store().book)("005930")).bids
    snapshot = await sync_to_async(QuoteSnapshot.objects.get)(symbol__code="005930")
    assert snapshot.price == quote.price and snapshot.volume == quote.volume
    await sync_to_async(connections.close_all)()


def test_a_new_seoul_day_starts_a_new_session():
    feed = SimulatedFeed([("005930", 71_000)], seed=5)
    evening = dt.datetime(2024, 6, 12, 23, 59, 0, tzinfo=timetable.SEOUL)
    for i in range(50):
        feed.step(evening + dt.timedelta(seconds=i))
    sim = feed.sims["005930"]
    assert feed.roll_session(evening + dt.timedelta(seconds=59)) == {}
    close, volume = sim.price, sim.volume
    assert volume > 0
    closes = feed.roll_session(evening + dt.timedelta(minutes=1))  # 00:00 the next day
    assert closes == {"005930": close}
    assert (sim.prev_close, sim.open, sim.high, sim.low, sim.volume, sim.value) == (close, close, close, close, 0, 0)
    assert rules.price_limit_band(close) == (sim.lower, sim.upper)
    trade, quote, _ = feed.step(evening + dt.timedelta(minutes=1, seconds=1))[0]
    assert quote.prev_close == close and quote.volume == (trade.quantity if trade else 0)


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
