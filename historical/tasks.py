"""Celery tasks of the historical app: thin, JSON arguments, safe to run twice.

- candles_backfill: the symbols of one backfill job, each from its resume point.
- candles_refresh_symbol: one symbol from its last stored bar up to today.
- candles_refresh_all: fan-out over every active symbol, one candles_refresh_chunk per chunk; the
  beat entry "historical: refresh daily bars" runs it after the KRX close.
Every symbol is counted into its job once (job.result: symbols_done/total, rows_written,
rows_rejected, failed), so a retried or redelivered task never counts twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.conf import settings

from config.exceptions import DomainError
from historical import services
from historical.sources.base import SourceError
from jobs import services as job_services
from jobs.services import JobCancelled
from market.models import Symbol

RETRY_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (SourceError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _load_codes(
    task: Any,
    *,
    job_id: int,
    codes: Sequence[str],
    source: str,
    start: str | None,
    end: str | None,
    file: str | None = None,
) -> None:
    """Load each code not yet counted in the job; a SourceError is retried until the last attempt."""
    for code in codes:
        if services.job_symbol_is_done(job_id=job_id, code=code):
            continue
        try:
            report = services.candles_load_symbol(
                code=code, source_name=source, start=_date(start), end=_date(end), file=file
            )
        except SourceError as exc:
            if task.request.retries < task.max_retries:
                raise
            services.job_symbol_record(job_id=job_id, code=code, error=str(exc))
            continue
        except DomainError as exc:
            services.job_symbol_record(job_id=job_id, code=code, error=exc.message)
            continue
        services.job_symbol_record(job_id=job_id, code=code, report=report)


@shared_task(name="historical.tasks.candles_backfill", **RETRY_OPTIONS)
def candles_backfill(
    self: Any,
    *,
    job_id: int,
    symbols: list[str],
    start: str,
    end: str | None = None,
    source: str = "fdr",
    file: str | None = None,
) -> None:
    try:
        job = job_services.job_start(job_id=job_id)
        if "symbols_total" not in job.result:
            services.job_symbols_total(job_id=job_id, total=len(symbols))
        if not symbols:
            services.job_finish(job_id=job_id)
            return
        _load_codes(self, job_id=job_id, codes=symbols, source=source, start=start, end=end, file=file)
    except JobCancelled:
        return


@shared_task(name="historical.tasks.candles_refresh_symbol", **RETRY_OPTIONS)
def candles_refresh_symbol(self: Any, *, code: str, job_id: int | None = None, source: str | None = None) -> None:
    """Bring one symbol up to date from its last stored bar."""
    source = source or settings.HISTORICAL_REFRESH_SOURCE
    if job_id is None:
        job_id = job_services.job_create(
            kind=services.JOB_KIND_REFRESH, params={"symbols": [code], "source": source}
        ).pk
    try:
        job = job_services.job_start(job_id=job_id)
        if "symbols_total" not in job.result:
            services.job_symbols_total(job_id=job_id, total=1)
        _load_codes(self, job_id=job_id, codes=[code], source=source, start=None, end=None)
    except JobCancelled:
        return


@shared_task(name="historical.tasks.candles_refresh_chunk", **RETRY_OPTIONS)
def candles_refresh_chunk(self: Any, *, job_id: int, codes: list[str], source: str) -> None:
    try:
        _load_codes(self, job_id=job_id, codes=codes, source=source, start=None, end=None)
    except JobCancelled:
        return


@shared_task(name="historical.tasks.candles_refresh_all", **RETRY_OPTIONS)
def candles_refresh_all(
    self: Any, *, job_id: int | None = None, source: str | None = None, chunk_size: int | None = None
) -> None:
    """Fan out over every active symbol: one chunk task per `chunk_size` symbols (beat runs this)."""
    source = source or settings.HISTORICAL_REFRESH_SOURCE
    chunk_size = chunk_size or settings.HISTORICAL_REFRESH_CHUNK
    if job_id is None:
        job_id = job_services.job_create(kind=services.JOB_KIND_REFRESH, params={"source": source}).pk
    codes = list(Symbol.objects.filter(is_active=True).order_by("code").values_list("code", flat=True))
    try:
        job = job_services.job_start(job_id=job_id)
        if "symbols_total" not in job.result:
            services.job_symbols_total(job_id=job_id, total=len(codes))
        if not codes:
            services.job_finish(job_id=job_id)
            return
    except JobCancelled:
        return
    for index in range(0, len(codes), chunk_size):
        job_services.task_enqueue(
            candles_refresh_chunk, job_id=job_id, codes=codes[index : index + chunk_size], source=source
        )
