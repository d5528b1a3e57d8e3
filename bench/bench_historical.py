"""Candle ingestion and the candle API on PostgreSQL, each figure against a baseline of the same run.

Runs in a throwaway database `bench_historical` (created with psycopg, migrated, dropped at the end).

- ingest: rows/s through historical.services.candles_upsert_many into an empty table (sanity
  checks, formatting, the overlap check, then COPY straight into historical_candle), against a bare
  COPY of the same rows (pre-formatted text straight into historical_candle, nothing else); both
  are timed from the call to the commit, best of three alternating rounds;
- re-ingest: the same load again (every row conflicts: COPY into the staging table, one
  INSERT … ON CONFLICT DO UPDATE that changes nothing), against the same COPY;
- query: p50/p99 of GET /api/v1/historical/candles for ten years of daily bars, and for the monthly
  aggregate over every stored year, against a bare SELECT of the same ten years of rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from bench.common import Result, leave_throwaway_database, percentile, use_throwaway_database

DB_NAME = "bench_historical"
SYMBOLS = int(os.environ.get("BENCH_HISTORICAL_SYMBOLS", "200"))
YEARS = 10
QUERIES = int(os.environ.get("BENCH_HISTORICAL_QUERIES", "300"))
ROUNDS = 3  # ingest rounds, alternating bare COPY and ours; the best of each counts


def _bars(days: list[dt.date], seed: int) -> list:
    """Plain valid bars (a random walk); realism does not matter for throughput."""
    from historical.sources.base import Bar, day_start

    rng = random.Random(seed)
    price = rng.randint(5_000, 200_000)
    bars = []
    for day in days:
        close = max(100, int(price * (1 + rng.uniform(-0.03, 0.03))))
        high, low = max(price, close) + rng.randint(0, 50), max(1, min(price, close) - rng.randint(0, 50))
        bars.append(Bar(time=day_start(day), open=price, high=high, low=low, close=close, volume=rng.randint(1, 10**7)))
        price = close
    return bars


def _bare_copy(text: str) -> tuple[float, float]:
    """Seconds for one COPY of pre-formatted text: through to its commit (as ours is timed), and
    the COPY statement alone (the commit's WAL flush left out)."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY historical_candle (symbol_id, timeframe, time, open, high, low, close, volume, value, source) "
            "FROM STDIN"
        ) as copy:
            copy.write(text)
        statement_only = time.perf_counter() - started
    return time.perf_counter() - started, statement_only


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE historical_candle")


def _latencies(client, url: str, params: dict, n: int) -> list[float]:
    samples = []
    for _ in range(5):
        client.get(url, params)
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    return samples


def run() -> list[Result]:
    previous = use_throwaway_database(DB_NAME, bench="bench_historical")
    try:
        return _run()
    finally:
        leave_throwaway_database(DB_NAME, previous)


def _run() -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from historical import services
    from historical.calendar import trading_days
    from market.models import Symbol

    end = dt.date.today() - dt.timedelta(days=1)
    days = list(trading_days(end.replace(year=end.year - YEARS), end))
    symbols = [
        Symbol.objects.create(code=f"{900000 + n:06d}", name=f"Bench {n}", market="KOSPI") for n in range(SYMBOLS)
    ]
    loads = [(symbol.pk, _bars(days, n)) for n, symbol in enumerate(symbols)]
    rows = sum(len(bars) for _, bars in loads)
    text = services.copy_text(loads, timeframe="1d", source="fdr")

    copy_times, statement_times, ours_times, rerun_times, ours_statement_times = [], [], [], [], []
    for _ in range(ROUNDS):
        _truncate()
        committed, statement_only = _bare_copy(text)
        copy_times.append(committed)
        statement_times.append(statement_only)
        _truncate()
        started = time.perf_counter()
        report = services.candles_upsert_many(loads=loads, source="fdr")
        ours_times.append(time.perf_counter() - started)
        assert report.written == rows
        started = time.perf_counter()
        services.candles_upsert_many(loads=loads, source="fdr")
        rerun_times.append(time.perf_counter() - started)
        _truncate()
        with transaction.atomic():  # ours without its commit, to set against the bare statement alone
            started = time.perf_counter()
            services.candles_upsert_many(loads=loads, source="fdr")
            ours_statement_times.append(time.perf_counter() - started)
    copy_rate, ours_rate, rerun_rate = rows / min(copy_times), rows / min(ours_times), rows / min(rerun_times)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE historical_candle")

    user = get_user_model().objects.create_user(username="bench", password="bench-password-1")
    client = APIClient()
    client.force_authenticate(user)
    code = symbols[0].code
    url = "/api/v1/historical/candles"
    start = days[0].isoformat()
    daily = _latencies(client, url, {"symbol": code, "start": start, "end": end.isoformat()}, QUERIES)
    monthly = _latencies(client, url, {"symbol": code, "timeframe": "1M"}, QUERIES)
    body = client.get(url, {"symbol": code, "timeframe": "1M"}).json()

    bare = []
    with connection.cursor() as cursor:
        for _ in range(QUERIES):
            started = time.perf_counter()
            cursor.execute(
                "SELECT time, open, high, low, close, volume, value, source FROM historical_candle "
                "WHERE symbol_id = %s AND timeframe = '1d' AND time >= %s ORDER BY time",
                [symbols[0].pk, dt.datetime.combine(days[0], dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=9)],
            )
            cursor.fetchall()
            bare.append((time.perf_counter() - started) * 1000)

    note = f"{rows:,} rows = {SYMBOLS} symbols x {len(days)} trading days"
    statement_rate, ours_statement_rate = rows / min(statement_times), rows / min(ours_statement_times)
    statement_note = (
        f"without the commit (inside an open transaction): ours {ours_statement_rate:,.0f} rows/s, "
        f"bare COPY statement {statement_rate:,.0f} rows/s = {ours_statement_rate / statement_rate:.2f}x"
    )
    return [
        Result(
            "ingest: candles_upsert_many (checks + overlap check + COPY)",
            ours_rate,
            "rows/s",
            "bare COPY",
            copy_rate,
            target=">= 0.5x COPY and >= 100,000 rows/s",
            notes=[note, statement_note],
        ),
        Result("re-ingest of the same rows (all conflicts, no change)", rerun_rate, "rows/s", "bare COPY", copy_rate),
        Result(
            f"candle API 1d, {YEARS} years ({len(days)} bars) p50",
            percentile(daily, 50),
            "ms",
            "bare SELECT p50",
            percentile(bare, 50),
            higher_is_better=False,
        ),
        Result(
            f"candle API 1d, {YEARS} years p99",
            percentile(daily, 99),
            "ms",
            "bare SELECT p99",
            percentile(bare, 99),
            higher_is_better=False,
            target="< 30 ms",
        ),
        Result(
            f"candle API 1M over all years ({len(body['candles'])} bars) p50",
            percentile(monthly, 50),
            "ms",
            "bare SELECT p50",
            percentile(bare, 50),
            higher_is_better=False,
        ),
        Result(
            "candle API 1M over all years p99",
            percentile(monthly, 99),
            "ms",
            "bare SELECT p99",
            percentile(bare, 99),
            higher_is_better=False,
        ),
    ]
