"""Every read of candles the API, the tasks and other apps need."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    QuerySet,
    RowRange,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import (
    Cast,
    ExtractMinute,
    FirstValue,
    Floor,
    LastValue,
    RowNumber,
    TruncDate,
    TruncHour,
    TruncMonth,
    TruncWeek,
)
from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError, NotFound
from historical.calendar import trading_days
from historical.enums import (
    AGGREGATED_TIMEFRAMES,
    INTRADAY_AGGREGATED,
    INTRADAY_TIMEFRAMES,
    CandleSource,
    MarketIndex,
    Timeframe,
)
from historical.models import Candle, IndexCandle
from historical.sources.base import day_start
from market.indices import IndexClose
from market.models import Symbol
from market.timetable import SEOUL

UNKNOWN_SYMBOL = _("{code} 종목을 찾을 수 없습니다.")
TOO_MANY_BARS = _(
    "요청한 기간의 봉이 {limit:,}개를 넘습니다. 시작일·종료일(start/end)을 좁히거나 더 긴 주기(1w, 1M)를 골라 주세요."
)
START_AFTER_END = _("시작일(start)은 종료일(end)보다 늦을 수 없습니다.")
INTRADAY_DEFAULT_DAYS = {"1m": 7, "5m": 7, "15m": 31, "60m": 31}

__all__ = ["SEOUL", "candle_series", "candle_coverage", "symbol_get"]


def symbol_get(*, code: str) -> Symbol:
    try:
        return Symbol.objects.get(code=code.strip().upper())
    except Symbol.DoesNotExist:
        raise NotFound(UNKNOWN_SYMBOL.format(code=code), field="symbol") from None


def _local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SEOUL).date()


def candle_bounds(*, symbol_id: int, timeframe: str = Timeframe.DAY) -> tuple[dt.date | None, dt.date | None]:
    bounds = Candle.objects.filter(symbol_id=symbol_id, timeframe=timeframe).aggregate(
        first=Min("time"), last=Max("time")
    )
    if bounds["first"] is None:
        return None, None
    return _local_date(bounds["first"]), _local_date(bounds["last"])


def candle_last_close(*, symbol_id: int) -> int | None:
    return (
        Candle.objects.filter(symbol_id=symbol_id, timeframe=Timeframe.DAY)
        .order_by("-time")
        .values_list("close", flat=True)
        .first()
    )


def _range(symbol_id: int, timeframe: str, start: dt.date | None, end: dt.date | None) -> QuerySet[Candle]:
    rows = Candle.objects.filter(symbol_id=symbol_id, timeframe=timeframe)
    if start is not None:
        rows = rows.filter(time__gte=day_start(start))
    if end is not None:
        rows = rows.filter(time__lt=day_start(end + dt.timedelta(days=1)))
    return rows


_SYNTHETIC = Case(When(source=CandleSource.SYNTHETIC, then=Value(1)), default=Value(0), output_field=IntegerField())


def _aggregated(rows: QuerySet[Candle], partition: list[Any]) -> QuerySet[Candle]:
    """Coarser bars from finer ones, computed by the database with window functions.

    Each row gets its period (`partition`) and the period's first open, max high, min low, last
    close and volume sum; the first row of each period is kept, with its own time (the caller
    floors it to the period's start).
    """
    whole = {"partition_by": partition, "order_by": F("time").asc(), "frame": RowRange(start=None, end=None)}
    return (
        rows.annotate(
            p_open=Window(FirstValue("open"), **whole),
            p_high=Window(Max("high"), partition_by=partition),
            p_low=Window(Min("low"), partition_by=partition),
            p_close=Window(LastValue("close"), **whole),
            p_volume=Window(Sum("volume"), partition_by=partition),
            p_value=Window(Sum("value"), partition_by=partition),
            p_synthetic=Window(Max(_SYNTHETIC), partition_by=partition),
            p_row=Window(RowNumber(), partition_by=partition, order_by=F("time").asc()),
        )
        .filter(p_row=1)
        .order_by("time")
        .values_list("time", "p_open", "p_high", "p_low", "p_close", "p_volume", "p_value", "p_synthetic")
    )


def _period_partition(timeframe: str) -> list[Any]:
    if timeframe == Timeframe.WEEK:
        return [TruncWeek("time", tzinfo=SEOUL)]
    if timeframe == Timeframe.MONTH:
        return [TruncMonth("time", tzinfo=SEOUL)]
    minutes = INTRADAY_AGGREGATED[timeframe]
    # Seoul is a whole number of hours from UTC, so the UTC hour and minute give the same buckets.
    hour = TruncHour("time", tzinfo=SEOUL)
    return [hour] if minutes == 60 else [hour, Floor(ExtractMinute("time") / Value(minutes))]


def _period_start(time: dt.datetime, timeframe: str) -> str:
    """The stamp of the bar `time` (its first finer bar) belongs to, as the API writes it."""
    local = time.astimezone(SEOUL)
    if timeframe == Timeframe.WEEK:
        return (local.date() - dt.timedelta(days=local.weekday())).isoformat()
    if timeframe == Timeframe.MONTH:
        return local.date().replace(day=1).isoformat()
    minutes = INTRADAY_AGGREGATED.get(timeframe, 1)
    return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0).isoformat()


def _intraday_default_start(symbol_id: int, timeframe: str) -> dt.date | None:
    """Without `start`, intraday series begin a week (1m, 5m) or a month (15m, 60m) before the last bar."""
    _, last = candle_bounds(symbol_id=symbol_id, timeframe=Timeframe.MINUTE)
    if last is None:
        return None
    return last - dt.timedelta(days=INTRADAY_DEFAULT_DAYS[timeframe])


def _fetch_plain(rows: QuerySet[Candle]) -> list[tuple[Any, ...]]:
    """Run a values_list query whose columns need no conversion (integers and text) and fetch all rows.

    Skips the ORM's per-row iterator, which costs more than the query for ten years of bars.
    """
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def candle_series(
    *, symbol: Symbol, timeframe: str, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """{symbol, timeframe, simulated, candles} for the candle API; at most HISTORICAL_MAX_BARS bars."""
    if start is not None and end is not None and start > end:
        raise DomainError(START_AFTER_END, field="start")
    limit = settings.HISTORICAL_MAX_BARS
    if timeframe in INTRADAY_TIMEFRAMES and start is None and end is None:
        start = _intraday_default_start(symbol.pk, timeframe)
    if timeframe in (*AGGREGATED_TIMEFRAMES, *INTRADAY_AGGREGATED):
        base = Timeframe.DAY if timeframe in AGGREGATED_TIMEFRAMES else Timeframe.MINUTE
        rows = list(_aggregated(_range(symbol.pk, base, start, end), _period_partition(timeframe))[: limit + 1])
    elif timeframe == Timeframe.DAY:
        # The database writes the Seoul date as text: parsing thousands of timestamps in Python
        # would cost more than the query itself.
        day = Cast(TruncDate("time", tzinfo=SEOUL), output_field=CharField())
        rows = _fetch_plain(
            _range(symbol.pk, timeframe, start, end)
            .order_by("time")
            .annotate(day=day)
            .values_list("day", "open", "high", "low", "close", "volume", "value", "source")[: limit + 1]
        )
    else:
        rows = list(
            _range(symbol.pk, timeframe, start, end)
            .order_by("time")
            .values_list("time", "open", "high", "low", "close", "volume", "value", "source")[: limit + 1]
        )
    if len(rows) > limit:
        raise DomainError(TOO_MANY_BARS.format(limit=limit), code="too_many_bars")
    simulated = False
    candles = []
    for time, open_, high, low, close, volume, value, marker in rows:
        simulated = simulated or marker in (CandleSource.SYNTHETIC, 1)
        stamp = time if timeframe == Timeframe.DAY else _period_start(time, timeframe)
        candles.append(
            {"time": stamp, "open": open_, "high": high, "low": low, "close": close, "volume": volume, "value": value}
        )
    return {"symbol": symbol.code, "timeframe": timeframe, "simulated": simulated, "candles": candles}


def candle_coverage(*, symbol: Symbol, timeframe: str = Timeframe.DAY) -> dict[str, Any]:
    """First and last stored daily bar, bar count, and the missing trading days between them as ranges."""
    stats = Candle.objects.filter(symbol_id=symbol.pk, timeframe=timeframe).aggregate(
        first=Min("time"), last=Max("time"), bars=Count("id")
    )
    coverage: dict[str, Any] = {
        "symbol": symbol.code,
        "timeframe": timeframe,
        "first": None,
        "last": None,
        "bars": stats["bars"],
        "gaps": [],
    }
    if stats["first"] is None:
        return coverage
    first, last = _local_date(stats["first"]), _local_date(stats["last"])
    coverage["first"], coverage["last"] = first.isoformat(), last.isoformat()
    stored = {
        _local_date(t)
        for t in Candle.objects.filter(symbol_id=symbol.pk, timeframe=timeframe).values_list("time", flat=True)
    }
    gaps: list[dict[str, str]] = []
    open_gap: list[dt.date] = []
    for day in trading_days(first, last):
        if day in stored:
            if open_gap:
                gaps.append({"start": open_gap[0].isoformat(), "end": open_gap[-1].isoformat()})
                open_gap = []
        else:
            open_gap.append(day)
    coverage["gaps"] = gaps
    return coverage


def index_closes(*, start: dt.date, end: dt.date) -> list[tuple[str, dict[str, float], bool]]:
    """[(index name, {YYYY-MM-DD: close}, simulated)] of the stored indices between start and end."""
    found: list[tuple[str, dict[str, float], bool]] = []
    for index in MarketIndex:
        rows = IndexCandle.objects.filter(
            index=index.value, time__gte=day_start(start), time__lt=day_start(end + dt.timedelta(days=1))
        ).values_list("time", "close", "simulated")
        closes = {time.astimezone(SEOUL).strftime("%Y-%m-%d"): float(close) for time, close, _ in rows}
        if closes:
            found.append((index.label, closes, any(simulated for _, _, simulated in rows)))
    return found


def index_stored_closes(before: dt.date, count: int = 1) -> dict[str, list[IndexClose]]:
    """{index: its last `count` stored daily closes before `before`, latest first} (market.indices'
    close source: the previous close the live index is scaled from)."""
    found: dict[str, list[IndexClose]] = {}
    for index in MarketIndex:
        rows = IndexCandle.objects.filter(index=index.value, time__lt=day_start(before)).order_by("-time")[:count]
        found[index.value] = [
            IndexClose(day=time.astimezone(SEOUL).date(), close=close, simulated=simulated)
            for time, close, simulated in rows.values_list("time", "close", "simulated")
        ]
    return found
