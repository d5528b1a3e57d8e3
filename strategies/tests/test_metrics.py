"""Metric functions against values worked out by hand on small series."""

import math

import pytest

from strategies import metrics

EQUITY = [100.0, 110.0, 99.0, 108.9]  # returns +10%, -10%, +10%


def test_daily_and_cumulative_returns():
    assert metrics.daily_returns(EQUITY) == pytest.approx([0.10, -0.10, 0.10])
    assert metrics.cumulative_return(EQUITY) == pytest.approx(0.089)


def test_annual_return_compounds_over_252_days():
    # 3 periods grew 1.089x → 1.089 ** (252 / 3) - 1
    assert metrics.annual_return(EQUITY) == pytest.approx(1.089**84 - 1)
    # one year of 252 daily bars that doubled: exactly 100%
    assert metrics.annual_return([1.0] + [2.0 ** (i / 252) for i in range(1, 253)]) == pytest.approx(1.0)


def test_volatility_sharpe_sortino():
    returns = [0.10, -0.10, 0.10]
    mean = 0.1 / 3
    std = math.sqrt(((0.1 - mean) ** 2 * 2 + (-0.1 - mean) ** 2) / 2)  # sample std, ddof=1
    assert std == pytest.approx(0.11547005)
    assert metrics.annual_volatility(returns) == pytest.approx(std * math.sqrt(252))
    assert metrics.sharpe_ratio(returns) == pytest.approx(mean / std * math.sqrt(252))
    downside = math.sqrt(0.01 / 3)  # only -10% counts: sqrt(mean([0, 0.01, 0]))
    assert metrics.sortino_ratio(returns) == pytest.approx(mean / downside * math.sqrt(252))


def test_flat_series_has_no_ratio():
    assert metrics.sharpe_ratio([0.0, 0.0, 0.0]) is None
    assert metrics.sortino_ratio([0.01, 0.02]) is None  # no downside
    assert metrics.calmar_ratio([1.0, 1.1, 1.2]) is None  # no drawdown


def test_max_drawdown_and_calmar():
    equity = [100.0, 120.0, 90.0, 95.0, 130.0, 117.0]
    assert metrics.max_drawdown(equity) == pytest.approx(90 / 120 - 1)  # -25%
    annual = (1.17) ** (252 / 5) - 1
    assert metrics.calmar_ratio(equity) == pytest.approx(annual / 0.25)


def test_turnover_is_one_way_annualised():
    trades = [
        {"symbol": "A", "side": "buy", "quantity": 10, "price": 100.0},
        {"symbol": "A", "side": "sell", "quantity": 10, "price": 100.0},
    ]
    # traded 2,000 over 4 periods with mean equity 1,000: 2000 / 2 / 1000 * 252 / 4
    assert metrics.turnover(trades, [1000.0] * 5) == pytest.approx(63.0)


def test_win_rate_uses_average_cost_after_costs():
    trades = [
        {"symbol": "A", "side": "buy", "quantity": 10, "price": 100.0, "cost": 0.0},
        {"symbol": "A", "side": "buy", "quantity": 10, "price": 120.0, "cost": 0.0},  # average 110
        {"symbol": "A", "side": "sell", "quantity": 5, "price": 115.0, "cost": 1.0},  # 574 > 550: win
        {"symbol": "A", "side": "sell", "quantity": 5, "price": 108.0, "cost": 0.0},  # 540 < 550: loss
        {"symbol": "B", "side": "buy", "quantity": 1, "price": 50.0, "cost": 0.0},
        {"symbol": "B", "side": "sell", "quantity": 1, "price": 50.1, "cost": 0.2},  # 49.9 < 50: loss
    ]
    assert metrics.win_rate(trades) == pytest.approx(1 / 3)
    assert metrics.win_rate(trades[:2]) is None


def test_performance_has_every_metric_of_the_contract():
    result = metrics.performance(EQUITY, [])
    assert set(result) >= {
        "cumulative_return",
        "annual_return",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "turnover",
        "win_rate",
    }
    assert result["max_drawdown"] == pytest.approx(-0.1)


def test_profit_factor_and_exposure():
    trades = [
        {"symbol": "A", "side": "buy", "quantity": 10, "price": 100.0, "cost": 0.0},
        {"symbol": "A", "side": "sell", "quantity": 5, "price": 120.0, "cost": 0.0},  # +100
        {"symbol": "A", "side": "sell", "quantity": 5, "price": 90.0, "cost": 0.0},  # -50
    ]
    assert metrics.profit_factor(trades) == pytest.approx(2.0)
    assert metrics.profit_factor(trades[:2]) is None  # no losing sell
    assert metrics.exposure([0.0, 50.0, 80.0, 0.0]) == pytest.approx(0.5)
    assert metrics.average_invested([0.0, 50.0], [100.0, 100.0]) == pytest.approx(0.25)
    result = metrics.performance([100.0, 101.0, 102.0, 101.0], trades, [0.0, 50.0, 80.0, 0.0])
    assert result["profit_factor"] == pytest.approx(2.0) and result["exposure"] == pytest.approx(0.5)


def _backtest_curves():
    """Equity curves of real simulations: the benchmark and the baseline over synthetic KRX candles."""
    import numpy as np

    from strategies import portfolio
    from strategies.execution import MarketData, Slippage
    from strategies.synthetic import candles_frame, trading_days, zigzag_closes

    days = 300
    dates = trading_days("2021-01-04", days)
    rng = np.random.default_rng(7)
    walk = 30_000 * np.cumprod(1 + rng.normal(0.0004, 0.018, size=days))
    frame = candles_frame({"000010": zigzag_closes(days, seed=1), "000020": walk}, dates)
    pivot = {c: frame.pivot(index="date", columns="tic", values=c).to_numpy(dtype=float) for c in frame.columns[2:]}
    data = MarketData(
        dates=dates,
        symbols=["000010", "000020"],
        closes=pivot["close"],
        fills=pivot["open"],
        volumes=pivot["volume"],
        buy_rates=np.full(2, 0.00015),
        sell_rates=np.full((days, 2), 0.00015 + 0.0020),
        slippage=Slippage(1.0, 0.1),
    )
    return [
        portfolio.buy_and_hold(data, initial_cash=10_000_000).equity,
        portfolio.moving_average_crossover(data, initial_cash=10_000_000, short=3, long=10).equity,
        list(walk),
    ]


@pytest.mark.parametrize("curve", range(3))
def test_metrics_agree_with_empyrical_on_backtest_equity_curves(curve):
    """An independent implementation (empyrical-reloaded) of the same definitions gives the same values."""
    import empyrical
    import numpy as np
    import pandas as pd

    equity = _backtest_curves()[curve]
    returns = pd.Series(metrics.daily_returns(equity))
    ours = metrics.performance(equity)
    assert ours["cumulative_return"] == pytest.approx(empyrical.cum_returns_final(returns), rel=1e-9)
    assert ours["annual_return"] == pytest.approx(empyrical.annual_return(returns), rel=1e-9)
    assert ours["annual_volatility"] == pytest.approx(empyrical.annual_volatility(returns), rel=1e-9)
    assert ours["sharpe"] == pytest.approx(empyrical.sharpe_ratio(returns), rel=1e-9)
    assert ours["sortino"] == pytest.approx(empyrical.sortino_ratio(returns), rel=1e-9)
    assert ours["max_drawdown"] == pytest.approx(empyrical.max_drawdown(returns), rel=1e-9)
    assert ours["calmar"] == pytest.approx(empyrical.calmar_ratio(returns), rel=1e-9)
    assert np.isfinite(ours["sharpe"]) and ours["max_drawdown"] < 0
