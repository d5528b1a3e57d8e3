"""Stored daily candles → the DataFrame layout FinRL expects (date, tic, open, high, low, close, volume)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from historical.enums import Timeframe
from historical.models import Candle
from market.timetable import SEOUL

COLUMNS = ["date", "tic", "open", "high", "low", "close", "volume"]


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 Seoul of start, 00:00 Seoul of the day after end): daily bars are stamped at 00:00 Seoul."""
    lower = dt.datetime.combine(start, dt.time(), tzinfo=SEOUL)
    upper = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=SEOUL)
    return lower, upper


def candle_frame(*, symbols: list[str], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Daily candles of `symbols` from start to end (inclusive), on the days every symbol traded."""
    lower, upper = _bounds(start, end)
    rows = Candle.objects.filter(
        symbol__code__in=symbols, timeframe=Timeframe.DAY, time__gte=lower, time__lt=upper
    ).values_list("time", "symbol__code", "open", "high", "low", "close", "volume")
    frame = pd.DataFrame.from_records(list(rows), columns=COLUMNS)
    if frame.empty:
        return frame
    frame["date"] = [t.astimezone(SEOUL).strftime("%Y-%m-%d") for t in frame["date"]]
    for column in ("open", "high", "low", "close", "volume"):
        frame[column] = frame[column].astype(float)
    per_day = frame.groupby("date")["tic"].nunique()
    common = per_day[per_day == len(set(symbols))].index
    frame = frame[frame["date"].isin(common)]
    return frame.sort_values(["date", "tic"], ignore_index=True)


def common_bar_counts(*, symbols: list[str], start: dt.date, end: dt.date) -> tuple[dict[str, int], int]:
    """(bars per symbol, bars on days every symbol traded) between start and end: the data check."""
    lower, upper = _bounds(start, end)
    rows = Candle.objects.filter(
        symbol__code__in=symbols, timeframe=Timeframe.DAY, time__gte=lower, time__lt=upper
    ).values_list("symbol__code", "time")
    per_symbol: dict[str, int] = dict.fromkeys(symbols, 0)
    days: dict[dt.datetime, int] = {}
    for code, time in rows:
        per_symbol[code] += 1
        days[time] = days.get(time, 0) + 1
    return per_symbol, sum(1 for count in days.values() if count == len(set(symbols)))
