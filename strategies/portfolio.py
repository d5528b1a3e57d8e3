"""Rule-based portfolios on the same prices, timing and costs as the agent: the benchmark and the baseline.

Pure numpy/pandas. A target decided on day t's close is traded on day t+1 at the execution price
(strategies.execution), in whole shares, with commission, the dated tax and slippage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from strategies.execution import Book, MarketData, execute

MA_SHORT = 5
MA_LONG = 20


@dataclass
class Simulation:
    dates: list[str]
    equity: list[float]
    trades: list[dict[str, Any]] = field(default_factory=list)
    invested: list[float] = field(default_factory=list)  # market value of the holdings at each close


def simulate_weights(data: MarketData, weights: np.ndarray, *, initial_cash: float) -> Simulation:
    """Hold `weights` (days × symbols, each in [0, 1], summing to <= 1) of equity in each symbol.

    The row of day t is the target decided at t's close; it is traded on day t+1. A symbol is
    traded only when its target changes, so a constant weight is bought once and held.
    """
    count = len(data.symbols)
    book = Book(cash=float(initial_cash), holdings=np.zeros(count, dtype=np.int64))
    previous = np.zeros(count)
    pending: np.ndarray | None = None
    equity: list[float] = []
    invested: list[float] = []
    trades: list[dict[str, Any]] = []
    for day in range(data.days):
        if pending is not None:
            trades.extend(execute(book, pending, day=day, data=data))
            pending = None
        closes = data.closes[day]
        value = book.value(closes)
        equity.append(value)
        invested.append(float(np.dot(book.holdings, closes)))
        target = weights[day]
        changed = target != previous
        if day + 1 < data.days and changed.any():
            wanted = np.floor(target * value / (closes * (1.0 + data.buy_rates))).astype(np.int64)
            pending = np.where(changed, wanted - book.holdings, 0)
            previous = target.copy()
    return Simulation(dates=list(data.dates), equity=equity, trades=trades, invested=invested)


def buy_and_hold(data: MarketData, *, initial_cash: float) -> Simulation:
    """Equal weights decided on the first day (bought the next) and held: the equal-weight benchmark."""
    weights = np.full((data.days, len(data.symbols)), 1.0 / len(data.symbols))
    return simulate_weights(data, weights, initial_cash=initial_cash)


def moving_average_weights(closes: pd.DataFrame, *, short: int = MA_SHORT, long: int = MA_LONG) -> pd.DataFrame:
    """1/N in a symbol on the days its `short`-day average of closes up to that day is above its `long` one."""
    fast = closes.rolling(short, min_periods=short).mean()
    slow = closes.rolling(long, min_periods=long).mean()
    return (fast > slow).astype(float) / len(closes.columns)


def moving_average_crossover(
    data: MarketData,
    *,
    initial_cash: float,
    history: pd.DataFrame | None = None,
    short: int = MA_SHORT,
    long: int = MA_LONG,
) -> Simulation:
    """The moving-average crossover baseline; `history` (closes before the first day, same columns)
    warms the averages up so the signal exists on day one."""
    closes = pd.DataFrame(data.closes, index=data.dates, columns=data.symbols)
    full = closes if history is None or history.empty else pd.concat([history[data.symbols], closes])
    weights = moving_average_weights(full, short=short, long=long).loc[closes.index].to_numpy()
    return simulate_weights(data, weights, initial_cash=initial_cash)


def index_curve(closes: pd.Series, dates: list[str], *, initial_cash: float) -> list[float | None]:
    """A market index rebased to `initial_cash` on the first of `dates` (None where it has no close)."""
    series = closes.reindex(dates).ffill()
    first = series.dropna()
    if first.empty:
        return [None] * len(dates)
    base = float(first.iloc[0])
    return [None if pd.isna(v) else float(v) / base * initial_cash for v in series]
