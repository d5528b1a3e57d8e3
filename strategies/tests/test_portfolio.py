"""The benchmark and the baseline trade whole shares at the close and pay KRX costs."""

import pandas as pd
import pytest

from strategies import portfolio


def test_buy_and_hold_buys_once_and_pays_commission():
    closes = pd.DataFrame({"A": [100.0, 110.0, 121.0]}, index=["d1", "d2", "d3"])
    sim = portfolio.buy_and_hold(closes, initial_cash=1_000.0, buy_cost=0.01, sell_cost=0.02)
    # 1000 // (100 * 1.01) = 9 shares, cost 9 won: cash 1000 - 900 - 9 = 91
    assert sim.trades == [{"date": "d1", "symbol": "A", "side": "buy", "quantity": 9, "price": 100.0, "cost": 9.0}]
    assert sim.equity == pytest.approx([991.0, 1081.0, 1180.0])


def test_moving_average_crossover_enters_and_exits_on_the_signal():
    history = pd.DataFrame({"A": [10.0, 10.0]}, index=["h1", "h2"])
    closes = pd.DataFrame({"A": [12.0, 13.0, 9.0, 8.0]}, index=["d1", "d2", "d3", "d4"])
    sim = portfolio.moving_average_crossover(
        closes, initial_cash=120.0, buy_cost=0.0, sell_cost=0.0, history=history, short=1, long=2
    )
    # close vs 2-day mean: d1 12 > 11 in, d2 13 > 12.5 hold, d3 9 < 11 out, d4 8 < 8.5 stay out
    assert [(t["date"], t["side"], t["quantity"]) for t in sim.trades] == [("d1", "buy", 10), ("d3", "sell", 10)]
    assert sim.equity == pytest.approx([120.0, 130.0, 90.0, 90.0])
