"""Demo data: about three years of synthetic daily bars for every active symbol and the KOSPI and KOSDAQ
indices computed from them (all marked simulated)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from historical import services
from historical.calendar import last_trading_day_before
from historical.enums import CandleSource
from historical.sources.synthetic import synthetic_bars
from market.models import Symbol

DEMO_YEARS = 3


def seed(*, user: Any = None, stdout: IO[str] | None = None) -> None:
    """Idempotent: the bars are deterministic and end at the previous close they then set, so a rerun
    the same day rewrites nothing."""
    end = last_trading_day_before(dt.date.today())
    start = end.replace(year=end.year - DEMO_YEARS)
    symbols = list(Symbol.objects.filter(is_active=True).order_by("code"))
    # The walk starts at the demo's first day (fast) and ends at the symbol's current previous close
    # when it has one, so the simulated feed carries on from a familiar price level.
    loads = [
        (
            symbol.pk,
            synthetic_bars(code=symbol.code, start=start, end=end, origin=start, anchor_close=symbol.prev_close),
        )
        for symbol in symbols
    ]
    report = services.candles_upsert_many(loads=loads, source=CandleSource.SYNTHETIC)
    for symbol in symbols:
        services.symbol_refresh_prev_close(symbol=symbol)
    indices = services.index_candles_simulate(start=start, end=end)
    if stdout is not None:
        stdout.write(
            f"historical: {report.written} synthetic daily bars for {len(symbols)} symbols ({start} to {end}); "
            f"previous closes set from the last bar; simulated KOSPI/KOSDAQ index bars: {indices}.\n"
        )
