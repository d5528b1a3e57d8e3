"""Helpers for the exchange core's tests."""

from __future__ import annotations

from market.exchange import BookPhase, Event, MatchingEngine

SECOND = 1_000_000
T0 = 1_767_225_600_000_000  # 2026-01-01 00:00 UTC, in microseconds


def engine(
    *, base_price: int = 10_000, kospi200: bool = True, market: str = "KOSPI", seed: int | str = 7, **kw
) -> MatchingEngine:
    return MatchingEngine("005930", base_price=base_price, kospi200=kospi200, market=market, seed=seed, **kw)


def continuous(**kw) -> MatchingEngine:
    e = engine(**kw)
    e.start_continuous(T0)
    return e


def in_call(*, reason: str = "pre_open", then: BookPhase = BookPhase.CONTINUOUS, **kw) -> MatchingEngine:
    e = engine(**kw)
    e.start_call(T0, scheduled_end=T0 + 60 * SECOND, then=then, reason=reason)
    return e


def of(events: list[Event], cls: type) -> list:
    return [e for e in events if isinstance(e, cls)]


def trades(events: list[Event]) -> list[tuple[int, int, object, object]]:
    from market.exchange import Traded

    return [(t.price, t.quantity, t.buy_order_id, t.sell_order_id) for t in of(events, Traded)]


def finish_call(e: MatchingEngine) -> list[Event]:
    """Advance past any possible random end of the running call."""
    return e.advance(T0 + 10**12)
