"""Trading costs: broker commission (both sides) and the securities transaction tax (sells).

Both are rounded down to the won, as Korean brokers do.

Securities transaction tax (증권거래세) on the sale of listed shares, as the effective rate a seller
pays: on KOSPI the tax of 증권거래세법 시행령 제5조 plus the 0.15% special tax for rural development
(농어촌특별세); KOSDAQ and KONEX pay no 농특세.

The law charges the rate in force when the shares are transferred (양도), and a listed share is
transferred when the trade settles (증권거래세법 제5조, 시행령 제2조): T+2 on XKRX trading days. So the
table is keyed by settlement date, and a trade pays the rate of the day it settles, not of the day
it was made (the 2019 cut applied to trades from 2019-05-30, which settled from 2019-06-03).

Every row and its source (rates are seller rates, KOSPI incl. 농특세 0.15%):
- 1996-01-01  KOSPI 0.15%+0.15% = 0.30%, KOSDAQ 0.30%, KONEX 0.30% (KONEX since it opened on
  2013-07-01). In force unchanged "since 1996" until the 2019 cut (the row's day within 1996 is not
  material: our candles start in 2015) (MOEF's 2019-04-02 입법예고 notice of
  the 증권거래세법 시행령 amendment, as reported by 한국금융신문 2019-04-02).
- 2019-06-03  KOSPI 0.10%+0.15% = 0.25%, KOSDAQ 0.25%, KONEX 0.10%: 증권거래세법 시행령 개정
  (국무회의 의결 2019-05-21), "6월 3일 이후 양도분(결제일 기준)"; 한국예탁결제원 notice of 2019-05-27.
- 2021-01-01  KOSPI 0.08%+0.15% = 0.23%, KOSDAQ 0.23%, KONEX 0.10%: 2020년 세법개정안 (MOEF
  2020-07-22) and 증권거래세법 시행령 제5조 as amended, "2021.1.1.~2022.12.31. 양도분".
- 2023-01-01  KOSPI 0.05%+0.15% = 0.20%, KOSDAQ 0.20%, KONEX 0.10%: 2022년 세법개정 후속
  증권거래세법 시행령 개정 (the cut phased in over 2023-2025 when 금융투자소득세 was deferred).
- 2024-01-01  KOSPI 0.03%+0.15% = 0.18%, KOSDAQ 0.18%, KONEX 0.10%: the same amendment's 2024 step.
- 2025-01-01  KOSPI 0.00%+0.15% = 0.15%, KOSDAQ 0.15%, KONEX 0.10%: its 2025 step, "2025년 1월 1일
  이후 양도분부터 (2024년 12월 27일 매도 체결분부터)" (securities-firm notices, 2024-12).
- 2026-01-01  KOSPI 0.05%+0.15% = 0.20%, KOSDAQ 0.20%, KONEX 0.10%: 2025년 세제개편안 (MOEF, 2025-07)
  and its 증권거래세법 시행령 개정 입법예고 (MOEF, 2025), "내년 1월 1일 이후 양도분부터".
The table is data: override it with PAPERTRADE_ORDERS_SELL_TAX_TABLE when the rates change again.
"""

from __future__ import annotations

import datetime as dt
import json
from bisect import bisect_right
from decimal import ROUND_FLOOR, Decimal
from functools import cache, lru_cache

from django.conf import settings

from market.enums import Market
from market.timetable import SEOUL, next_trading_day

# Settlement date from which a row applies → {market: effective seller rate}; see the module docstring.
DEFAULT_SELL_TAX_TABLE: dict[str, dict[str, str]] = {
    "1996-01-01": {Market.KOSPI: "0.0030", Market.KOSDAQ: "0.0030", Market.KONEX: "0.0030"},
    "2019-06-03": {Market.KOSPI: "0.0025", Market.KOSDAQ: "0.0025", Market.KONEX: "0.0010"},
    "2021-01-01": {Market.KOSPI: "0.0023", Market.KOSDAQ: "0.0023", Market.KONEX: "0.0010"},
    "2023-01-01": {Market.KOSPI: "0.0020", Market.KOSDAQ: "0.0020", Market.KONEX: "0.0010"},
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


def sell_tax_rate(market: str, settlement_day: dt.date) -> Decimal:
    """Effective sell tax rate of a market for a sale settling on `settlement_day` (0 before the table)."""
    days, rates = _parse_table(settings.ORDERS_SELL_TAX_TABLE)
    index = bisect_right(days, settlement_day) - 1
    if index < 0:
        return Decimal("0")
    return rates[index].get(str(market), Decimal("0"))


def sell_tax_for(amount: int, market: str, settlement_day: dt.date) -> int:
    return _floor_won(amount, sell_tax_rate(market, settlement_day))


def trade_date(at: dt.datetime) -> dt.date:
    return at.astimezone(SEOUL).date()


SETTLEMENT_LAG = 2  # T+2 (KRX 결제: the second trading day after the trade)


@lru_cache(maxsize=4096)
def settlement_date(trade_day: dt.date) -> dt.date:
    """The day a trade made on `trade_day` settles: the second XKRX trading day after it. 한국거래소
    유가증권시장 업무규정 (law.krx.co.kr, lawid=000109), 매매거래의 종류: 보통거래 is settled on the
    third day counting the trade day (휴장일 제외), i.e. T+2; the KOSDAQ rules say the same."""
    day = trade_day
    for _ in range(SETTLEMENT_LAG):
        day = next_trading_day(day)
    return day


def sell_tax_rate_for_trade(market: str, trade_day: dt.date) -> Decimal:
    """The rate a sale made on `trade_day` pays (the rate of its settlement date)."""
    return sell_tax_rate(market, settlement_date(trade_day))


def buy_reservation(price: int, quantity: int) -> int:
    """Cash a buy limit order holds: its amount at the limit plus the commission on it.

    Fills happen at the limit or better and Σ floor(aᵢ·r) ≤ floor(Σ aᵢ·r), so this always covers
    the fills' cost.
    """
    amount = price * quantity
    return amount + commission_for(amount)
