"""Rule-based portfolios on the same prices and costs as the agent: the benchmark and the baseline.

Pure numpy/pandas. Orders fill at the day's close in whole shares, like FinRL's StockTradingEnv;
buys pay `buy_cost` (commission), sells pay `sell_cost` (commission + transaction tax).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

MA_SHORT = 5
MA_LONG = 20
Rates = float | Mapping[str, float]


def rate_for(rates: Rates, symbol: str) -> float:
    return float(rates[symbol]) if isinstance(rates, Mapping) else float(rates)


@dataclass
class Simulation:
    dates: list[str]
    equity: list[float]
    trades: list[dict[str, Any]] = field(default_factory=list)


def simulate_weights(
    closes: pd.DataFrame, weights: pd.DataFrame, *, initial_cash: float, buy_cost: Rates, sell_cost: Rates
) -> Simulation:
    """Hold `weights` (date x symbol, each in [0, 1], summing to <= 1) of equity in each symbol.

    A symbol is traded only on the days its target weight changes, so a constant weight is bought
    once and held. Sells run before buys so their proceeds can fund the buys of the same day.
    """
    symbols = list(closes.columns)
    cash = float(initial_cash)
    held = dict.fromkeys(symbols, 0)
    previous = dict.fromkeys(symbols, 0.0)
    equity_curve: list[float] = []
    trades: list[dict[str, Any]] = []
    for date, prices in closes.iterrows():
        target = weights.loc[date]
        equity = cash + sum(held[s] * float(prices[s]) for s in symbols)
        changed = [s for s in symbols if float(target[s]) != previous[s]]
        orders = []
        for symbol in changed:
            price = float(prices[symbol])
            wanted = int(float(target[symbol]) * equity // (price * (1 + rate_for(buy_cost, symbol))))
            orders.append((symbol, wanted - held[symbol], price))
            previous[symbol] = float(target[symbol])
        for symbol, delta, price in sorted(orders, key=lambda o: o[1]):
            if delta < 0:
                fee = -delta * price * rate_for(sell_cost, symbol)
                cash += -delta * price - fee
                held[symbol] += delta
                trades.append(_trade(date, symbol, "sell", -delta, price, fee))
            elif delta > 0:
                buy_rate = rate_for(buy_cost, symbol)
                delta = min(delta, int(cash // (price * (1 + buy_rate))))
                if delta <= 0:
                    continue
                fee = delta * price * buy_rate
                cash -= delta * price + fee
                held[symbol] += delta
                trades.append(_trade(date, symbol, "buy", delta, price, fee))
        equity_curve.append(cash + sum(held[s] * float(prices[s]) for s in symbols))
    return Simulation(dates=[str(d) for d in closes.index], equity=equity_curve, trades=trades)


def _trade(date: Any, symbol: str, side: str, quantity: int, price: float, cost: float) -> dict[str, Any]:
    return {"date": str(date), "symbol": symbol, "side": side, "quantity": int(quantity), "price": price, "cost": cost}


def buy_and_hold(closes: pd.DataFrame, *, initial_cash: float, buy_cost: Rates, sell_cost: Rates) -> Simulation:
    """Equal weights bought on the first day and held (the benchmark)."""
    weights = pd.DataFrame(1.0 / len(closes.columns), index=closes.index, columns=closes.columns)
    return simulate_weights(closes, weights, initial_cash=initial_cash, buy_cost=buy_cost, sell_cost=sell_cost)


def moving_average_crossover(
    closes: pd.DataFrame,
    *,
    initial_cash: float,
    buy_cost: Rates,
    sell_cost: Rates,
    history: pd.DataFrame | None = None,
    short: int = MA_SHORT,
    long: int = MA_LONG,
) -> Simulation:
    """Hold 1/N of equity in a symbol while its `short`-day average is above its `long`-day one.

    `history` (closes before the first day) warms the averages up so the signal exists on day one.
    """
    full = closes if history is None or history.empty else pd.concat([history[closes.columns], closes])
    fast = full.rolling(short, min_periods=short).mean()
    slow = full.rolling(long, min_periods=long).mean()
    signal = (fast > slow).astype(float).loc[closes.index]
    weights = signal / len(closes.columns)
    return simulate_weights(closes, weights, initial_cash=initial_cash, buy_cost=buy_cost, sell_cost=sell_cost)
