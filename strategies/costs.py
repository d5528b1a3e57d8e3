"""KRX trading costs as the environment's rates: buys pay commission, sells commission + transaction tax.

The rates come from the orders app's cost table, so a backtest charges what paper trading charges.
"""

from __future__ import annotations

import datetime as dt

from market.models import Symbol
from orders import costs as order_costs


def cost_rates(*, symbols: list[Symbol], day: dt.date) -> tuple[dict[str, float], dict[str, float]]:
    """({code: buy rate}, {code: sell rate}) in force on `day`."""
    commission = float(order_costs.commission_rate())
    buy = {s.code: commission for s in symbols}
    sell = {s.code: commission + float(order_costs.sell_tax_rate(s.market, day)) for s in symbols}
    return buy, sell
