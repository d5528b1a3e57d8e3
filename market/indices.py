"""KOSPI and KOSDAQ as the simulated market computes them: one definition for the live index header
(`GET /api/v1/market/indices`, `market.indices` on the quote streams) and for the stored daily bars of
the simulated indices (`historical.services.index_candles_simulate`, the strategies' benchmark).

The definition: an equal-weighted price-relative index, chained day by day. During a day a market's
level is its previous close × the mean, over that market's symbols with a quote, of each symbol's
price relative to its previous close (the day's base price):

    level = previous index close × (1/n) · Σ price_i / prev_close_i      (rounded to 0.01 points)

The previous close is the stored index bar (`historical.IndexCandle`) of the last day before the
symbols' trading day when there is one, else `SIMULATED_INDEX_BASE`. The symbol master holds no
listed shares, so there is no market-cap weighting: this is the same kind of number as KRX's KOSPI
and KOSDAQ, not those indices, and it is always marked simulated.

With the KIS feed (the real market) nothing is computed: an equal-weighted mean over the few symbols
streamed would not be the real index. The KIS adapter registers KRX's real-time index records
(H0UPCNT0, market.feeds.kis) and hands each on as an index quote (`index_quote`: the quote path,
FeedSink.quote → the state store, under the index's own code), which `kis_index` reads back as the
live, real index (`kind: "live"`, not simulated). Until one arrives for the day, the header shows the
last stored daily close (`kind: "close"`) and its change from the close before.

No database, store or clock here: `market.selectors.market_indices` reads those. The stored closes
come from the source `register_close_source` installs (historical's, in its AppConfig.ready():
market never imports historical).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from market.enums import Market, MarketIndex
from market.state import Quote
from market.timetable import SEOUL, previous_trading_day

# Which symbols each index averages (Symbol.market).
INDEX_MARKETS: dict[str, str] = {
    MarketIndex.KOSPI.value: Market.KOSPI.value,
    MarketIndex.KOSDAQ.value: Market.KOSDAQ.value,
}
# The level a simulated index starts from when no index bar is stored before the day.
SIMULATED_INDEX_BASE = Decimal("1000")
POINT = Decimal("0.01")
# An index quote (a real index as the KIS feed reports it) keeps its levels in a Quote's whole-number
# price fields as hundredths of a point: indices have two decimals, so nothing is rounded.
INDEX_QUOTE_SCALE = 100


def index_level(previous_close: Decimal, relatives: Iterable[tuple[int, int]]) -> Decimal | None:
    """`previous_close` × the mean of price / base over (price, base) pairs with both positive,
    rounded to 0.01 points; None when there is no such pair."""
    ratios = [Decimal(price) / Decimal(base) for price, base in relatives if price > 0 and base > 0]
    if not ratios:
        return None
    return (previous_close * sum(ratios, Decimal(0)) / len(ratios)).quantize(POINT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class IndexClose:
    """A stored daily close of an index."""

    day: dt.date
    close: Decimal
    simulated: bool


@dataclass(frozen=True, slots=True)
class IndexValue:
    """Where an index stands: `kind` "live" (computed from the quotes now) or "close" (a stored close)."""

    index: str
    kind: str
    value: Decimal | None
    open: Decimal | None
    prev_close: Decimal | None
    prev_close_date: dt.date | None
    time: dt.datetime | None
    symbols: int
    simulated: bool

    @property
    def name(self) -> str:
        return MarketIndex(self.index).label

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.prev_close is None:
            return None
        return self.value - self.prev_close

    @property
    def change_rate(self) -> Decimal | None:
        """In percent, like a quote's."""
        change = self.change
        if change is None or not self.prev_close:
            return None
        return (change * 100 / self.prev_close).quantize(POINT, ROUND_HALF_UP)


def quotes_day(quotes: Iterable[Quote]) -> dt.date | None:
    """The Seoul day of the latest quote: the trading day the quotes belong to."""
    latest = max((q.time for q in quotes), default=None)
    return latest.astimezone(SEOUL).date() if latest is not None else None


def live_index(*, index: str, quotes: Iterable[Quote], previous: IndexClose | None) -> IndexValue:
    """The index from its market's quotes of one day, scaled from `previous` (else the base)."""
    base = previous.close if previous is not None else SIMULATED_INDEX_BASE
    used = [q for q in quotes if q.price > 0 and q.prev_close > 0]
    return IndexValue(
        index=index,
        kind="live",
        value=index_level(base, ((q.price, q.prev_close) for q in used)),
        open=index_level(base, ((q.open, q.prev_close) for q in used)),
        prev_close=base,
        prev_close_date=previous.day if previous is not None else None,
        time=max((q.time for q in used), default=None),
        symbols=len(used),
        simulated=True,
    )


def stored_index(*, index: str, closes: list[IndexClose]) -> IndexValue:
    """The last stored close (`closes` latest first) and its change from the one before."""
    latest = closes[0] if closes else None
    before = closes[1] if len(closes) > 1 else None
    return IndexValue(
        index=index,
        kind="close",
        value=latest.close if latest is not None else None,
        open=None,
        prev_close=before.close if before is not None else None,
        prev_close_date=before.day if before is not None else None,
        time=dt.datetime.combine(latest.day, dt.time(), tzinfo=SEOUL) if latest is not None else None,
        symbols=0,
        simulated=any(c.simulated for c in closes[:2]),
    )


# --- the stored closes ----------------------------------------------------------------------------

CloseSource = Callable[[dt.date, int], dict[str, list[IndexClose]]]
_close_source: CloseSource | None = None


def register_close_source(source: CloseSource) -> None:
    """`source(before, count)` → {index: up to `count` stored closes of days before `before`, latest first}."""
    global _close_source
    _close_source = source


def stored_closes(*, before: dt.date, count: int = 1) -> dict[str, list[IndexClose]]:
    """The stored closes of each index before `before` (none while no source is registered)."""
    return _close_source(before, count) if _close_source is not None else {}


# --- the real index, as the KIS feed reports it --------------------------------------------------


def _hundredths(points: Decimal | None) -> int:
    return int((points * INDEX_QUOTE_SCALE).to_integral_value(ROUND_HALF_UP)) if points is not None else 0


def _points(hundredths: int) -> Decimal | None:
    return (Decimal(hundredths) / INDEX_QUOTE_SCALE).quantize(POINT) if hundredths > 0 else None


def index_quote(
    *,
    index: str,
    value: Decimal,
    prev_close: Decimal,
    open_: Decimal | None,
    high: Decimal | None,
    low: Decimal | None,
    time: dt.datetime,
    extra: dict[str, str],
) -> Quote:
    """A reported index level as a quote under the index's code (`index`: KS11, KQ11), so that it takes
    the quotes' path to the state store. Levels before the open (open/high/low unknown) are None."""
    level = _hundredths(value)
    return Quote(
        code=index, price=level, open=_hundredths(open_), high=_hundredths(high), low=_hundredths(low),
        prev_close=_hundredths(prev_close), volume=0, value=0, best_bid=None, best_ask=None, time=time,
        extra={**extra, "index": index},
    )  # fmt: skip


def kis_index(*, index: str, quote: Quote | None, closes: list[IndexClose]) -> IndexValue:
    """The real index: its reported `quote` (see `index_quote`), unless there is none or it is older than
    the latest stored close (a quote left in the store from an earlier day), then `stored_index`."""
    if quote is None or quote.price <= 0:
        return stored_index(index=index, closes=closes)
    day = quote.time.astimezone(SEOUL).date()
    if closes and day < closes[0].day:
        return stored_index(index=index, closes=closes)
    return IndexValue(
        index=index,
        kind="live",
        value=_points(quote.price),
        open=_points(quote.open),
        prev_close=_points(quote.prev_close),
        prev_close_date=previous_trading_day(day),
        time=quote.time,
        symbols=0,
        simulated=False,
    )
