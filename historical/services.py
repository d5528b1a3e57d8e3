"""Every write to candles: sanity checks, the bulk upsert, ingestion from a source, job bookkeeping.

Loads are upserts keyed on (symbol, timeframe, time): running one twice stores the same rows.
On PostgreSQL the rows are COPY'd into a session-local staging table and merged with one
INSERT … ON CONFLICT DO UPDATE (rows whose values did not change are not rewritten); elsewhere
(the embedded SQLite default) bulk_create with update_conflicts does the same. Each load runs in
one transaction, so a failure never leaves part of a batch behind.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _
from psycopg.copy import QueuedLibpqWriter

from config.exceptions import DomainError, NotFound
from historical import selectors
from historical.calendar import first_trading_day_on_or_after
from historical.enums import CandleSource, MarketIndex, RejectReason, Timeframe
from historical.models import Candle, IndexCandle
from historical.sources.base import Bar, CandleSourceProtocol, IndexBar, day_start
from jobs import services as job_services
from jobs.models import Job
from market.indices import INDEX_MARKETS, SIMULATED_INDEX_BASE, IndexValue, index_level
from market.models import Symbol
from market.services import symbol_set_prev_close

MAX_REJECTION_DETAILS = 100
UNKNOWN_SYMBOLS = _("{codes} 종목을 찾을 수 없습니다.")
START_AFTER_END = selectors.START_AFTER_END
START_REQUIRED = _("시작일(start)을 입력해 주세요.")
CSV_NOT_BY_API = _(
    "CSV 파일은 API로 불러올 수 없습니다. `manage.py backfill_candles --source csv --file path.csv`로 불러와 주세요."
)
UNKNOWN_INDEX = _("{index!r}은(는) 알 수 없는 지수입니다. {choices} 중 하나를 입력해 주세요.")
# Why a bar was not stored (a job's rejections, `backfill_candles`' report).
PRICE_NOT_POSITIVE = _("가격은 모두 0보다 커야 합니다")
HIGH_BELOW_LOW = _("고가 {high}이(가) 저가 {low}보다 낮습니다")
HIGH_BELOW_OPEN_CLOSE = _("고가 {high}이(가) 시가나 종가보다 낮습니다")
LOW_ABOVE_OPEN_CLOSE = _("저가 {low}이(가) 시가나 종가보다 높습니다")
NEGATIVE_VOLUME = _("거래량 {volume}이(가) 음수입니다")
NEGATIVE_VALUE = _("거래대금 {value}이(가) 음수입니다")
DUPLICATE_BAR = _("같은 시각의 봉이 뒤에 다시 나와 뒤의 것을 저장합니다")

_UPDATED_FIELDS = ("open", "high", "low", "close", "volume", "value", "source")
_STAGE_TABLE = "historical_candle_stage"


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    message: str
    time: dt.datetime | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": self.reason, "message": self.message}
        if self.time is not None:
            data["date"] = self.time.astimezone(selectors.SEOUL).date().isoformat()
        if self.line is not None:
            data["line"] = self.line
        return data


@dataclass
class LoadReport:
    """What a load did: rows written (inserted or updated), rows rejected and why."""

    written: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rejections: list[Rejection] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None
    dry_run: bool = False

    def reject(self, rejection: Rejection) -> None:
        self.rejected += 1
        self.reasons[rejection.reason] += 1
        if len(self.rejections) < MAX_REJECTION_DETAILS:
            self.rejections.append(rejection)

    def merge(self, other: LoadReport) -> None:
        self.written += other.written
        for rejection in other.rejections:
            if len(self.rejections) < MAX_REJECTION_DETAILS:
                self.rejections.append(rejection)
        self.rejected += other.rejected
        self.reasons.update(other.reasons)
        self.first = min(filter(None, [self.first, other.first]), default=None)
        self.last = max(filter(None, [self.last, other.last]), default=None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_written": self.written,
            "rows_rejected": self.rejected,
            "reject_reasons": dict(self.reasons),
            "rejections": [r.as_dict() for r in self.rejections],
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "dry_run": self.dry_run,
        }


def bar_problems(bar: Bar) -> list[tuple[str, str]]:
    """Sanity checks of one bar: (reason, message) for each rule it breaks."""
    problems = []
    if min(bar.open, bar.high, bar.low, bar.close) <= 0:
        problems.append((RejectReason.NON_POSITIVE_PRICE, str(PRICE_NOT_POSITIVE)))
    if bar.high < bar.low:
        problems.append((RejectReason.HIGH_BELOW_LOW, HIGH_BELOW_LOW.format(high=bar.high, low=bar.low)))
    if bar.high < max(bar.open, bar.close):
        problems.append((RejectReason.HIGH_BELOW_OPEN_CLOSE, HIGH_BELOW_OPEN_CLOSE.format(high=bar.high)))
    if bar.low > min(bar.open, bar.close):
        problems.append((RejectReason.LOW_ABOVE_OPEN_CLOSE, LOW_ABOVE_OPEN_CLOSE.format(low=bar.low)))
    if bar.volume < 0:
        problems.append((RejectReason.NEGATIVE_VOLUME, NEGATIVE_VOLUME.format(volume=bar.volume)))
    if bar.value is not None and bar.value < 0:
        problems.append((RejectReason.NEGATIVE_VALUE, NEGATIVE_VALUE.format(value=bar.value)))
    return problems


def candles_validate(bars: Iterable[Bar], report: LoadReport) -> list[Bar]:
    """The bars that pass the sanity checks, one per time (the last wins); the rest go to `report`."""
    kept: dict[dt.datetime, Bar] = {}
    for bar in bars:
        # Fast path for the common, sane bar: 0 < low <= open, close <= high (so every price is positive).
        sane = (
            0 < bar.low <= bar.open <= bar.high
            and bar.low <= bar.close <= bar.high
            and bar.volume >= 0
            and (bar.value is None or bar.value >= 0)
        )
        problems = [] if sane else bar_problems(bar)
        if problems:
            reasons = ", ".join(message for _, message in problems)
            report.reject(Rejection(reason=problems[0][0], message=reasons, time=bar.time, line=bar.line))
            continue
        if bar.time in kept:
            report.reject(
                Rejection(
                    reason=RejectReason.DUPLICATE,
                    message=str(DUPLICATE_BAR),
                    time=bar.time,
                    line=kept[bar.time].line,
                )
            )
        kept[bar.time] = bar
    return sorted(kept.values(), key=lambda bar: bar.time)


def _copy_chunks(
    loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str, source: str, rows_per_chunk: int = 16384
) -> Iterator[str]:
    """COPY text format of the rows, in chunks so PostgreSQL parses one while the next is formatted.

    The time stamps of a load repeat across symbols, so their text is cached.
    """
    buffer: list[str] = []
    append = buffer.append
    stamps: dict[dt.datetime, str] = {}
    for symbol_id, bars in loads:
        prefix = f"{symbol_id}\t{timeframe}\t"
        suffix = f"\t{source}\n"
        for bar in bars:
            stamp = stamps.get(bar.time)
            if stamp is None:
                stamp = stamps[bar.time] = bar.time.isoformat()
            value = "\\N" if bar.value is None else bar.value
            append(f"{prefix}{stamp}\t{bar.open}\t{bar.high}\t{bar.low}\t{bar.close}\t{bar.volume}\t{value}{suffix}")
            if len(buffer) >= rows_per_chunk:
                yield "".join(buffer)
                buffer.clear()
    if buffer:
        yield "".join(buffer)


def copy_text(loads: Sequence[tuple[int, Sequence[Bar]]], *, timeframe: str, source: str) -> str:
    """The rows of a load in COPY text format (the benchmark's bare COPY uses it)."""
    return "".join(_copy_chunks(loads, timeframe, source))


_COLUMNS = "symbol_id, timeframe, time, open, high, low, close, volume, value, source"


def _range_is_empty(loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str) -> bool:
    """No stored bar of these symbols falls inside the time span of their load."""
    spans = [(symbol_id, bars[0].time, bars[-1].time) for symbol_id, bars in loads]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {Candle._meta.db_table} c "  # noqa: S608 - our identifiers only
            "JOIN unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS s(symbol_id, first, last) "
            "ON c.symbol_id = s.symbol_id AND c.timeframe = %s AND c.time BETWEEN s.first AND s.last)",
            [[sp[0] for sp in spans], [sp[1] for sp in spans], [sp[2] for sp in spans], timeframe],
        )
        return not cursor.fetchone()[0]


def _copy(cursor: Any, statement: str, loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str, source: str) -> None:
    """Stream the rows through COPY while they are formatted.

    psycopg's queued writer sends each chunk from its own thread (blocking on the socket without
    the GIL), so this thread formats the next chunk while PostgreSQL parses the last one.
    """
    with connection.wrap_database_errors:
        with cursor.cursor.copy(statement, writer=QueuedLibpqWriter(cursor.cursor)) as copy:
            for chunk in _copy_chunks(loads, timeframe, source):
                copy.write(chunk)


def _copy_into_candles(loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str, source: str) -> None:
    """Fast path for bars new to the table (a first backfill): COPY straight in, no merge."""
    with connection.cursor() as cursor:
        _copy(cursor, f"COPY {Candle._meta.db_table} ({_COLUMNS}) FROM STDIN", loads, timeframe, source)


def _write_copy(loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str, source: str) -> None:
    if _range_is_empty(loads, timeframe):
        try:
            with transaction.atomic():  # savepoint: a concurrent loader may win the race for these rows
                _copy_into_candles(loads, timeframe, source)
            return
        except IntegrityError:
            pass  # someone stored some of them meanwhile: merge through the staging table instead
    table = Candle._meta.db_table
    columns = _COLUMNS
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in _UPDATED_FIELDS)
    current = ", ".join(f"{table}.{name}" for name in _UPDATED_FIELDS)
    incoming = ", ".join(f"EXCLUDED.{name}" for name in _UPDATED_FIELDS)
    with connection.cursor() as cursor:
        # Session-local; DELETE ROWS on commit and TRUNCATE up front keep loads inside one outer
        # transaction (tests, demo) from seeing each other's rows.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE_TABLE} (symbol_id bigint, timeframe varchar(3), "
            "time timestamptz, open bigint, high bigint, low bigint, close bigint, volume bigint, value bigint, "
            "source varchar(16)) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {_STAGE_TABLE}")
        _copy(cursor, f"COPY {_STAGE_TABLE} ({columns}) FROM STDIN", loads, timeframe, source)
        # Identifiers only, all ours: nothing from the outside is formatted into this statement.
        merge = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_STAGE_TABLE} "  # noqa: S608
        merge += f"ON CONFLICT (symbol_id, timeframe, time) DO UPDATE SET {assignments} "
        merge += f"WHERE ({current}) IS DISTINCT FROM ({incoming})"
        cursor.execute(merge)


def _write_orm(loads: Sequence[tuple[int, Sequence[Bar]]], timeframe: str, source: str) -> None:
    rows = [
        Candle(
            symbol_id=symbol_id,
            timeframe=timeframe,
            time=bar.time,
            open=bar.open,
            high=bar.high,
            low=bar.low,
            close=bar.close,
            volume=bar.volume,
            value=bar.value,
            source=source,
        )
        for symbol_id, bars in loads
        for bar in bars
    ]
    Candle.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["symbol", "timeframe", "time"],
        update_fields=list(_UPDATED_FIELDS),
    )


def candles_upsert_many(
    *,
    loads: Sequence[tuple[int, Iterable[Bar]]],
    source: str,
    timeframe: str = Timeframe.DAY,
    dry_run: bool = False,
) -> LoadReport:
    """Validate and upsert bars of several symbols (symbol id, bars) in one transaction."""
    report = LoadReport(dry_run=dry_run)
    valid: list[tuple[int, Sequence[Bar]]] = []
    for symbol_id, bars in loads:
        checked = candles_validate(bars, report)
        if checked:
            valid.append((symbol_id, checked))
            report.written += len(checked)
            first = checked[0].time.astimezone(selectors.SEOUL).date()
            last = checked[-1].time.astimezone(selectors.SEOUL).date()
            report.first = min(filter(None, [report.first, first]))
            report.last = max(filter(None, [report.last, last]))
    if dry_run or not valid:
        return report
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _write_copy(valid, timeframe, source)
        else:
            _write_orm(valid, timeframe, source)
    return report


def candles_upsert(
    *, symbol_id: int, bars: Iterable[Bar], source: str, timeframe: str = Timeframe.DAY, dry_run: bool = False
) -> LoadReport:
    """Validate and upsert one symbol's bars in one transaction; rejected bars are reported."""
    return candles_upsert_many(loads=[(symbol_id, bars)], source=source, timeframe=timeframe, dry_run=dry_run)


def symbol_refresh_prev_close(*, symbol: Symbol) -> int | None:
    """Set the symbol's previous close from its latest stored daily bar."""
    close = selectors.candle_last_close(symbol_id=symbol.pk)
    if close is not None:
        symbol_set_prev_close(code=symbol.code, prev_close=close)
    return close


def candles_ingest(
    *,
    code: str,
    source: CandleSourceProtocol,
    start: dt.date,
    end: dt.date,
    dry_run: bool = False,
) -> LoadReport:
    """Fetch a symbol's daily bars from `source` and upsert them; then refresh its previous close.

    Raises NotFound for an unknown code and SourceError when the source fails (nothing is written).
    """
    symbol = selectors.symbol_get(code=code)
    if start > end:
        raise DomainError(START_AFTER_END, field="start")
    bars = source.fetch(code=symbol.code, start=start, end=end)
    report = LoadReport(dry_run=dry_run)
    for error in getattr(source, "errors", []):
        report.reject(Rejection(reason="unreadable_row", message=error.message, line=error.line))
    report.merge(candles_upsert(symbol_id=symbol.pk, bars=bars, source=source.name, dry_run=dry_run))
    if not dry_run and report.written:
        symbol_refresh_prev_close(symbol=symbol)
    return report


def candles_resume_start(*, code: str, start: dt.date | None) -> dt.date:
    """Where a restartable load of `code` begins.

    From the last stored daily bar when the stored bars already reach back to `start` (or when no
    start is asked for: a refresh); otherwise from `start`. The last bar is fetched again so that
    a late correction of it is picked up.
    """
    symbol = selectors.symbol_get(code=code)
    first, last = selectors.candle_bounds(symbol_id=symbol.pk)
    if start is None:
        return last or dt.date.fromisoformat(settings.HISTORICAL_BACKFILL_START)
    if first is not None and last is not None and first <= first_trading_day_on_or_after(start):
        return max(start, last)
    return start


def symbols_require(*, codes: Sequence[str]) -> list[str]:
    """The codes, normalised, if every one is a known symbol; NotFound naming the unknown ones otherwise."""
    wanted = [code.strip().upper() for code in codes if code.strip()]
    known = set(Symbol.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise NotFound(UNKNOWN_SYMBOLS.format(codes=", ".join(unknown)), field="symbols")
    return list(dict.fromkeys(wanted))


# --- jobs ---------------------------------------------------------------------------------------

JOB_KIND_BACKFILL = "historical.backfill"
JOB_KIND_REFRESH = "historical.refresh"


def backfill_job_create(
    *, codes: Sequence[str], start: dt.date, end: dt.date | None, source: str, owner: Any = None
) -> Job:
    """Create a backfill job for known symbols and queue it (after commit)."""
    from historical.tasks import candles_backfill

    if source == "csv":
        raise DomainError(CSV_NOT_BY_API, field="source")
    if end is not None and start > end:
        raise DomainError(START_AFTER_END, field="start")
    codes = symbols_require(codes=codes)
    params = {"symbols": codes, "start": start.isoformat(), "end": end.isoformat() if end else None, "source": source}
    job = job_services.job_create(kind=JOB_KIND_BACKFILL, params=params, owner=owner)
    job_services.task_enqueue(candles_backfill, job_id=job.pk, **params)
    return job


def refresh_job_create(*, source: str | None = None, owner: Any = None) -> Job:
    """Create the daily refresh job over every active symbol and queue its fan-out task."""
    from historical.tasks import candles_refresh_all

    source = source or settings.HISTORICAL_REFRESH_SOURCE
    job = job_services.job_create(kind=JOB_KIND_REFRESH, params={"source": source}, owner=owner)
    job_services.task_enqueue(candles_refresh_all, job_id=job.pk, source=source)
    return job


def job_symbol_is_done(*, job_id: int, code: str) -> bool:
    return code in Job.objects.values_list("result", flat=True).get(pk=job_id).get("done", [])


def job_symbols_total(*, job_id: int, total: int) -> Job:
    """Record how many symbols the job covers (progress counts start at zero)."""
    return job_services.job_advance(
        job_id=job_id,
        progress=0,
        message=job_services.SYMBOLS_PROGRESS.format(done=0, total=total, rows=0),
        result={"symbols_total": total, "symbols_done": 0, "rows_written": 0, "rows_rejected": 0, "done": []},
    )


def job_symbol_record(
    *, job_id: int, code: str, report: LoadReport | None = None, error: str = "", finish: bool = True
) -> Job:
    """Count one finished symbol into the job (once, even if a retried task reports it again).

    When every symbol is counted the job succeeds (or fails, if no symbol could be loaded).
    Raises JobCancelled when a cancel was requested.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        result = dict(job.result)
        done = list(result.get("done", []))
        if code in done:
            return job
        done.append(code)
        total = int(result.get("symbols_total") or len(job.params.get("symbols", [])) or len(done))
        failed = dict(result.get("failed", {}))
        update: dict[str, Any] = {
            "done": done,
            "symbols_total": total,
            "symbols_done": len(done),
            "rows_written": int(result.get("rows_written", 0)) + (report.written if report else 0),
            "rows_rejected": int(result.get("rows_rejected", 0)) + (report.rejected if report else 0),
        }
        if error:
            failed[code] = error[:500]
            update["failed"] = failed
        if report is not None and report.rejected:
            reasons = Counter(result.get("reject_reasons", {}))
            reasons.update(report.reasons)
            update["reject_reasons"] = dict(reasons)
        try:
            job = job_services.job_advance(
                job_id=job_id,
                progress=100.0 * len(done) / max(total, 1),
                message=job_services.SYMBOLS_PROGRESS.format(done=len(done), total=total, rows=update["rows_written"]),
                result=update,
            )
        except job_services.JobCancelled:
            # Leave the block normally so the cancellation job_advance recorded is committed.
            cancelled = True
        else:
            cancelled = False
            if finish and len(done) >= total:
                job = job_finish(job_id=job_id)
    if cancelled:
        raise job_services.JobCancelled(job_id)
    return job


def job_finish(*, job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    result = job.result
    failed = result.get("failed", {})
    summary = job_services.SYMBOLS_SUMMARY.format(
        done=result.get("symbols_done", 0), rows=result.get("rows_written", 0), rejected=result.get("rows_rejected", 0)
    )
    if failed and len(failed) >= int(result.get("symbols_done", 0)):
        errors = "; ".join(f"{code}: {message}" for code, message in failed.items())
        return job_services.job_fail(
            job_id=job_id, error=errors, message=job_services.SYMBOLS_ALL_FAILED.format(summary=summary)
        )
    if failed:
        summary += job_services.SYMBOLS_FAILED_PART.format(count=len(failed), codes=", ".join(failed))
    return job_services.job_succeed(job_id=job_id, message=summary)


def candles_load_symbol(
    *,
    code: str,
    source_name: str,
    start: dt.date | None,
    end: dt.date | None,
    file: str | None = None,
    resume: bool = True,
    dry_run: bool = False,
) -> LoadReport:
    """One symbol of a backfill or refresh: from its resume point (or `start`) up to `end` (today)."""
    from historical.sources.base import get_source

    end = end or dt.date.today()
    begin = candles_resume_start(code=code, start=start) if resume else start
    if begin is None:
        raise DomainError(START_REQUIRED, field="start")
    source = get_source(source_name, file=file)
    if begin > end:
        return LoadReport(dry_run=dry_run)
    return candles_ingest(code=code, source=source, start=begin, end=end, dry_run=dry_run)


# --- market indices -------------------------------------------------------------------------------


@transaction.atomic
def index_candles_upsert(*, index: str, bars: Sequence[IndexBar], source: str, simulated: bool) -> int:
    """Write an index's daily bars (insert or replace by day) in one transaction; returns the bars written."""
    if index not in MarketIndex.values:
        raise DomainError(UNKNOWN_INDEX.format(index=index, choices=", ".join(MarketIndex.values)), field="index")
    rows = [
        IndexCandle(
            index=index,
            time=bar.time,
            open=bar.open,
            high=max(bar.high, bar.open, bar.close),
            low=min(bar.low, bar.open, bar.close),
            close=bar.close,
            volume=bar.volume,
            value=bar.value,
            source=source,
            simulated=simulated,
        )
        for bar in bars
        if bar.close > 0 and bar.open > 0
    ]
    IndexCandle.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["index", "time"],
        update_fields=["open", "high", "low", "close", "volume", "value", "source", "simulated"],
    )
    return len(rows)


def index_candles_load(*, index: str, start: dt.date, end: dt.date) -> int:
    """Fetch an index's daily bars from FinanceDataReader (KS11, KQ11) and store them."""
    from historical.sources.fdr import fetch_index

    bars = fetch_index(code=index, start=start, end=end)
    return index_candles_upsert(index=index, bars=bars, source=CandleSource.FDR, simulated=False)


def index_candles_simulate(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """KOSPI and KOSDAQ as the synthetic market shows them, by the definition of market.indices: each
    day's close is the previous day's × the mean of that market's symbols' close / previous close (the
    open likewise with their opens), from SIMULATED_INDEX_BASE on the first day; marked simulated. For
    the demo, whose candles are synthetic too."""
    written: dict[str, int] = {}
    for index, market in INDEX_MARKETS.items():
        rows = (
            Candle.objects.filter(
                symbol__market=market,
                timeframe=Timeframe.DAY,
                time__gte=day_start(start),
                time__lt=day_start(end + dt.timedelta(days=1)),
            )
            .order_by("time")
            .values_list("symbol_id", "time", "open", "close")
        )
        by_day: dict[dt.datetime, list[tuple[int, int, int]]] = {}
        for symbol_id, time, open_, close in rows:
            by_day.setdefault(time, []).append((symbol_id, open_, close))
        previous: dict[int, int] = {}
        level = SIMULATED_INDEX_BASE
        bars: list[IndexBar] = []
        for time in sorted(by_day):
            day = by_day[time]
            # a symbol's first day has no previous close: it joins the mean from its second
            opens = [(open_, previous[symbol_id]) for symbol_id, open_, _ in day if symbol_id in previous]
            closes = [(close, previous[symbol_id]) for symbol_id, _, close in day if symbol_id in previous]
            open_level = index_level(level, opens) or level
            close_level = index_level(level, closes) or level
            previous.update((symbol_id, close) for symbol_id, _, close in day)
            bars.append(
                IndexBar(
                    time=time,
                    open=open_level,
                    high=max(open_level, close_level),
                    low=min(open_level, close_level),
                    close=close_level,
                )
            )
            level = close_level
        written[index] = index_candles_upsert(index=index, bars=bars, source=CandleSource.SYNTHETIC, simulated=True)
    return written


def index_candles_record_close(*, day: dt.date, values: Sequence[IndexValue]) -> int:
    """Store the simulated market's close of `day` (market.signals.index_closed) as the day's simulated
    index bars, so the next day's live index starts from it. A day with a real (not simulated) bar is
    left alone, and so is an index without a value; returns the bars written."""
    real = set(IndexCandle.objects.filter(time=day_start(day), simulated=False).values_list("index", flat=True))
    written = 0
    for value in values:
        if value.value is None or value.index in real:
            continue
        close = value.value
        open_ = value.open if value.open is not None else close
        bar = IndexBar(time=day_start(day), open=open_, high=max(open_, close), low=min(open_, close), close=close)
        written += index_candles_upsert(index=value.index, bars=[bar], source=CandleSource.SYNTHETIC, simulated=True)
    return written
