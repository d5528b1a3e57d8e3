"""Volatility interruption (변동성완화장치) thresholds, as KRX computes them.

KRX (유가증권시장 업무규정 제25조의2 and 시행세칙, summarised in KRX's "변동성완화장치(VI)" guide):
- dynamic VI: reference = the last trade price before the order arrived (호가제출직전 체결가격);
  rate ±3% for KOSPI 200 constituents, ±6% for other KOSPI and all KOSDAQ stocks in the continuous
  session; ±2% / ±4% in the closing call (15:20–15:30); ±3% / ±6% in 시간외 단일가.
- static VI: reference = the last single-price auction price (시가 결정 전에는 당일 기준가격);
  rate ±10%, regular session only (not in 시간외 단일가).
- trigger price = reference ± reference × rate, on the tick grid away from the reference: KRX's
  published VI lists show e.g. static 11,670 → 12,840 (12,837 up to the 10-won tick), 7,230 → 6,500
  (6,507 down), 1,315 → 1,447 (1,446.5 up), dynamic 6% 8,670 → 8,140 (8,149.8 down), 2,155 → 2,285
  (2,284.3 up) (인포스탁 "변동성완화장치(VI) 발동 종목", stock.mk.co.kr 2023-03-06 and 2023-07-03; the
  listed price is the one the triggering order would have traded at, so it can lie beyond the
  threshold, e.g. 3% 19,010 → 19,600 with the threshold at 19,590). An execution at or beyond a
  trigger price does not happen: the VI fires instead.
- the VI is a 2-minute single-price call, ended at a random moment up to 30 s later (임의연장).
"""

from __future__ import annotations

from market.rules import round_to_tick

VI_CALL_MICROS = 120_000_000  # 2 minutes
STATIC_VI_RATE_PERCENT = 10


def dynamic_vi_rate_percent(*, kospi200: bool, market: str, closing_call: bool = False) -> int:
    """The dynamic VI rate of a symbol (시간외 단일가 uses the continuous-session rate)."""
    large = kospi200 and market.upper() == "KOSPI"
    if closing_call:
        return 2 if large else 4
    return 3 if large else 6


def vi_trigger_prices(reference_price: int, rate_percent: int) -> tuple[int, int]:
    """(lower, upper) trigger prices: trades must stay strictly between them."""
    upper = round_to_tick(reference_price * (100 + rate_percent) / 100, "up")
    lower = round_to_tick(reference_price * (100 - rate_percent) / 100, "down")
    return lower, upper
