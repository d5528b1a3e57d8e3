"""A per-process cache of symbol rows for the order engine's hot path.

Placing an order needs the symbol (is it listed and tradable, its previous close for today's band)
on every call; reading it from the database each time was a round trip per order. Rows are kept
for at most SYMBOL_TTL seconds, and this process forgets them at once whenever it changes a
symbol (a save, a delete, market.services' bulk writes), so only a change made by another process
can be seen up to a second late.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction

from market.models import Symbol

SYMBOL_TTL = 1.0  # seconds

_rows: dict[str, tuple[float, Symbol]] = {}


def symbol_cached(*, code: str) -> Symbol | None:
    """The symbol with this code, at most SYMBOL_TTL seconds old; None if there is none."""
    now = time.monotonic()
    hit = _rows.get(code)
    if hit is not None and now - hit[0] < SYMBOL_TTL:
        return hit[1]
    symbol = Symbol.objects.filter(code=code).first()
    if symbol is not None:
        _rows[code] = (now, symbol)
    else:
        _rows.pop(code, None)
    return symbol


def symbols_forget() -> None:
    """Drop every cached row now and again when the current transaction commits."""
    _rows.clear()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_rows.clear)


def on_symbol_changed(sender: Any, **kwargs: Any) -> None:
    """post_save / post_delete receiver (connected in MarketConfig.ready)."""
    symbols_forget()
