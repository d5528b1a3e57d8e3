"""KRX trading costs as the environment's rates: buys pay commission, sells commission + transaction tax.

The rates come from the orders app's cost table (one table for the platform), so a backtest charges
what paper trading charges: the tax of a sale is the rate of its T+2 settlement date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from market.models import Symbol
from orders import costs as order_costs


def commission_rate() -> float:
    return float(order_costs.commission_rate())


def cost_rates(*, symbols: list[Symbol], day: dt.date) -> tuple[dict[str, float], dict[str, float]]:
    """({code: buy rate}, {code: sell rate}) of a trade made on `day` (shown in the spec)."""
    commission = commission_rate()
    buy = {s.code: commission for s in symbols}
    sell = {s.code: commission + float(order_costs.sell_tax_rate_for_trade(s.market, day)) for s in symbols}
    return buy, sell


def sell_rate_table(*, dates: Sequence[str], markets: Sequence[str], commission: float) -> np.ndarray:
    """Days × symbols: commission + the tax rate of a sale made on each date (by its settlement date)."""
    table = np.empty((len(dates), len(markets)), dtype=float)
    for row, date in enumerate(dates):
        day = dt.date.fromisoformat(str(date)[:10])
        for column, market in enumerate(markets):
            table[row, column] = commission + float(order_costs.sell_tax_rate_for_trade(market, day))
    return table
