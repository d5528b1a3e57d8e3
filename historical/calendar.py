"""Trading-day lists for the candle sources and the coverage report (XKRX via market.timetable)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from market.timetable import is_trading_day, previous_trading_day


@lru_cache(maxsize=64)
def trading_days(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """XKRX trading days with start <= day <= end, oldest first."""
    days = []
    day = start
    while day <= end:
        if is_trading_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return tuple(days)


def last_trading_day_before(day: dt.date) -> dt.date:
    return previous_trading_day(day)


def first_trading_day_on_or_after(day: dt.date) -> dt.date:
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day
