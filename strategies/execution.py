"""How a decision becomes a fill: one model for the agent's environment, the benchmark, the baseline and
live sizing, so that none of them trades at a price it could not have had.

- Timing: a decision made on day t's close executes on day t+1, at its opening auction price (the
  default: orders queued after the close go into the next 08:30-09:00 call) or at its closing auction
  price (`execution="close"`: orders for the 15:20-15:30 call of t+1). Nothing of day t+1 is seen
  before the decision.
- Costs: buys pay commission; sells pay commission plus the transaction tax of their settlement date
  (orders.costs, one table for the platform; the caller passes the per-day rates in).
- Slippage: the fill price moves against the order by half the typical spread (`spread_ticks` KRX
  ticks of the price, 호가가격단위) plus an impact term `impact × quantity / the execution day's volume`.

Pure numpy (the web process imports it to validate specs); no Django, no pandas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from market.rules import tick_size_for

EXECUTION_OPEN = "open"
EXECUTION_CLOSE = "close"
EXECUTIONS = (EXECUTION_OPEN, EXECUTION_CLOSE)
DEFAULT_SPREAD_TICKS = 1.0
DEFAULT_IMPACT = 0.1


@dataclass(frozen=True)
class Slippage:
    """Half the typical spread (in ticks) plus `impact` × the order's share of the day's volume."""

    spread_ticks: float = DEFAULT_SPREAD_TICKS
    impact: float = DEFAULT_IMPACT

    def as_dict(self) -> dict[str, float]:
        return {"spread_ticks": self.spread_ticks, "impact": self.impact}


def half_spreads(prices: np.ndarray, spread_ticks: float) -> np.ndarray:
    """Half the typical spread as a fraction of each price (a 1-tick spread at 70,000 won: 50/70,000)."""
    ticks = np.vectorize(lambda p: tick_size_for(max(0, int(p))), otypes=[float])(prices) if prices.size else prices
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prices > 0, spread_ticks * ticks / 2.0 / np.where(prices > 0, prices, 1.0), 0.0)


@dataclass
class MarketData:
    """Days × symbols arrays of one period, in date order and ticker order."""

    dates: list[str]
    symbols: list[str]
    closes: np.ndarray
    fills: np.ndarray  # the execution price of each day: its open or its close
    volumes: np.ndarray
    buy_rates: np.ndarray  # per symbol: commission
    sell_rates: np.ndarray  # per day and symbol: commission + the tax of a sale made that day
    slippage: Slippage = field(default_factory=Slippage)
    half_spread: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.half_spread = half_spreads(self.fills, self.slippage.spread_ticks)

    @property
    def days(self) -> int:
        return len(self.dates)

    def slippage_rate(self, day: int, index: int, quantity: float) -> float:
        volume = float(self.volumes[day, index])
        share = quantity / volume if volume > 0 else 1.0
        return float(self.half_spread[day, index]) + self.slippage.impact * share


@dataclass
class Book:
    """Cash and whole shares held."""

    cash: float
    holdings: np.ndarray

    def value(self, prices: np.ndarray) -> float:
        return float(self.cash + float(np.dot(self.holdings, prices)))


def execute(
    book: Book, orders: np.ndarray, *, day: int, data: MarketData, allow_buys: bool = True
) -> list[dict[str, Any]]:
    """Fill signed share `orders` on `day` at that day's execution price; sells first (largest first), so
    their proceeds fund the buys, then buys largest first, each capped by the cash it can pay for.
    Returns the fills as {date, symbol, side, quantity, price (after slippage), cost, slippage}."""
    fills: list[dict[str, Any]] = []
    date = data.dates[day]
    ranked = np.argsort(orders, kind="stable")
    for index in ranked:
        wanted = int(orders[index])
        if wanted >= 0:
            break
        quantity = min(-wanted, int(book.holdings[index]))
        if quantity <= 0:
            continue
        reference = float(data.fills[day, index])
        price = reference * (1.0 - data.slippage_rate(day, index, quantity))
        proceeds = price * quantity
        fee = proceeds * float(data.sell_rates[day, index])
        book.cash += proceeds - fee
        book.holdings[index] -= quantity
        fills.append(_fill(date, data.symbols[index], "sell", quantity, price, fee, (reference - price) * quantity))
    if not allow_buys:
        return fills
    for index in ranked[::-1]:
        wanted = int(orders[index])
        if wanted <= 0:
            break
        reference = float(data.fills[day, index])
        if reference <= 0:
            continue
        price = reference * (1.0 + data.slippage_rate(day, index, wanted))
        rate = float(data.buy_rates[index])
        quantity = min(wanted, int(book.cash // (price * (1.0 + rate))))
        if quantity <= 0:
            continue
        fee = price * quantity * rate
        book.cash -= price * quantity + fee
        book.holdings[index] += quantity
        fills.append(_fill(date, data.symbols[index], "buy", quantity, price, fee, (price - reference) * quantity))
    return fills


def _fill(
    date: str, symbol: str, side: str, quantity: int, price: float, cost: float, slippage: float
) -> dict[str, Any]:
    return {
        "date": date,
        "symbol": symbol,
        "side": side,
        "quantity": int(quantity),
        "price": float(price),
        "cost": float(cost),
        "slippage": float(slippage),
    }
