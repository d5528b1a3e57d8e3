"""Test data: symbols and daily candles written the way historical stores them."""

from __future__ import annotations

import datetime as dt

import numpy as np

from historical.models import Candle
from market.models import Symbol
from market.timetable import SEOUL
from strategies.synthetic import candles_frame, trading_days, zigzag_closes


def make_symbols(*codes: str, market: str = "KOSPI") -> list[Symbol]:
    return [
        Symbol.objects.get_or_create(code=code, defaults={"name": f"Test {code}", "market": market})[0]
        for code in codes
    ]


def store_candles(frame) -> int:
    symbols = {s.code: s for s in Symbol.objects.filter(code__in=frame["tic"].unique())}
    rows = [
        Candle(
            symbol=symbols[row.tic],
            timeframe="1d",
            time=dt.datetime.combine(dt.date.fromisoformat(row.date), dt.time(), tzinfo=SEOUL),
            open=int(row.open),
            high=int(row.high),
            low=int(row.low),
            close=int(row.close),
            volume=int(row.volume),
            source="synthetic",
        )
        for row in frame.itertuples()
    ]
    Candle.objects.bulk_create(rows)
    return len(rows)


def zigzag_market(codes: tuple[str, ...] = ("000010", "000020"), *, start: str = "2021-01-04", days: int = 160):
    """Symbols whose closes alternate up and down days; returns the trading dates."""
    make_symbols(*codes)
    dates = trading_days(start, days)
    closes = {code: zigzag_closes(days, start_price=20_000 + 10_000 * i, seed=i) for i, code in enumerate(codes)}
    store_candles(candles_frame(closes, dates))
    return dates


def random_walk_market(codes: tuple[str, ...], *, start: str, days: int, seed: int = 0):
    make_symbols(*codes)
    dates = trading_days(start, days)
    rng = np.random.default_rng(seed)
    closes = {code: 30_000 * np.cumprod(1 + rng.normal(0.0005, 0.015, days)) for code in codes}
    store_candles(candles_frame(closes, dates))
    return dates
