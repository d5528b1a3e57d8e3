"""The exchange core in continuous trading: priority, order kinds, TIF, cancel/modify, refusals."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from market.exchange import (
    MESSAGES,
    Accepted,
    BookPhase,
    Cancelled,
    LevelChanged,
    MatchingEngine,
    Modified,
    OrderKind,
    Rejected,
    Side,
    TimeInForce,
    Traded,
)
from market.tests.exchange_helpers import SECOND, T0, continuous, engine, in_call, of, trades


def test_importing_the_core_leaves_django_out():
    code = "import sys, market.exchange; print('django' in sys.modules, 'market.enums' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_limit_order_rests_and_is_shown_in_the_book():
    e = continuous()
    events = e.submit(T0 + 1, order_id="b1", side=Side.BUY, quantity=100, price=9_990, owner="alice")
    assert [type(x) for x in events] == [Accepted, LevelChanged]
    assert events[0].owner == "alice" and events[0].price == 9_990
    assert events[1] == LevelChanged(events[1].seq, T0 + 1, Side.BUY, 9_990, 100)
    assert e.best_bid == 9_990 and e.best_ask is None and e.last_price is None
    assert e.depth() == ([], [(9_990, 100)])
    assert [x.seq for x in events] == [2, 3]  # 1 was the phase change


def test_price_then_time_priority_and_trades_at_the_resting_price():
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=100, price=10_100)
    e.submit(T0, order_id="s2", side="sell", quantity=100, price=10_000)
    e.submit(T0, order_id="s3", side="sell", quantity=100, price=10_000)
    events = e.submit(T0, order_id="b", side="buy", quantity=250, price=10_100)
    # the better price first, then time priority within 10,000; each at the resting order's price (제24조)
    assert trades(events) == [(10_000, 100, "b", "s2"), (10_000, 100, "b", "s3"), (10_100, 50, "b", "s1")]
    assert all(t.aggressor is Side.BUY for t in of(events, Traded))
    assert e.depth() == ([(10_100, 50)], [])
    assert e.last_price == 10_100 and e.volume == 250


def test_partial_fill_rests_the_remainder_at_its_limit():
    e = continuous()
    e.submit(T0, order_id="b1", side="buy", quantity=30, price=10_000)
    events = e.submit(T0, order_id="s1", side="sell", quantity=100, price=9_990)
    assert trades(events) == [(10_000, 30, "b1", "s1")]
    assert e.depth() == ([(9_990, 70)], [])
    assert e.order("s1").quantity == 70 and e.order("s1").filled == 30 and e.order("b1") is None


def test_market_order_walks_the_book_and_its_remainder_waits_at_the_deemed_price():
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_000)
    e.submit(T0, order_id="s2", side="sell", quantity=10, price=10_010)
    events = e.submit(T0, order_id="m", side="buy", quantity=50, kind=OrderKind.MARKET)
    assert events[0].price is None and events[0].kind is OrderKind.MARKET
    assert trades(events) == [(10_000, 10, "m", "s1"), (10_010, 10, "m", "s2")] and not of(events, Cancelled)
    # KRX GLB0602010202T5 example 2: no buy limit → deemed at the last traded price; a seller meets it there
    assert (e.order("m").price, e.order("m").quantity) == (10_010, 30) and e.best_bid == 10_010
    assert trades(e.submit(T0, order_id="s3", side="sell", quantity=5, price=9_990)) == [(10_010, 5, "m", "s3")]


def test_resting_market_order_is_deemed_one_tick_above_the_best_buy_limit():
    """KRX GLB0602010202T5 example 1 (100-won ticks: prices ×10): ① bid 106,000, ② market buy,
    ③ ask 105,000 → ③ trades with ② at 106,100, the market order's deemed price."""
    e = continuous(base_price=104_000)
    e.submit(T0, order_id=1, side="buy", quantity=200, price=106_000)
    e.submit(T0, order_id=2, side="buy", quantity=200, kind=OrderKind.MARKET)
    assert e.order(2).price == 106_100
    assert trades(e.submit(T0, order_id=3, side="sell", quantity=200, price=105_000)) == [(106_100, 200, 2, 3)]
    assert e.order(1).quantity == 200


def test_a_waiting_market_order_stays_ahead_of_later_buy_limits():
    """The deemed price holds "until the whole quantity is matched" (KRX GLB0602010202T5): a buy
    limit entered at or above it pushes the market order one tick above that limit again."""
    e = continuous(base_price=104_000)
    e.submit(T0, order_id="L1", side="buy", quantity=100, price=106_000)
    e.submit(T0, order_id="M", side="buy", quantity=100, kind=OrderKind.MARKET)
    assert e.order("M").price == 106_100
    e.submit(T0, order_id="L2", side="buy", quantity=100, price=106_500)
    assert e.order("M").price == 106_600 and e.depth()[1][:2] == [(106_600, 100), (106_500, 100)]
    assert trades(e.submit(T0, order_id="S", side="sell", quantity=150, price=106_000)) == [
        (106_600, 100, "M", "S"),
        (106_500, 50, "L2", "S"),
    ]


def test_a_repegged_market_order_that_meets_the_other_side_trades():
    e = continuous(base_price=104_000)
    e.submit(T0, order_id="L1", side="buy", quantity=100, price=106_000)
    e.submit(T0, order_id="M", side="buy", quantity=100, kind=OrderKind.MARKET)  # waits at 106,100
    e.submit(T0, order_id="A", side="sell", quantity=60, price=106_300)
    events = e.submit(T0, order_id="L2", side="buy", quantity=10, price=106_200)  # M → 106,300 = the ask
    assert trades(events) == [(106_300, 60, "M", "A")]
    assert e.order("M").quantity == 40 and e.order("M").price == 106_300
    assert e.best_ask is None and e.best_bid == 106_300


def test_market_ioc_remainder_is_cancelled():
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_000)
    events = e.submit(T0, order_id="m", side="buy", quantity=50, kind=OrderKind.MARKET, tif=TimeInForce.IOC)
    assert trades(events) == [(10_000, 10, "m", "s1")]
    assert [(c.quantity, c.reason) for c in of(events, Cancelled)] == [(40, "ioc")] and e.best_bid is None


def test_ioc_fills_what_it_can_and_cancels_the_rest():
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_000)
    events = e.submit(T0, order_id="i", side="buy", quantity=25, price=10_000, tif=TimeInForce.IOC)
    assert trades(events) == [(10_000, 10, "i", "s1")]
    assert [(c.quantity, c.reason) for c in of(events, Cancelled)] == [(15, "ioc")]
    assert e.depth() == ([], [])


def test_fok_fills_entirely_or_not_at_all():
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_000)
    e.submit(T0, order_id="s2", side="sell", quantity=10, price=10_010)
    events = e.submit(T0, order_id="f1", side="buy", quantity=25, price=10_010, tif=TimeInForce.FOK)
    assert trades(events) == [] and [(c.quantity, c.reason) for c in of(events, Cancelled)] == [(25, "fok")]
    assert e.depth()[0] == [(10_000, 10), (10_010, 10)]
    events = e.submit(T0, order_id="f2", side="buy", quantity=20, price=10_010, tif=TimeInForce.FOK)
    assert trades(events) == [(10_000, 10, "f2", "s1"), (10_010, 10, "f2", "s2")]
    assert not of(events, Cancelled)


def test_best_order_takes_the_opposite_best_price():
    """최유리지정가: a limit at the opposite best on arrival (매수 → 최우선 매도호가)."""
    e = continuous()
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_050)
    e.submit(T0, order_id="s2", side="sell", quantity=10, price=10_100)
    events = e.submit(T0, order_id="x", side="buy", quantity=30, kind=OrderKind.BEST)
    assert events[0].price == 10_050
    assert trades(events) == [(10_050, 10, "x", "s1")]
    assert e.depth() == ([(10_100, 10)], [(10_050, 20)])  # the rest waits at 10,050, not 10,100


def test_priority_order_joins_the_own_best_price():
    """최우선지정가: a limit at the own side's best on arrival."""
    e = continuous()
    e.submit(T0, order_id="b1", side="buy", quantity=10, price=9_950)
    e.submit(T0, order_id="s1", side="sell", quantity=10, price=10_050)
    events = e.submit(T0, order_id="x", side="buy", quantity=5, kind=OrderKind.PRIORITY)
    assert events[0].price == 9_950 and trades(events) == []
    assert e.queue_ahead("x") == 10


def test_best_and_priority_need_a_price_to_take():
    e = continuous()
    (rejected,) = e.submit(T0, order_id="x", side="buy", quantity=5, kind=OrderKind.BEST)
    assert rejected.reason == "no_opposite" and rejected.message == MESSAGES["no_opposite"]
    (rejected,) = e.submit(T0, order_id="y", side="buy", quantity=5, kind=OrderKind.PRIORITY)
    assert rejected.reason == "no_own_best"


@pytest.mark.parametrize("kind", [OrderKind.CONDITIONAL, OrderKind.PRIORITY])
@pytest.mark.parametrize("tif", [TimeInForce.IOC, TimeInForce.FOK])
def test_ioc_and_fok_are_refused_on_conditional_and_priority_orders(kind, tif):
    e = continuous()
    e.submit(T0, order_id="b", side="buy", quantity=1, price=9_000)
    price = 9_000 if kind is OrderKind.CONDITIONAL else None
    (rejected,) = e.submit(T0, order_id="x", side="buy", quantity=5, kind=kind, price=price, tif=tif)
    assert rejected.reason == "tif_not_allowed"


def test_off_tick_and_out_of_band_prices_are_refused_with_the_reason():
    e = continuous()
    assert (e.lower, e.upper) == (7_000, 13_000)
    (r,) = e.submit(T0, order_id="a", side="buy", quantity=1, price=10_005)
    assert isinstance(r, Rejected) and r.reason == "tick" and "10원" in r.message and "10,005원" in r.message
    (r,) = e.submit(T0, order_id="b", side="buy", quantity=1, price=13_010)
    assert r.reason == "band" and "7,000원~13,000원" in r.message
    (r,) = e.submit(T0, order_id="c", side="sell", quantity=1, price=6_990)
    assert r.reason == "band"
    (r,) = e.submit(T0, order_id="d", side="sell", quantity=0, price=10_000)
    assert r.reason == "quantity"
    (r,) = e.submit(T0, order_id="e", side="sell", quantity=1)
    assert r.reason == "price_required"
    (r,) = e.submit(T0, order_id="f", side="sell", quantity=1, kind="market", price=10_000)
    assert r.reason == "price_not_allowed"
    assert e.depth() == ([], [])
    # the band edges themselves are valid prices
    assert isinstance(e.submit(T0, order_id="g", side="buy", quantity=1, price=7_000)[0], Accepted)


def test_band_comes_from_market_rules_or_the_caller():
    from market.rules import price_limit_band

    e = engine(base_price=73_400)
    assert (e.lower, e.upper) == price_limit_band(73_400)
    e = engine(base_price=10_000, lower=9_000, upper=11_000)
    e.start_continuous(T0)
    assert e.submit(T0, order_id="x", side="buy", quantity=1, price=11_050)[0].reason == "band"


def test_orders_are_refused_while_closed_and_duplicates_always():
    e = engine()
    (r,) = e.submit(T0, order_id="a", side="buy", quantity=1, price=10_000)
    assert r.reason == "closed" and r.message == MESSAGES["closed"]
    e.start_continuous(T0)
    e.submit(T0, order_id="a", side="buy", quantity=1, price=9_000)
    (r,) = e.submit(T0, order_id="a", side="buy", quantity=1, price=9_000)
    assert r.reason == "duplicate"
    e.close(T0)
    assert e.phase is BookPhase.CLOSED
    assert e.submit(T0, order_id="b", side="buy", quantity=1, price=9_000)[0].reason == "closed"
    assert e.order("a") is not None  # resting orders stay until expired


def test_cancel_in_full_and_in_part_keeps_priority():
    e = continuous()
    for i in range(3):
        e.submit(T0, order_id=i, side="buy", quantity=100, price=9_990)
    events = e.cancel(T0, order_id=0, quantity=40)
    assert [(c.quantity, c.remaining, c.reason) for c in of(events, Cancelled)] == [(40, 60, "user")]
    assert of(events, LevelChanged)[0].quantity == 260
    assert e.queue_ahead(0) == 0 and e.queue_ahead(1) == 60 and e.queue_ahead(2) == 160
    events = e.cancel(T0, order_id=1)
    assert [(c.quantity, c.remaining) for c in of(events, Cancelled)] == [(100, 0)]
    assert e.queue_ahead(2) == 60 and e.order(1) is None
    (r,) = e.cancel(T0, order_id=1)
    assert r.reason == "unknown_order"


def test_modify_smaller_quantity_keeps_priority_larger_or_new_price_loses_it():
    e = continuous()
    e.submit(T0, order_id="a", side="sell", quantity=100, price=10_100)
    e.submit(T0, order_id="b", side="sell", quantity=100, price=10_100)
    (m, _) = e.modify(T0, order_id="a", quantity=50)
    assert m == Modified(m.seq, T0, "a", 10_100, 50, True)
    assert e.queue_ahead("a") == 0
    m = e.modify(T0, order_id="a", quantity=80)[0]
    assert not m.priority_kept and e.queue_ahead("a") == 100
    e.modify(T0, order_id="b", price=10_200)
    e.modify(T0, order_id="b", price=10_100)
    assert e.queue_ahead("b") == 80 and e.depth()[0] == [(10_100, 180)]


def test_a_modified_order_that_becomes_marketable_matches():
    e = continuous()
    e.submit(T0, order_id="s", side="sell", quantity=100, price=10_100)
    e.submit(T0, order_id="b", side="buy", quantity=60, price=10_000)
    events = e.modify(T0, order_id="b", price=10_100)
    assert trades(events) == [(10_100, 60, "b", "s")]
    assert e.depth() == ([(10_100, 40)], [])
    assert e.modify(T0, order_id="s", price=10_105)[0].reason == "tick"
    assert e.modify(T0, order_id="zz", price=10_100)[0].reason == "unknown_order"


def test_expire_cancels_resting_day_orders():
    e = continuous()
    e.submit(T0, order_id="a", side="sell", quantity=10, price=10_100)
    e.submit(T0, order_id="b", side="buy", quantity=10, price=9_900)
    events = e.expire(T0 + 1)
    assert sorted(c.order_id for c in of(events, Cancelled)) == ["a", "b"]
    assert {c.reason for c in of(events, Cancelled)} == {"expired"}
    assert e.depth() == ([], []) and e.resting_orders() == []


def test_queries_views_and_owner_filter():
    e = continuous()
    e.submit(T0, order_id="a", side="buy", quantity=10, price=9_900, owner="u1")
    e.submit(T0, order_id="b", side="buy", quantity=20, price=9_950, owner="u2")
    e.submit(T0, order_id="c", side="sell", quantity=5, price=10_100, owner="u1")
    assert [o.order_id for o in e.resting_orders()] == ["b", "a", "c"]
    assert [o.order_id for o in e.resting_orders(owner="u1")] == ["a", "c"]
    assert e.depth(levels=1) == ([(10_100, 5)], [(9_950, 20)])
    assert e.order("b").kind is OrderKind.LIMIT and e.order("b").tif is TimeInForce.DAY


def test_snapshot_and_restore_keep_every_order_in_its_priority():
    e = continuous(seed="snap")
    for i in range(5):
        e.submit(T0 + i, order_id=f"b{i}", side="buy", quantity=10 + i, price=9_990, owner=f"u{i}")
    e.modify(T0 + 9, order_id="b1", quantity=30)  # loses priority → behind b4
    e.cancel(T0 + 9, order_id="b2", quantity=3)  # keeps it
    e.submit(T0 + 10, order_id="s", side="sell", quantity=7, price=10_050)
    data = json.loads(json.dumps(e.snapshot()))
    again = MatchingEngine.restore(data)
    assert again.resting_orders() == e.resting_orders()
    assert again.depth() == e.depth() and again.seq == e.seq
    # both continue identically, random ends of calls included
    for x in (e, again):
        x.submit(T0 + 20, order_id="hit", side="sell", quantity=25, price=9_990)
    assert [o.order_id for o in again.resting_orders()] == [o.order_id for o in e.resting_orders()]
    a = e.start_call(T0 + 30, scheduled_end=T0 + 90 * SECOND, then=BookPhase.CONTINUOUS, reason="closing")
    b = again.start_call(T0 + 30, scheduled_end=T0 + 90 * SECOND, then=BookPhase.CONTINUOUS, reason="closing")
    assert a == b
    assert e.advance(T0 + 200 * SECOND) == again.advance(T0 + 200 * SECOND)


def test_call_refuses_ioc_fok_best_and_priority():
    e = in_call()
    assert e.submit(T0, order_id="a", side="buy", quantity=1, price=10_000, tif="ioc")[0].reason == "tif_in_call"
    assert e.submit(T0, order_id="b", side="buy", quantity=1, price=10_000, tif="fok")[0].reason == "tif_in_call"
    assert e.submit(T0, order_id="c", side="buy", quantity=1, kind="best")[0].reason == "kind_in_call"
    assert e.submit(T0, order_id="d", side="buy", quantity=1, kind="priority")[0].reason == "kind_in_call"
    assert isinstance(e.submit(T0, order_id="e", side="buy", quantity=1, kind="market")[0], Accepted)
