"""The benchmark and the baseline decide on a close, trade on the next day's open, and pay KRX costs."""

import numpy as np
import pandas as pd
import pytest

from strategies import portfolio
from strategies.execution import MarketData, Slippage


def market(closes, opens, *, buy=0.0, sell=0.0, volumes=None, slippage=None, dates=None):
    closes = np.asarray(closes, dtype=float).reshape(len(closes), -1)
    opens = np.asarray(opens, dtype=float).reshape(closes.shape)
    count = closes.shape[1]
    return MarketData(
        dates=dates or [f"d{i + 1}" for i in range(len(closes))],
        symbols=[chr(ord("A") + i) for i in range(count)],
        closes=closes,
        fills=opens,
        volumes=np.full(closes.shape, 1e9) if volumes is None else np.asarray(volumes, dtype=float),
        buy_rates=np.full(count, buy),
        sell_rates=np.full(closes.shape, sell),
        slippage=slippage or Slippage(0.0, 0.0),
    )


def test_buy_and_hold_decides_on_the_first_close_and_buys_at_the_next_open():
    data = market([100.0, 110.0, 121.0], [99.0, 105.0, 111.0], buy=0.01)
    sim = portfolio.buy_and_hold(data, initial_cash=1_000.0)
    # sized on d1's close: 1000 // (100 × 1.01) = 9 shares, bought at d2's open 105 (cost 9.45)
    assert [(t["date"], t["side"], t["quantity"], t["price"]) for t in sim.trades] == [("d2", "buy", 9, 105.0)]
    assert sim.trades[0]["cost"] == pytest.approx(9.45)
    cash = 1_000.0 - 945.0 - 9.45
    assert sim.equity == pytest.approx([1_000.0, cash + 9 * 110.0, cash + 9 * 121.0])
    assert sim.invested == pytest.approx([0.0, 990.0, 1089.0])


def test_moving_average_crossover_trades_the_day_after_its_signal():
    history = pd.DataFrame({"A": [10.0, 10.0]}, index=["h1", "h2"])
    data = market([12.0, 13.0, 9.0, 8.0, 8.0], [11.0, 12.0, 12.0, 8.5, 8.0])
    sim = portfolio.moving_average_crossover(data, initial_cash=120.0, history=history, short=1, long=2)
    # close vs 2-day mean: d1 12 > 11 in → buy d2 open; d3 9 < 11 out → sell d4 open
    assert [(t["date"], t["side"], t["quantity"], t["price"]) for t in sim.trades] == [
        ("d2", "buy", 10, 12.0),
        ("d4", "sell", 10, 8.5),
    ]
    assert sim.equity == pytest.approx([120.0, 130.0, 90.0, 85.0, 85.0])


def test_slippage_is_half_the_spread_plus_the_share_of_volume():
    # 10,000 won: 10-won ticks; spread 2 ticks → half spread 10/10,000 = 0.1%; 100 of 10,000 shares × 0.5
    data = market(
        [10_000.0, 10_000.0], [10_000.0, 10_000.0], volumes=[[10_000.0], [10_000.0]], slippage=Slippage(2.0, 0.5)
    )
    sim = portfolio.buy_and_hold(data, initial_cash=1_010_000.0)
    fill = sim.trades[0]
    rate = 0.001 + 0.5 * 101 / 10_000  # sized for 101 shares, then capped by cash to what it pays
    assert fill["price"] == pytest.approx(10_000 * (1 + rate))
    assert fill["slippage"] == pytest.approx(fill["quantity"] * 10_000 * rate)
    assert fill["quantity"] == int(1_010_000 // (10_000 * (1 + rate)))


def test_a_sale_pays_the_tax_rate_of_its_day():
    data = market([100.0, 100.0, 100.0, 100.0], [100.0] * 4)
    data.sell_rates[:, 0] = [0.0, 0.0, 0.0, 0.05]
    weights = np.array([[1.0], [1.0], [0.0], [0.0]])
    sim = portfolio.simulate_weights(data, weights, initial_cash=1_000.0)
    sale = sim.trades[-1]
    assert (sale["date"], sale["side"], sale["quantity"]) == ("d4", "sell", 10)
    assert sale["cost"] == pytest.approx(1_000.0 * 0.05)
