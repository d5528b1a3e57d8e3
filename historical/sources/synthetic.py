"""Seeded synthetic daily bars: simulated data for the demo and tests, never presented as real.

Each symbol follows its own mean-reverting random walk in log price, started at a fixed origin
(2000-01-04) from a base price derived from the code, so any date range of a symbol gives the same
bars as any other range covering those days (re-running or resuming a load changes nothing).
Every bar is on the KRX tick grid and inside the ±30% band of the previous close, on XKRX trading
days only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import replace

from historical.calendar import trading_days
from historical.sources.base import Bar, day_start
from market.rules import price_limit_band, round_to_tick

ORIGIN = dt.date(2000, 1, 4)
DEFAULT_SEED = 20_240_101
_MEAN_REVERSION = 0.002
_DAILY_SIGMA = 0.018


def _rng(seed: int, code: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{code}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def synthetic_bars(
    *,
    code: str,
    start: dt.date,
    end: dt.date,
    seed: int = DEFAULT_SEED,
    origin: dt.date = ORIGIN,
    anchor_close: int | None = None,
) -> list[Bar]:
    """The symbol's bars with start <= day <= end.

    `origin` is where the walk begins: the default makes every range agree with every other; a
    later origin (the demo's start) is faster but ties the bars to that origin. With
    `anchor_close` (a price on the tick grid) the bars are rescaled so the last close equals it,
    staying on the grid and inside each day's band.
    """
    rng = _rng(seed, code)
    base = math.exp(rng.uniform(math.log(3_000), math.log(300_000)))
    base_volume = math.exp(rng.uniform(math.log(50_000), math.log(5_000_000)))
    mean = math.log(base)
    close = round_to_tick(base)
    close_before_start = close
    bars: list[Bar] = []
    for day in trading_days(min(origin, start), end):
        lower, upper = price_limit_band(close)
        x = math.log(close)
        target = x + _MEAN_REVERSION * (mean - x) + rng.gauss(0, _DAILY_SIGMA)
        new_close = min(max(round_to_tick(math.exp(target)), lower), upper)
        open_ = min(max(round_to_tick(close * math.exp(rng.gauss(0, 0.005))), lower), upper)
        high = min(round_to_tick(max(open_, new_close) * (1 + abs(rng.gauss(0, 0.008))), "up"), upper)
        low = max(round_to_tick(min(open_, new_close) * (1 - abs(rng.gauss(0, 0.008))), "down"), lower)
        volume = int(base_volume * math.exp(rng.gauss(0, 0.4)))
        if day >= start:
            bars.append(
                Bar(
                    time=day_start(day),
                    open=open_,
                    high=high,
                    low=low,
                    close=new_close,
                    volume=volume,
                    value=volume * ((high + low + new_close) // 3),
                )
            )
        else:
            close_before_start = new_close
        close = new_close
    if anchor_close and bars:
        return _rescaled(bars, anchor_close / bars[-1].close, close_before_start)
    return bars


def _rescaled(bars: list[Bar], factor: float, close_before: int) -> list[Bar]:
    # Rounding to the grid and clamping into the band are both monotonic, so low <= open/close <= high holds.
    scaled = []
    previous = round_to_tick(close_before * factor)
    for bar in bars:
        lower, upper = price_limit_band(previous)
        o, h, lo, c = (
            min(max(round_to_tick(p * factor), lower), upper) for p in (bar.open, bar.high, bar.low, bar.close)
        )
        scaled.append(replace(bar, open=o, high=h, low=lo, close=c, value=bar.volume * ((h + lo + c) // 3)))
        previous = c
    return scaled


class SyntheticSource:
    name = "synthetic"
    simulated = True

    def __init__(self, *, seed: int | None = None) -> None:
        self.seed = DEFAULT_SEED if seed is None else seed

    def fetch(self, *, code: str, start: dt.date, end: dt.date) -> list[Bar]:
        return synthetic_bars(code=code, start=start, end=end, seed=self.seed)
