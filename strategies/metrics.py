"""Performance metrics of an equity curve, shared by the agent, the benchmark and the baseline.

Pure numpy/pandas (the web process may import this). Conventions: daily bars, 252 trading days a
year, risk-free rate 0, sample standard deviation (ddof=1); a metric that is undefined for the
series (no variation, no drawdown, no closed trade) is None so that it serialises to JSON null.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

TRADING_DAYS = 252


def daily_returns(equity: Sequence[float]) -> np.ndarray:
    values = np.asarray(equity, dtype=float)
    if values.size < 2:
        return np.zeros(0)
    return values[1:] / values[:-1] - 1.0


def cumulative_return(equity: Sequence[float]) -> float:
    values = np.asarray(equity, dtype=float)
    return float(values[-1] / values[0] - 1.0) if values.size else 0.0


def annual_return(equity: Sequence[float], periods_per_year: int = TRADING_DAYS) -> float:
    """Compound annual growth rate over len(equity) - 1 periods."""
    periods = len(equity) - 1
    if periods <= 0:
        return 0.0
    growth = 1.0 + cumulative_return(equity)
    if growth <= 0:
        return -1.0
    return float(growth ** (periods_per_year / periods) - 1.0)


def annual_volatility(returns: Sequence[float], periods_per_year: int = TRADING_DAYS) -> float:
    values = np.asarray(returns, dtype=float)
    if values.size < 2:
        return 0.0
    return float(values.std(ddof=1) * math.sqrt(periods_per_year))


def sharpe_ratio(returns: Sequence[float], periods_per_year: int = TRADING_DAYS) -> float | None:
    values = np.asarray(returns, dtype=float)
    if values.size < 2:
        return None
    std = values.std(ddof=1)
    if std == 0 or not np.isfinite(std):
        return None
    return float(values.mean() / std * math.sqrt(periods_per_year))


def sortino_ratio(returns: Sequence[float], periods_per_year: int = TRADING_DAYS) -> float | None:
    """Mean return over downside deviation sqrt(mean(min(r, 0)^2)), annualised (target 0)."""
    values = np.asarray(returns, dtype=float)
    if values.size == 0:
        return None
    downside = math.sqrt(float(np.mean(np.minimum(values, 0.0) ** 2)))
    if downside == 0:
        return None
    return float(values.mean() / downside * math.sqrt(periods_per_year))


def max_drawdown(equity: Sequence[float]) -> float:
    """The deepest fall from a running peak, as a fraction <= 0 (e.g. -0.25 for 25%)."""
    values = np.asarray(equity, dtype=float)
    if values.size == 0:
        return 0.0
    peaks = np.maximum.accumulate(values)
    return float(np.min(values / peaks - 1.0))


def calmar_ratio(equity: Sequence[float], periods_per_year: int = TRADING_DAYS) -> float | None:
    drawdown = max_drawdown(equity)
    if drawdown == 0:
        return None
    return float(annual_return(equity, periods_per_year) / abs(drawdown))


def turnover(
    trades: Iterable[Mapping[str, Any]], equity: Sequence[float], periods_per_year: int = TRADING_DAYS
) -> float:
    """One-way annual turnover: traded value (buys + sells) / 2 / mean equity, per year."""
    values = np.asarray(equity, dtype=float)
    periods = len(values) - 1
    if periods <= 0 or values.mean() <= 0:
        return 0.0
    traded = sum(float(t["quantity"]) * float(t["price"]) for t in trades)
    return float(traded / 2.0 / values.mean() * periods_per_year / periods)


def realized_pnls(trades: Iterable[Mapping[str, Any]]) -> list[float]:
    """The profit after costs of each sell against the average cost (buy costs included) of the shares sold.

    `trades` are in time order, each {symbol, side: buy|sell, quantity, price, cost}.
    """
    shares: dict[str, float] = {}
    cost_basis: dict[str, float] = {}
    pnls: list[float] = []
    for trade in trades:
        symbol, quantity, price = trade["symbol"], float(trade["quantity"]), float(trade["price"])
        fee = float(trade.get("cost", 0.0))
        if quantity <= 0:
            continue
        if trade["side"] == "buy":
            shares[symbol] = shares.get(symbol, 0.0) + quantity
            cost_basis[symbol] = cost_basis.get(symbol, 0.0) + quantity * price + fee
        else:
            held = shares.get(symbol, 0.0)
            if held <= 0:
                continue
            quantity = min(quantity, held)
            average_cost = cost_basis[symbol] / held
            pnls.append(quantity * price - fee - quantity * average_cost)
            shares[symbol] = held - quantity
            cost_basis[symbol] -= average_cost * quantity
    return pnls


def win_rate(trades: Iterable[Mapping[str, Any]]) -> float | None:
    """Share of sells that realised a profit after costs (None without a sell)."""
    pnls = realized_pnls(trades)
    return sum(1 for p in pnls if p > 0) / len(pnls) if pnls else None


def profit_factor(trades: Iterable[Mapping[str, Any]]) -> float | None:
    """Gross realised profit over gross realised loss of the sells (None without a losing sell)."""
    pnls = realized_pnls(trades)
    loss = -sum(p for p in pnls if p < 0)
    if loss <= 0:
        return None
    return float(sum(p for p in pnls if p > 0) / loss)


def exposure(invested: Sequence[float]) -> float | None:
    """Share of days that ended with a position held (time in the market; None without holdings data)."""
    values = np.asarray(invested, dtype=float)
    if values.size == 0:
        return None
    return float(np.mean(values > 0))


def average_invested(invested: Sequence[float], equity: Sequence[float]) -> float | None:
    """Mean share of equity held in shares at the close."""
    held, total = np.asarray(invested, dtype=float), np.asarray(equity, dtype=float)
    if held.size == 0 or held.size != total.size:
        return None
    return float(np.mean(np.divide(held, total, out=np.zeros_like(held), where=total > 0)))


def performance(
    equity: Sequence[float],
    trades: Sequence[Mapping[str, Any]] = (),
    invested: Sequence[float] = (),
    periods_per_year: int = TRADING_DAYS,
) -> dict[str, float | None]:
    """Every metric the API shows for one equity curve (warm-up already excluded), its trades and the
    market value it held at each close."""
    returns = daily_returns(equity)
    return {
        "cumulative_return": cumulative_return(equity),
        "annual_return": annual_return(equity, periods_per_year),
        "annual_volatility": annual_volatility(returns, periods_per_year),
        "sharpe": sharpe_ratio(returns, periods_per_year),
        "sortino": sortino_ratio(returns, periods_per_year),
        "max_drawdown": max_drawdown(equity),
        "calmar": calmar_ratio(equity, periods_per_year),
        "turnover": turnover(trades, equity, periods_per_year),
        "win_rate": win_rate(trades),
        "profit_factor": profit_factor(trades),
        "exposure": exposure(invested),
        "average_invested": average_invested(invested, equity),
        "trades": len(trades),
        "days": len(equity),
    }
