"""KRX market rules, shared by the simulated feed and the order engine.

- Tick sizes: the unified table for KOSPI and KOSDAQ in force since 2023-01-25.
- Daily price band: ±30% of the base price (previous close), limits on the tick grid.
Sessions, trading days and the clock are market/timetable.py's and market/clock.py's.
Prices are integers in won.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

# (lower bound inclusive, tick size) — price ≥ bound uses that tick.
TICK_TABLE: tuple[tuple[int, int], ...] = (
    (0, 1),
    (2_000, 5),
    (5_000, 10),
    (20_000, 50),
    (50_000, 100),
    (200_000, 500),
    (500_000, 1_000),
)
_TICK_BOUNDS = [bound for bound, _ in TICK_TABLE]

PRICE_LIMIT_RATE_PERCENT = 30


def tick_size_for(price: int) -> int:
    """Tick size that applies to a price level."""
    if price < 0:
        raise ValueError("price must not be negative")
    return TICK_TABLE[bisect_right(_TICK_BOUNDS, price) - 1][1]


def is_on_tick(price: int) -> bool:
    return price > 0 and price % tick_size_for(price) == 0


def round_to_tick(price: float, mode: Literal["down", "up", "nearest"] = "nearest") -> int:
    """Snap a price onto the grid (never below 1 won).

    Every boundary of the tick table is a multiple of the ticks on both sides, so one tick up
    from a grid price is always a grid price.
    """
    if price <= 1:
        return 1
    whole = int(price)
    down = whole - whole % tick_size_for(whole)
    if down == price or mode == "down":
        return down
    up = down + tick_size_for(down)
    if mode == "up":
        return up
    return up if up - price <= price - down else down


def tick_up(price: int, steps: int = 1) -> int:
    for _ in range(steps):
        price += tick_size_for(price)
    return price


def tick_down(price: int, steps: int = 1) -> int:
    for _ in range(steps):
        lower = price - 1
        price = max(lower - lower % tick_size_for(lower), 1)
    return price


def price_limit_band(base_price: int) -> tuple[int, int]:
    """(lower limit, upper limit) for a day with this base price.

    As KRX computes it: the limit amount is 30% of the base price with the part below the base
    price's tick truncated; the upper limit (base + amount) is then truncated down to the tick grid
    and the lower limit (base - amount) rounded up to it, so both are valid order prices inside ±30%.
    """
    if base_price <= 0:
        raise ValueError("base price must be positive")
    amount = base_price * PRICE_LIMIT_RATE_PERCENT // 100
    amount -= amount % tick_size_for(base_price)
    upper = round_to_tick(base_price + amount, "down")
    lower = round_to_tick(max(base_price - amount, 1), "up")
    return lower, upper


def price_within_band(price: int, base_price: int) -> bool:
    lower, upper = price_limit_band(base_price)
    return lower <= price <= upper
