"""Single-price call auctions (단일가매매): the uncross, its tie rules, allocation and the random end."""

from __future__ import annotations

import pytest

from market.exchange import (
    BookPhase,
    Cancelled,
    Indicative,
    Modified,
    OrderKind,
    PhaseChanged,
    Traded,
    allocate_simultaneous,
    uncross,
)
from market.tests.exchange_helpers import SECOND, T0, continuous, engine, finish_call, in_call, of, trades


def test_uncross_maximises_the_executed_quantity():
    # 유가증권시장 업무규정 제23조: the 합치가격 executes the most; here 10,050 (300 shares).
    bids = [(10_100, 100), (10_050, 200), (10_000, 300)]
    asks = [(9_950, 100), (10_000, 100), (10_050, 100), (10_100, 400)]
    # cumulated: 10,000 → min(600, 200) = 200; 10,050 → min(300, 300) = 300; 10,100 → min(100, 700)
    assert uncross(bids, asks, reference=10_000) == (10_050, 300)


def test_tie_the_previous_price_wins_when_it_is_one_of_the_matching_prices():
    # 제23조 (합치가격이 2개 이상): the previous price (직전의 가격) if it is among them.
    bids = [(10_100, 100)]
    asks = [(9_900, 100)]  # every price 9,900–10,100 executes 100
    assert uncross(bids, asks, reference=10_000) == (10_000, 100)


def test_tie_above_all_matching_prices_takes_the_highest_below_takes_the_lowest():
    bids = [(10_100, 100)]
    asks = [(9_900, 100)]
    assert uncross(bids, asks, reference=10_500) == (10_100, 100)
    assert uncross(bids, asks, reference=9_000) == (9_900, 100)


def test_nothing_crosses():
    assert uncross([(9_900, 10)], [(10_000, 10)], reference=10_000) == (None, 0)
    assert uncross([], [(10_000, 10)], reference=10_000) == (None, 0)


def test_simultaneous_allocation_matches_krx_worked_example():
    # KRX 동시호가 수량배분 예시: 1,000 / 200 / 10,000 / 5,000 sharing 13,100
    assert allocate_simultaneous([1_000, 200, 10_000, 5_000], 13_100) == [550, 150, 9_850, 2_550]
    assert sum(allocate_simultaneous([300, 300, 300], 500)) == 500


def test_opening_call_collects_publishes_the_indicative_and_uncrosses_at_one_price():
    e = in_call()
    events = e.submit(T0 + 1, order_id="b1", side="buy", quantity=100, price=10_100)
    assert of(events, Indicative) == []  # nothing crosses yet
    events = e.submit(T0 + 2, order_id="s1", side="sell", quantity=60, price=9_900)
    # only 10,100 is a 합치가격: there the buy at 10,100 fills in part, the better-priced sell in full
    assert [(i.price, i.quantity) for i in of(events, Indicative)] == [(10_100, 60)]
    e.submit(T0 + 3, order_id="s2", side="sell", quantity=60, price=10_050)
    assert e.indicative() == (10_050, 100)
    assert e.advance(T0 + 59 * SECOND) == []  # before the scheduled end nothing happens
    events = finish_call(e)
    assert trades(events) == [(10_050, 60, "b1", "s1"), (10_050, 40, "b1", "s2")]
    assert all(t.aggressor is None for t in of(events, Traded))
    phase = of(events, PhaseChanged)[-1]
    assert phase.phase is BookPhase.CONTINUOUS and e.phase is BookPhase.CONTINUOUS
    assert of(events, Indicative)[-1].price is None
    assert e.last_price == 10_050 and e.static_reference == 10_050
    assert e.depth() == ([(10_050, 20)], [])


def test_better_priced_and_market_orders_fill_in_full_then_time_priority_at_the_price():
    e = in_call()
    e.submit(T0, order_id="m", side="buy", quantity=50, kind=OrderKind.MARKET)
    e.submit(T0, order_id="b_early", side="buy", quantity=50, price=10_000)
    e.submit(T0, order_id="b_high", side="buy", quantity=50, price=10_100)
    e.submit(T0, order_id="b_late", side="buy", quantity=50, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=130, price=10_000)
    events = finish_call(e)
    # market first (it ranks with the upper limit, 제22조②), then the better price, then time priority
    assert trades(events) == [(10_000, 50, "m", "s"), (10_000, 50, "b_high", "s"), (10_000, 30, "b_early", "s")]
    assert e.order("b_early").quantity == 20 and e.queue_ahead("b_late") == 20


def test_a_market_order_left_open_by_the_uncross_goes_on_in_continuous_trading():
    e = in_call()
    e.submit(T0, order_id="m", side="buy", quantity=100, kind=OrderKind.MARKET)
    e.submit(T0, order_id="s", side="sell", quantity=40, price=10_000)
    events = finish_call(e)
    assert trades(events) == [(10_000, 40, "m", "s")] and not of(events, Cancelled)
    # no sellers left: it waits at the deemed price, the last trade (KRX GLB0602010202T5)
    assert e.order("m").kind is OrderKind.MARKET and (e.order("m").price, e.order("m").quantity) == (10_000, 60)
    assert trades(e.submit(T0 + 10**9, order_id="s2", side="sell", quantity=10, price=9_990)) == [
        (10_000, 10, "m", "s2")
    ]


def test_market_orders_only_trade_at_the_previous_price():
    e = in_call()
    e.submit(T0, order_id="m1", side="buy", quantity=10, kind=OrderKind.MARKET)
    e.submit(T0, order_id="m2", side="sell", quantity=10, kind=OrderKind.MARKET)
    assert trades(finish_call(e)) == [(10_000, 10, "m1", "m2")]


def test_opening_at_the_upper_limit_allocates_by_quantity_priority():
    # 제22조③ / 시행세칙 제34조: 동시호가 at the limit of the opening price
    e = in_call()
    for order_id, quantity in (("o1", 1_000), ("o2", 200), ("o3", 10_000), ("o4", 5_000)):
        e.submit(T0, order_id=order_id, side="buy", quantity=quantity, price=e.upper)
    e.submit(T0, order_id="s", side="sell", quantity=13_100, price=e.upper)
    events = finish_call(e)
    filled = {t.buy_order_id: t.quantity for t in of(events, Traded)}
    assert filled == {"o1": 550, "o2": 150, "o3": 9_850, "o4": 2_550}


def test_closing_call_keeps_time_priority_at_the_limit():
    e = continuous()
    e.start_call(T0, scheduled_end=T0 + 600 * SECOND, then=BookPhase.CLOSED, reason="closing")
    e.new_day(T0, base_price=10_000, lower=9_000, upper=10_000)  # a narrow band so +0% is the limit
    e.submit(T0, order_id="big", side="buy", quantity=500, price=10_000)
    e.submit(T0, order_id="small", side="buy", quantity=100, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=300, price=10_000)
    assert trades(finish_call(e)) == [(10_000, 300, "big", "s")]


def test_random_end_is_within_30_seconds_and_seeded():
    ends = []
    for seed in range(40):
        e = in_call(seed=seed)
        e.submit(T0, order_id="b", side="buy", quantity=10, price=10_000)
        e.submit(T0, order_id="s", side="sell", quantity=10, price=10_000)
        scheduled = T0 + 60 * SECOND
        assert e.advance(scheduled - 1) == []
        events = e.advance(scheduled + 30 * SECOND)
        (trade,) = of(events, Traded)
        assert scheduled <= trade.at <= scheduled + 30 * SECOND
        assert all(x.at == trade.at for x in events)  # every uncross event is stamped at the actual end
        ends.append(trade.at)
    assert len(set(ends)) > 30  # really random
    again = in_call(seed=5)
    again.submit(T0, order_id="b", side="buy", quantity=10, price=10_000)
    again.submit(T0, order_id="s", side="sell", quantity=10, price=10_000)
    assert of(finish_call(again), Traded)[0].at == ends[5]


def test_conditional_limit_becomes_a_market_order_at_the_closing_call():
    e = continuous()
    e.submit(T0, order_id="early", side="buy", quantity=10, price=9_900)
    e.submit(T0, order_id="cond", side="buy", quantity=10, price=9_800, kind=OrderKind.CONDITIONAL)
    e.submit(T0, order_id="s", side="sell", quantity=15, price=9_900)
    assert trades(e.submit(T0, order_id="x", side="sell", quantity=1, price=10_500)) == []
    # the resting sell at 9,900 matched "early" only: the conditional waits as a limit at 9,800
    assert e.order("cond").price == 9_800 and e.order("s").quantity == 5
    e.cancel(T0, order_id="x")
    events = e.start_call(T0 + 1, scheduled_end=T0 + 600 * SECOND, then=BookPhase.CLOSED, reason="closing")
    (m,) = of(events, Modified)
    assert m.order_id == "cond" and m.price is None and not m.priority_kept
    assert e.order("cond").kind is OrderKind.MARKET
    # a conditional order can no longer be entered in the closing call
    r = e.submit(T0 + 2, order_id="c2", side="buy", quantity=1, price=9_900, kind="conditional")[0]
    assert r.reason == "kind_in_call"
    events = finish_call(e)
    assert trades(events) == [(9_900, 5, "cond", "s")]
    assert e.phase is BookPhase.CLOSED and e.order("cond").quantity == 5  # until the shell expires it


def test_orders_cancel_and_modify_in_a_call_update_the_indicative():
    e = in_call()
    e.submit(T0, order_id="b", side="buy", quantity=100, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=100, price=10_000)
    assert e.indicative() == (10_000, 100)
    events = e.cancel(T0, order_id="s", quantity=40)
    assert [(i.price, i.quantity) for i in of(events, Indicative)] == [(10_000, 60)]
    events = e.modify(T0, order_id="s", price=10_100)
    assert [(i.price, i.quantity) for i in of(events, Indicative)] == [(None, 0)]
    assert e.depth() == ([(10_100, 60)], [(10_000, 100)])  # crossing is allowed in a call; nothing traded


def test_fixed_price_session_matches_only_at_its_price_by_time():
    e = engine()
    e.start_fixed_price(T0, price=10_050)
    assert e.submit(T0, order_id="x", side="buy", quantity=1, price=10_000)[0].reason == "fixed_price"
    assert e.submit(T0, order_id="y", side="buy", quantity=1, kind="market")[0].reason == "fixed_price"
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_050)
    e.submit(T0, order_id="s2", side="sell", quantity=10, price=10_050)
    events = e.submit(T0, order_id="b", side="buy", quantity=15, price=10_050)
    assert trades(events) == [(10_050, 10, "b", "s1"), (10_050, 5, "b", "s2")]
    assert e.phase is BookPhase.FIXED_PRICE and e.vi is None


def test_start_continuous_from_a_call_uncrosses_first():
    e = in_call()
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_100)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_000)
    events = e.start_continuous(T0 + 5)
    assert trades(events) == [(10_000, 10, "b", "s")]
    assert [p.phase for p in of(events, PhaseChanged)] == [BookPhase.CONTINUOUS]


def test_back_to_back_calls_uncross_the_first_before_the_next_starts():
    """시간외 단일가: a call every 10 minutes; the next may start while the last is in its random end."""
    e = in_call(reason="single_price", then=BookPhase.CLOSED)
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_000)
    end = T0 + 60 * SECOND
    events = e.start_call(end, scheduled_end=end + 600 * SECOND, then=BookPhase.CLOSED, reason="single_price")
    assert e.phase is BookPhase.CALL and not trades(events)  # the first call is still in its random end
    events = e.advance(end + 30 * SECOND)
    assert trades(events) == [(10_000, 10, "b", "s")]
    assert [p.phase for p in of(events, PhaseChanged)] == [BookPhase.CLOSED, BookPhase.CALL]
    assert of(events, PhaseChanged)[-1].ends_at == end + 600 * SECOND
    e.submit(end + 40 * SECOND, order_id="b2", side="buy", quantity=5, price=10_000)
    assert e.order("b2") is not None and e.phase is BookPhase.CALL


def test_close_after_the_end_uncrosses_first():
    e = in_call(then=BookPhase.CONTINUOUS)
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_000)
    events = e.close(T0 + 100 * SECOND)
    assert trades(events) == [(10_000, 10, "b", "s")] and e.phase is BookPhase.CLOSED


# KRX's worked examples: global.krx.co.kr GLB0606030102T1 ("Single Price Auction") and
# GLB0602010202T4 ("Execution Method of Market Orders at Single Price Auctions").


def test_krx_example_single_matching_price():
    e = in_call(base_price=7_820)
    sells = [
        (7_860, 450),
        (7_850, 750),
        (7_840, 300),
        (7_830, 150),
        (7_830, 200),
        (7_830, 50),
        (7_820, 200),
        (7_810, 150),
    ]
    buys = [(7_850, 100), (7_840, 150), (7_830, 200), (7_830, 150), (7_820, 400), (7_810, 500), (7_800, 650)]
    for i, (price, quantity) in enumerate(sells):
        e.submit(T0, order_id=f"s{i}", side="sell", quantity=quantity, price=price)
    for i, (price, quantity) in enumerate(buys):
        e.submit(T0, order_id=f"b{i}", side="buy", quantity=quantity, price=price)
    assert e.indicative() == (7_830, 600)
    events = finish_call(e)
    sold = {}
    for t in of(events, Traded):
        sold[t.sell_order_id] = sold.get(t.sell_order_id, 0) + t.quantity
    # 7,810 and 7,820 in full; at 7,830 ① in full, ② in part, ③ not at all
    assert sold == {"s7": 150, "s6": 200, "s3": 150, "s4": 100}
    assert {t.buy_order_id for t in of(events, Traded)} == {"b0", "b1", "b2", "b3"}


def test_krx_example_previous_price_among_the_matching_prices():
    bids = [(7_850, 200), (7_840, 100)]
    asks = [(7_800, 200), (7_810, 100)]
    assert uncross(bids, asks, reference=7_820) == (7_820, 300)  # matching: 7,810–7,840


def test_krx_example_matching_price_closest_to_the_previous_price():
    bids = [(7_850, 200), (7_840, 100)]
    asks = [(7_800, 200), (7_810, 100)]
    assert uncross(bids, asks, reference=7_850) == (7_840, 300)


def test_krx_example_market_order_deemed_one_tick_above_the_best_bid():
    # 100-won ticks as in KRX's example: its prices 10,300–10,800 become 100,300–100,800
    bids = [(100_600, 200), (100_500, 200)]
    asks = [(100_500, 200)]
    price = uncross(bids, asks, reference=100_400, market_bid=200, lower=70_000, upper=130_000)
    assert price == (100_700, 200)  # deemed 100,700 (best bid + 1 tick): the only matching price


def test_market_orders_only_one_tick_toward_the_larger_side():
    assert uncross([], [], 10_000, market_bid=30, market_ask=10, lower=7_000, upper=13_000) == (10_010, 10)
    assert uncross([], [], 10_000, market_bid=10, market_ask=30, lower=7_000, upper=13_000) == (9_990, 10)
    assert uncross([], [], 10_000, market_bid=10, market_ask=10, lower=7_000, upper=13_000) == (10_000, 10)


def test_fixed_price_session_needs_a_valid_price():
    e = engine()
    with pytest.raises(ValueError, match="tick grid"):
        e.start_fixed_price(T0, price=10_005)
    assert e.phase is BookPhase.CLOSED
