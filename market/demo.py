"""Demo data of the market app: the bundled symbol master."""

from __future__ import annotations

import dataclasses
from typing import Any

from market.models import Symbol
from market.seed_symbols import SEED_SYMBOLS
from market.services import SymbolRow, symbol_upsert_many


def seed_rows() -> list[SymbolRow]:
    return [
        SymbolRow(
            code=s.code,
            name=s.name,
            name_en=s.name_en,
            market=s.market,
            sector=s.sector,
            prev_close=s.reference_price,
            typical_daily_value=s.daily_value_eok * 100_000_000,
            is_kospi200=s.kospi200,
        )
        for s in SEED_SYMBOLS
    ]


def seed(*, user: Any = None, stdout: Any = None) -> None:
    """Upsert the bundled symbols. A symbol that already has a previous close keeps it (a loaded
    listing or candles know better than our reference price); names edited in the admin are kept."""
    known_close = set(Symbol.objects.filter(prev_close__isnull=False).values_list("code", flat=True))
    rows = [r if r.code not in known_close else dataclasses.replace(r, prev_close=None) for r in seed_rows()]
    counts = symbol_upsert_many(rows=rows, keep_names=True)
    if stdout is not None:
        stdout.write(
            f"market: {len(rows)} symbols ({counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged)"
        )
