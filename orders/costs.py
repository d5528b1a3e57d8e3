"""Trading costs: broker commission (both sides) and the securities transaction tax (sells).

Both are rounded down to the won, as Korean brokers do.

Securities transaction tax (증권거래세) on the sale of listed shares, as the effective rate a seller
pays; on KOSPI it is the transaction tax plus the 0.15% special tax for rural development (농어촌특별세):
- 2024: KOSPI 0.03% + 농특세 0.15% = 0.18%, KOSDAQ 0.18%, KONEX 0.10%.
- 2025 (sales settled from 2025-01-01, i.e. trades from 2024-12-27): KOSPI 0.00% + 농특세 0.15% =
  0.15%, KOSDAQ 0.15%, KONEX 0.10% (증권거래세법 시행령, 2023 개정 탄력세율).
- 2026 on: the 2025 세법개정안 (MOEF, July 2025) restored the 2023 level: KOSPI 0.05% + 농특세
  0.15% = 0.20%, KOSDAQ 0.20%, KONEX 0.10% unchanged; applies to sales from 2026-01-01.
Sources checked 2026-11: MOEF 2025 tax-law amendment as reported e.g. by
https://alphaonair.com/securities-transaction-tax-rate-2026 and
https://moneymindsite.com/entry/25년-증권거래세-인하 (2025 table). The table is data: override it with
PAPERTRADE_ORDERS_SELL_TAX_TABLE when the rates change again.
We key the table on the trade date (Asia/Seoul) for simplicity; the law keys it on the settlement
(T+2) date, which only differs for trades in the last two trading days of a year.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from decimal import ROUND_FLOOR, Decimal
from functools import cache

from django.conf import settings

from market.enums import Market
from market.timetable import SEOUL

DEFAULT_SELL_TAX_TABLE: dict[str, dict[str, str]] = {
    "2024-01-01": {Market.KOSPI: "0.0018", Market.KOSDAQ: "0.0018", Market.KONEX: "0.0010"},
    "2025-01-01": {Market.KOSPI: "0.0015", Market.KOSDAQ: "0.0015", Market.KONEX: "0.0010"},
    "2026-01-01": {Market.KOSPI: "0.0020", Market.KOSDAQ: "0.0020", Market.KONEX: "0.0010"},
}


def commission_rate() -> Decimal:
    return Decimal(str(settings.ORDERS_COMMISSION_RATE))


def _floor_won(amount: int, rate: Decimal) -> int:
    return int((Decimal(amount) * rate).to_integral_value(rounding=ROUND_FLOOR))


def commission_for(amount: int) -> int:
    """Commission on a traded amount (price × quantity), rounded down to the won."""
    return _floor_won(amount, commission_rate())


@cache
def _parse_table(raw: str) -> tuple[tuple[dt.date, ...], tuple[dict[str, Decimal], ...]]:
    table = json.loads(raw) if raw else DEFAULT_SELL_TAX_TABLE
    rows = sorted(
        (dt.date.fromisoformat(day), {str(k): Decimal(str(v)) for k, v in rates.items()})
        for day, rates in table.items()
    )
    return tuple(day for day, _ in rows), tuple(rates for _, rates in rows)


def sell_tax_rate(market: str, day: dt.date) -> Decimal:
    """Effective sell tax rate for a market on a trade date (0 before the table starts)."""
    days, rates = _parse_table(settings.ORDERS_SELL_TAX_TABLE)
    index = bisect_right(days, day) - 1
    if index < 0:
        return Decimal("0")
    return rates[index].get(str(market), Decimal("0"))


def sell_tax_for(amount: int, market: str, day: dt.date) -> int:
    return _floor_won(amount, sell_tax_rate(market, day))


def trade_date(at: dt.datetime) -> dt.date:
    return at.astimezone(SEOUL).date()


def buy_reservation(price: int, quantity: int) -> int:
    """Cash a buy limit order holds: its amount at the limit plus the commission on it.

    Fills happen at the limit or better and Σ floor(aᵢ·r) ≤ floor(Σ aᵢ·r), so this always covers
    the fills' cost.
    """
    amount = price * quantity
    return amount + commission_for(amount)
