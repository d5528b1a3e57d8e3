"""Synthetic daily markets with a planted pattern: for tests, the demo and benchmarks (no downloads)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from market.rules import round_to_tick


def trading_days(start: str, count: int) -> list[str]:
    """`count` weekdays from `start` (YYYY-MM-DD); holidays are ignored for synthetic data."""
    return [d.strftime("%Y-%m-%d") for d in pd.bdate_range(start=start, periods=count)]


def zigzag_closes(days: int, *, start_price: float = 50_000, swing: float = 0.03, noise: float = 0.004, seed: int = 0):
    """Closes that alternate up and down days by about `swing`: yesterday's move predicts today's.

    Over an even number of days buy-and-hold roughly stands still (it even loses a little), while
    a policy that holds only after a down day gains about `swing` every two days.
    """
    rng = np.random.default_rng(seed)
    signs = np.where(np.arange(days) % 2 == 0, 1.0, -1.0)
    returns = signs * swing + rng.normal(0.0, noise, size=days)
    returns[0] = 0.0
    return start_price * np.cumprod(1.0 + returns)


def candles_frame(symbol_closes: dict[str, np.ndarray], dates: list[str], *, seed: int = 0) -> pd.DataFrame:
    """OHLCV rows in FinRL's layout (date, tic, open, high, low, close, volume) around given closes."""
    rng = np.random.default_rng(seed)
    rows = []
    for code, closes in symbol_closes.items():
        previous = float(closes[0])
        for date, close in zip(dates, closes, strict=True):
            close_px = round_to_tick(int(round(float(close))))
            open_px = round_to_tick(int(round(previous)))
            high = round_to_tick(max(open_px, close_px) * (1 + abs(rng.normal(0, 0.002))), "up")
            low = round_to_tick(min(open_px, close_px) * (1 - abs(rng.normal(0, 0.002))), "down")
            rows.append(
                {
                    "date": date,
                    "tic": code,
                    "open": open_px,
                    "high": high,
                    "low": low,
                    "close": close_px,
                    "volume": int(rng.integers(100_000, 1_000_000)),
                }
            )
            previous = close
    return pd.DataFrame(rows)
