"""The synthetic market: participants' orders meeting in the exchange on the KRX timetable.

Pure tests (no database): `SyntheticMarket.advance_to` is run through whole trading days.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest

from market import rules, timetable
from market.feeds.simulated import SymbolSpec, SyntheticMarket
from market.state import Trade

SEOUL = timetable.SEOUL
DAY = dt.date(2026, 12, 3)  # a Thursday, an XKRX trading day
SAMSUNG = SymbolSpec("005930", "KOSPI", 71_000, 10**12, kospi200=True)
SMALL = SymbolSpec("214150", "KOSDAQ", 55_300, 150 * 10**8)


def at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SEOUL)


def run_day(market: SyntheticMarket, day: dt.date, step: dt.timedelta, until: dt.time = dt.time(18, 5)):
    """Advance through a day; every published update, with the market time it was published at."""
    updates = []
    now = at(day, 8, 20)
    end = at(day, until.hour, until.minute)
    while now < end:
        now += step
        updates += [(now, update) for update in market.advance_to(now)]
    return updates


def trades_of(updates, code: str) -> list[Trade]:
    return [trade for _, update in updates if update.code == code for trade in update.trades]


@pytest.fixture(scope="module")
def one_day():
    market = SyntheticMarket([SAMSUNG, SMALL], seed=11, scale=0.2)
    return market, run_day(market, DAY, dt.timedelta(seconds=20))


def local_time(trade: Trade) -> dt.time:
    return trade.time.astimezone(SEOUL).time()


def test_nothing_trades_before_the_opening_uncross_and_one_price_opens_the_day(one_day):
    market, updates = one_day
    for spec in (SAMSUNG, SMALL):
        trades = trades_of(updates, spec.code)
        regular = [t for t in trades if dt.time(9, 0) <= local_time(t) < dt.time(15, 30, 31)]
        before = [t for t in trades if local_time(t) < dt.time(9, 0)]
        # before 09:00 only the 장전 시간외 종가 board trades, at the previous close
        assert all(t.price == spec.prev_close for t in before)
        opening_time = local_time(regular[0])
        assert dt.time(9, 0) <= opening_time <= dt.time(9, 0, 30)  # the random end: up to 30 s
        opening = [t for t in regular if local_time(t) == opening_time]
        assert len({t.price for t in opening}) == 1  # one uncross price
        assert all(t.side == "" for t in opening)  # an auction has no aggressor
        assert market.symbols[spec.code].open == opening[0].price


def test_the_day_goes_through_every_phase_with_expected_prices_in_the_calls(one_day):
    _, updates = one_day
    seen = [(u.quote.phase, u.quote.session) for _, u in updates if u.code == SAMSUNG.code]
    for phase in [("pre_open", "close_price"), ("continuous", None), ("closing_auction", None)]:
        assert phase in seen
    assert ("after_hours", "close_price") in seen and ("after_hours", "single_price") in seen
    calls = [u.quote for _, u in updates if u.code == SAMSUNG.code and u.quote.phase == "pre_open"]
    assert any(q.expected_price is not None and q.expected_quantity for q in calls)
    assert all(
        q.expected_price is None
        for _, u in updates
        if u.code == SAMSUNG.code
        for q in [u.quote]
        if q.phase == "continuous"
    )


def test_continuous_trading_in_between_and_the_closing_uncross_sets_the_close(one_day):
    market, updates = one_day
    trades = trades_of(updates, SAMSUNG.code)
    continuous = [t for t in trades if dt.time(9, 1) <= local_time(t) < dt.time(15, 20)]
    assert len(continuous) > 100
    assert {t.side for t in continuous} == {"buy", "sell"}
    closing = [t for t in trades if dt.time(15, 30) <= local_time(t) <= dt.time(15, 30, 30)]
    assert closing and len({t.price for t in closing}) == 1
    sym = market.symbols[SAMSUNG.code]
    assert sym.close == closing[0].price
    # 장후 시간외 종가 trades at today's close; 시간외 단일가 within ±10% of it
    post = [t for t in trades if dt.time(15, 40) <= local_time(t) < dt.time(16, 0)]
    assert post and all(t.price == sym.close for t in post)
    single = [t for t in trades if local_time(t) >= dt.time(16, 0)]
    assert single
    assert all(abs(t.price - sym.close) <= sym.close * 0.1 for t in single)
    # single-price calls uncross only at their 10-minute marks (plus the random end)
    assert all(local_time(t).minute % 10 == 0 and local_time(t).second <= 30 for t in single)


def test_no_trade_outside_the_band_or_off_the_tick_grid(one_day):
    _, updates = one_day
    for spec in (SAMSUNG, SMALL):
        lower, upper = rules.price_limit_band(spec.prev_close)
        for trade in trades_of(updates, spec.code):
            assert lower <= trade.price <= upper
            assert rules.is_on_tick(trade.price)


def test_depth_and_volume_are_of_the_real_order_of_magnitude():
    market = SyntheticMarket([SAMSUNG, SMALL], seed=5, scale=1.0)
    updates = run_day(market, DAY, dt.timedelta(seconds=30), until=dt.time(15, 31))
    books = {u.code: u.book for now, u in updates if u.book is not None and now <= at(DAY, 11, 0)}
    samsung_levels = [level.quantity for level in books[SAMSUNG.code].bids + books[SAMSUNG.code].asks]
    assert len(samsung_levels) == 20
    assert statistics.median(samsung_levels) >= 10_000  # the real book holds 10^4–10^5 shares a level
    for spec in (SAMSUNG, SMALL):
        traded = market.symbols[spec.code].value
        assert spec.daily_value / 3 <= traded <= spec.daily_value * 3, (spec.code, traded)
    assert market.symbols[SAMSUNG.code].volume > 5_000_000  # the real day: 10^7 shares


def test_same_seed_same_market():
    def tape(seed: int) -> list[tuple]:
        market = SyntheticMarket([SAMSUNG, SMALL], seed=seed, scale=0.1)
        updates = run_day(market, DAY, dt.timedelta(minutes=1), until=dt.time(11, 0))
        return [(t.code, t.price, t.quantity, t.side, t.time) for _, u in updates for t in u.trades]

    assert tape(3) == tape(3)
    assert tape(3) != tape(4)


def test_months_of_trading_stay_sane():
    """120 trading days: no drift to the limits, no empty books, daily returns mostly small, fat tails."""
    specs = [SAMSUNG, SMALL, SymbolSpec("088350", "KOSPI", 4_320, 100 * 10**8, kospi200=True)]
    market = SyntheticMarket(specs, seed=21, scale=0.02)
    day = DAY
    returns: dict[str, list[float]] = {spec.code: [] for spec in specs}
    for _ in range(120):
        previous = {code: sym.prev_close for code, sym in market.symbols.items()}
        now = at(day, 8, 20)
        while now < at(day, 15, 40):
            now += dt.timedelta(minutes=10)
            market.advance_to(now)
            if now == at(day, 14, 0):
                for sym in market.symbols.values():
                    bids, asks = sym.regular.depth(10)
                    assert bids and asks, (day, sym.spec.code)
        for code, sym in market.symbols.items():
            assert sym.close is not None
            returns[code].append(math.log(sym.close / previous[code]))
        day = timetable.next_trading_day(day)
    market.advance_to(at(day, 8, 0))
    for spec in specs:
        daily = returns[spec.code]
        level = sum(daily)
        assert abs(level) < math.log(2), (spec.code, level)  # within a factor of 2 after six months
        within_3pct = sum(abs(r) < 0.03 for r in daily) / len(daily)
        assert within_3pct > 0.6, spec.code
        assert max(abs(r) for r in daily) < 0.3  # never beyond the band
