"""The small interface every candle source implements.

A source turns (code, start, end) into `Bar`s in our schema: integer won prices, share volume,
optional traded value, and the bar time as an aware datetime (daily bars at 00:00 Asia/Seoul).
Sources never write to the database; `historical.services` validates and loads what they return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from market.timetable import SEOUL


class SourceError(Exception):
    """The outside source failed (network, HTTP error, unreadable answer). Tasks retry on it."""


@dataclass(frozen=True, slots=True)
class Bar:
    time: dt.datetime
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int | None = None
    line: int | None = None  # where the bar came from in a file, for error reports


@dataclass(frozen=True, slots=True)
class IndexBar:
    """A daily bar of a market index, in index points."""

    time: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int = 0
    value: int | None = None


def day_start(day: dt.date) -> dt.datetime:
    """The stamp of a daily bar: 00:00 Asia/Seoul of the trading day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=SEOUL)


class CandleSourceProtocol(Protocol):
    name: str
    simulated: bool

    def fetch(self, *, code: str, start: dt.date, end: dt.date) -> Iterable[Bar]:
        """Daily bars of `code` with start <= day <= end, oldest first. Raises SourceError."""
        ...


def get_source(name: str, *, file: str | None = None, seed: int | None = None) -> CandleSourceProtocol:
    """The source called `name` (fdr, csv, synthetic); csv needs `file`."""
    if name == "fdr":
        from historical.sources.fdr import FdrSource

        return FdrSource()
    if name == "csv":
        from historical.sources.csv import CsvSource

        if not file:
            raise SourceError("The csv source needs a file (--file path.csv).")
        return CsvSource(path=file)
    if name == "synthetic":
        from historical.sources.synthetic import SyntheticSource

        return SyntheticSource(seed=seed)
    raise SourceError(f"Unknown source {name!r}: use fdr, csv or synthetic.")
