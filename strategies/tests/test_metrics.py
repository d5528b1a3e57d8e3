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
