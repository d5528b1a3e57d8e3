"""Walk-forward windows: retrain every N months, test on the next N months, stitch the tests together.

Pure Python (the web process checks specs with it; the worker runs the windows it lists).

Window k tests [test_start + k·N months, test_start + (k+1)·N months) (the last one ends at test_end).
Its training and validation periods keep the strategy's own lengths and gaps, measured back from the
window's test start: a rolling window moves its start along, an expanding one keeps train_start.
Every window's model is trained on data up to its validation end (or training end) only, which lies
before its test start, so no window's test was seen by its model; consecutive tests meet without
overlap. The stitched run carries the book (cash and shares) from one window's last close to the next
window's model, so the equity curve continues where the previous window ended.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

ROLLING = "rolling"
EXPANDING = "expanding"
MIN_MONTHS, MAX_MONTHS = 1, 36
MAX_WINDOWS = 24


@dataclass(frozen=True)
class Window:
    index: int  # 1, 2, 3, ...
    train_start: dt.date
    train_end: dt.date
    validation_start: dt.date | None
    validation_end: dt.date | None
    test_start: dt.date
    test_end: dt.date

    @property
    def seen_until(self) -> dt.date:
        """The last day whose data this window's model may see (training, then early stopping)."""
        return self.validation_end or self.train_end

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "train_start": self.train_start.isoformat(),
            "train_end": self.train_end.isoformat(),
            "validation_start": self.validation_start.isoformat() if self.validation_start else None,
            "validation_end": self.validation_end.isoformat() if self.validation_end else None,
            "test_start": self.test_start.isoformat(),
            "test_end": self.test_end.isoformat(),
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def windows(
    *,
    train_start: dt.date,
    train_end: dt.date,
    test_start: dt.date,
    test_end: dt.date,
    months: int,
    training: str = ROLLING,
    validation_start: dt.date | None = None,
    validation_end: dt.date | None = None,
    limit: int | None = None,
) -> list[Window]:
    """The walk-forward windows over [test_start, test_end], in order (at most `limit` + 1 when given,
    so a caller can tell that there are too many)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    found: list[Window] = []
    k = 0
    while True:
        start = add_months(test_start, k * months)
        if start > test_end or (limit is not None and len(found) > limit):
            return found
        end = min(add_months(test_start, (k + 1) * months) - dt.timedelta(days=1), test_end)
        shift = start - test_start  # the strategy's own periods, moved to end before this test
        found.append(
            Window(
                index=k + 1,
                train_start=train_start if training == EXPANDING else train_start + shift,
                train_end=train_end + shift,
                validation_start=validation_start + shift if validation_start else None,
                validation_end=validation_end + shift if validation_end else None,
                test_start=start,
                test_end=end,
            )
        )
        k += 1


def windows_of(spec: dict[str, Any], *, limit: int | None = None) -> list[Window]:
    """The windows of a strategy spec (dates as dates or ISO strings)."""

    def day(value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    return windows(
        train_start=day(spec["train_start"]),
        train_end=day(spec["train_end"]),
        validation_start=day(spec.get("validation_start")),
        validation_end=day(spec.get("validation_end")),
        test_start=day(spec["test_start"]),
        test_end=day(spec["test_end"]),
        months=int(spec["walk_forward_months"]),
        training=spec.get("walk_forward_training") or ROLLING,
        limit=limit,
    )
