"""Volatility interruption (변동성완화장치): thresholds, triggers, the VI call and the return."""

from __future__ import annotations

import pytest

from market.exchange import (
    BookPhase,
    PhaseChanged,
    Traded,
    ViKind,
    ViReleased,
    ViState,
    ViTriggered,
    dynamic_vi_rate_percent,
    vi_trigger_prices,
)
from market.tests.exchange_helpers import SECOND, T0, continuous, finish_call, in_call, of, trades

MINUTE = 60 * SECOND


@pytest.mark.parametrize(
    ("reference", "rate", "expected"),
    [
        # KRX's published VI lists (인포스탁 via stock.mk.co.kr, 2023-03-06 / 2023-07-03)
        (18_000, 10, (16_200, 19_800)),
        (11_670, 10, (10_500, 12_840)),  # 12,837 rounds up to the 10-won grid
        (7_230, 10, (6_500, 7_960)),  # 6,507 rounds down
        (1_315, 10, (1_183, 1_447)),
        (8_670, 6, (8_140, 9_200)),  # dynamic 6%: 8,149.8 → 8,140
        (2_155, 6, (2_025, 2_285)),
        (19_010, 3, (18_430, 19_590)),
    ],
)
def test_trigger_prices_on_the_tick_grid(reference, rate, expected):
    assert vi_trigger_prices(reference, rate) == expected


def test_dynamic_rates_by_membership_and_session():
    assert dynamic_vi_rate_percent(kospi200=True, market="KOSPI") == 3
    assert dynamic_vi_rate_percent(kospi200=False, market="KOSPI") == 6
    assert dynamic_vi_rate_percent(kospi200=True, market="KOSDAQ") == 6
    assert dynamic_vi_rate_percent(kospi200=True, market="KOSPI", closing_call=True) == 2
    assert dynamic_vi_rate_percent(kospi200=False, market="KOSDAQ", closing_call=True) == 4


def _with_last_trade(price: int = 10_000, **kw):
    e = continuous(**kw)
    e.submit(T0, order_id="s0", side="sell", quantity=1, price=price)
    e.submit(T0, order_id="b0", side="buy", quantity=1, price=price)
    assert e.last_price == price
    return e


def test_a_sell_that_would_hit_a_bid_far_above_the_last_price_triggers_the_upper_vi():
    """The deviation counts, not the aggressor's side: a buy limit that emptied the asks rests at
    +5%, and the next sell that would trade there is stopped by the upper dynamic VI (10,300)."""
    e = _with_last_trade()
    e.submit(T0, order_id="a1", side="sell", quantity=10, price=10_100)
    e.submit(T0 + 1, order_id="bid", side="buy", quantity=50, price=10_500)  # takes a1, rests at 10,500
    assert e.last_price == 10_100 and e.order("bid").quantity == 40
    events = e.submit(T0 + 2, order_id="hit", side="sell", quantity=5, price=10_400)
    assert trades(events) == []  # never at 10,500: 4% above the last trade (10,100; VI at +3%)
    (vi,) = of(events, ViTriggered)
    # 10,100 × 1.03 = 10,403, up to the 10-won grid
    assert (vi.kind, vi.reference_price, vi.trigger_price) == (ViKind.DYNAMIC, 10_100, 10_410)
    assert e.phase is BookPhase.CALL and e.order("hit").quantity == 5


def test_a_fok_sell_counts_nothing_beyond_the_upper_vi_bound():
    e = _with_last_trade()
    e.submit(T0, order_id="a1", side="sell", quantity=10, price=10_100)
    e.submit(T0 + 1, order_id="bid", side="buy", quantity=50, price=10_500)
    events = e.submit(T0 + 2, order_id="fok", side="sell", quantity=5, price=10_400, tif="fok")
    assert trades(events) == [] and e.order("bid").quantity == 40


def test_dynamic_vi_stops_the_sweep_at_the_threshold_and_the_remainder_rests():
    e = _with_last_trade()  # KOSPI 200: ±3% of 10,000 → triggers at 9,700 / 10,300
    e.submit(T0, order_id="a1", side="sell", quantity=10, price=10_200)
    e.submit(T0, order_id="a2", side="sell", quantity=10, price=10_290)
    e.submit(T0, order_id="a3", side="sell", quantity=10, price=10_300)
    events = e.submit(T0 + 5, order_id="big", side="buy", quantity=50, price=10_400)
    assert trades(events) == [(10_200, 10, "big", "a1"), (10_290, 10, "big", "a2")]  # never at 10,300
    (vi,) = of(events, ViTriggered)
    assert (vi.kind, vi.reference_price, vi.trigger_price, vi.ends_at) == (
        ViKind.DYNAMIC,
        10_000,
        10_300,
        T0 + 5 + 2 * MINUTE,
    )
    assert e.vi == ViState(ViKind.DYNAMIC, 10_000, 10_300, T0 + 5 + 2 * MINUTE)
    assert e.phase is BookPhase.CALL and of(events, PhaseChanged)[-1].reason == "vi"
    assert e.order("big").quantity == 30  # the rest of the aggressive order waits in the VI call
    # the 합치가격 is 10,400: the resting buy there fills in part, the better-priced sell in full
    assert e.indicative() == (10_400, 10)
    # the VI call ends after 2 minutes plus the random end, then trading goes on
    assert e.advance(T0 + 5 + 2 * MINUTE - 1) == []
    events = finish_call(e)
    assert trades(events) == [(10_400, 10, "big", "a3")]
    assert of(events, ViReleased) and e.vi is None and e.phase is BookPhase.CONTINUOUS
    assert T0 + 5 + 2 * MINUTE <= of(events, Traded)[0].at <= T0 + 5 + 2 * MINUTE + 30 * SECOND
    assert e.static_reference == 10_400  # the VI uncross is a single price: the static reference moves


def test_dynamic_vi_rate_is_six_percent_for_others():
    e = _with_last_trade(kospi200=False)
    e.submit(T0, order_id="a", side="sell", quantity=10, price=10_590)
    e.submit(T0, order_id="b", side="sell", quantity=10, price=10_600)
    events = e.submit(T0, order_id="x", side="buy", quantity=20, price=10_600)
    assert trades(events) == [(10_590, 10, "x", "a")]
    assert of(events, ViTriggered)[0].trigger_price == 10_600


def test_dynamic_vi_downward_with_a_market_sell():
    e = _with_last_trade()
    e.submit(T0, order_id="b1", side="buy", quantity=10, price=9_710)
    e.submit(T0, order_id="b2", side="buy", quantity=10, price=9_700)
    events = e.submit(T0, order_id="m", side="sell", quantity=15, kind="market")
    assert trades(events) == [(9_710, 10, "b1", "m")]
    assert of(events, ViTriggered)[0].trigger_price == 9_700
    assert e.order("m").quantity == 5 and e.order("m").price == e.lower  # ranks with the lower limit


def test_ioc_stopped_by_a_vi_cancels_its_rest_and_fok_never_trips_it():
    e = _with_last_trade()
    e.submit(T0, order_id="a1", side="sell", quantity=10, price=10_200)
    e.submit(T0, order_id="a2", side="sell", quantity=10, price=10_300)
    events = e.submit(T0, order_id="f", side="buy", quantity=20, price=10_300, tif="fok")
    assert trades(events) == [] and not of(events, ViTriggered) and e.phase is BookPhase.CONTINUOUS
    events = e.submit(T0, order_id="i", side="buy", quantity=20, price=10_300, tif="ioc")
    assert trades(events) == [(10_200, 10, "i", "a1")]
    assert of(events, ViTriggered) and e.order("i") is None


def test_static_vi_in_continuous_against_the_opening_price():
    e = in_call()
    e.submit(T0, order_id="b", side="buy", quantity=1, price=10_000)
    e.submit(T0, order_id="s", side="sell", quantity=1, price=10_000)
    finish_call(e)
    assert e.static_reference == 10_000
    # walk the price up 2% at a time (inside the dynamic VI) to the static trigger 11,000
    price = 10_000
    for step, target in enumerate((10_200, 10_400, 10_600, 10_800, 10_950)):
        e.submit(T0, order_id=f"a{step}", side="sell", quantity=1, price=target)
        assert trades(e.submit(T0, order_id=f"t{step}", side="buy", quantity=1, price=target)) == [
            (target, 1, f"t{step}", f"a{step}")
        ]
        price = target
    e.submit(T0, order_id="top", side="sell", quantity=1, price=11_000)
    events = e.submit(T0 + 9, order_id="hit", side="buy", quantity=1, price=11_000)
    assert trades(events) == [] and e.last_price == price
    (vi,) = of(events, ViTriggered)
    assert (vi.kind, vi.reference_price, vi.trigger_price) == (ViKind.STATIC, 10_000, 11_000)


def test_static_vi_at_the_open_extends_the_call_by_two_minutes():
    e = in_call()  # base price 10,000 → static triggers 9,000 / 11,000
    e.submit(T0, order_id="b", side="buy", quantity=10, price=11_500)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=11_500)
    events = e.advance(T0 + 90 * SECOND)  # past the scheduled end + 30 s
    assert trades(events) == []
    (vi,) = of(events, ViTriggered)
    assert (vi.kind, vi.reference_price, vi.trigger_price) == (ViKind.STATIC, 10_000, 11_000)
    assert vi.ends_at == vi.at + 2 * MINUTE and e.phase is BookPhase.CALL
    events = finish_call(e)
    assert trades(events) == [(11_500, 10, "b", "s")]
    assert of(events, ViReleased) and e.phase is BookPhase.CONTINUOUS
    assert vi.ends_at <= of(events, Traded)[0].at <= vi.ends_at + 30 * SECOND


def test_closing_call_dynamic_vi_uses_two_percent():
    e = _with_last_trade()
    e.start_call(T0, scheduled_end=T0 + 10 * MINUTE, then=BookPhase.CLOSED, reason="closing")
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_200)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_200)  # +2%: the closing trigger
    events = e.advance(T0 + 10 * MINUTE + 30 * SECOND)
    (vi,) = of(events, ViTriggered)
    assert (vi.kind, vi.reference_price, vi.trigger_price) == (ViKind.DYNAMIC, 10_000, 10_200)
    events = finish_call(e)
    assert trades(events) == [(10_200, 10, "b", "s")] and e.phase is BookPhase.CLOSED


def test_closing_call_inside_two_percent_closes_without_vi():
    e = _with_last_trade()
    e.start_call(T0, scheduled_end=T0 + 10 * MINUTE, then=BookPhase.CLOSED, reason="closing")
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_190)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_190)
    events = e.advance(T0 + 10 * MINUTE + 30 * SECOND)
    assert trades(events) == [(10_190, 10, "b", "s")] and not of(events, ViTriggered)


def test_after_hours_single_price_uses_the_continuous_rate_and_no_static_vi():
    e = _with_last_trade()
    e.set_band(9_000, 11_000)
    e.start_call(T0, scheduled_end=T0 + 10 * MINUTE, then=BookPhase.CLOSED, reason="single_price")
    e.submit(T0, order_id="b", side="buy", quantity=10, price=10_290)
    e.submit(T0, order_id="s", side="sell", quantity=10, price=10_290)  # +2.9%: inside ±3%
    assert trades(e.advance(T0 + 10 * MINUTE + 30 * SECOND)) == [(10_290, 10, "b", "s")]
    assert e.static_reference == 10_000  # 시간외 단일가 is not a regular-session single price


def test_shell_may_set_the_phase_to_return_to_during_a_vi():
    e = _with_last_trade()
    e.submit(T0, order_id="a", side="sell", quantity=10, price=10_300)
    e.submit(T0, order_id="x", side="buy", quantity=10, price=10_300)
    assert e.vi is not None
    e.close(T0 + SECOND)  # e.g. the session ended meanwhile
    assert e.vi is None and e.phase is BookPhase.CLOSED and e.advance(T0 + 10 * MINUTE) == []


def test_closing_call_replaces_a_running_vi():
    e = _with_last_trade()
    e.submit(T0, order_id="a", side="sell", quantity=10, price=10_300)
    e.submit(T0, order_id="x", side="buy", quantity=10, price=10_300)
    events = e.start_call(T0 + SECOND, scheduled_end=T0 + 10 * MINUTE, then=BookPhase.CLOSED, reason="closing")
    assert of(events, ViReleased) and e.vi is None
    assert e.indicative() == (10_300, 10)
