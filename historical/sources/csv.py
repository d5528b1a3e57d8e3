"""A user's own CSV file of daily bars.

Columns (header row required, any order, case-insensitive; extra columns are ignored):

    date,open,high,low,close,volume[,value]

`date` is YYYY-MM-DD or YYYYMMDD; prices are whole won (thousands separators allowed), volume a
whole number of shares, value (traded won) optional. A row that cannot be read is reported with
its line number and skipped; the other rows still load.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from historical.sources.base import Bar, SourceError, day_start

REQUIRED_COLUMNS = ("date", "open", "high", "low", "close", "volume")
OPTIONAL_COLUMNS = ("value",)


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {text!r} is not YYYY-MM-DD")


def _parse_int(column: str, text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if number != int(number):
        raise ValueError(f"{column} {text!r} is not a whole number")
    return int(number)


class CsvSource:
    name = "csv"
    simulated = False

    def __init__(self, *, path: str | Path) -> None:
        self.path = Path(path)
        self.errors: list[RowError] = []

    def fetch(self, *, code: str, start: dt.date, end: dt.date) -> list[Bar]:
        self.errors = []
        try:
            handle = self.path.open(newline="", encoding="utf-8-sig")
        except OSError as exc:
            raise SourceError(f"Cannot read {self.path}: {exc.strerror}.") from exc
        bars: list[Bar] = []
        with handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                raise SourceError(
                    f"{self.path} is empty; expected a header row {','.join(REQUIRED_COLUMNS)}."
                ) from None
            columns = [name.strip().lower() for name in header]
            missing = [name for name in REQUIRED_COLUMNS if name not in columns]
            if missing:
                raise SourceError(
                    f"{self.path} lacks the column(s) {', '.join(missing)}; "
                    f"expected {','.join(REQUIRED_COLUMNS)}[,value]."
                )
            index = {name: columns.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in columns}
            needed = max(index[name] for name in REQUIRED_COLUMNS) + 1
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                try:
                    if len(row) < needed:
                        raise ValueError(f"expected {len(columns)} fields, found {len(row)}")
                    day = _parse_date(row[index["date"]])
                    numbers = {name: _parse_int(name, row[index[name]]) for name in REQUIRED_COLUMNS[1:]}
                    value_text = row[index["value"]].strip() if index.get("value", len(row)) < len(row) else ""
                    value = _parse_int("value", value_text) if value_text else None
                except ValueError as exc:
                    self.errors.append(RowError(line=line, message=str(exc)))
                    continue
                if start <= day <= end:
                    bars.append(Bar(time=day_start(day), value=value, line=line, **numbers))
        bars.sort(key=lambda bar: bar.time)
        return bars
