import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from historical import services
from historical.calendar import trading_days
from historical.models import Candle
from historical.tasks import candles_backfill, candles_refresh_all, candles_refresh_symbol
from jobs import services as job_services
from jobs.enums import JobStatus
from jobs.models import Job
from jobs.services import JobCancelled
from market.models import Symbol

pytestmark = pytest.mark.django_db

ROWS = [
    ("20240102", 78200, 79800, 78200, 79600, 17142847),
    ("20240103", 78500, 78800, 77000, 77000, 21753644),
    ("20240104", 76100, 77300, 76100, 76600, 15324439),
    ("20240105", 76700, 77100, 76000, 76600, 11304316),
    ("20240108", 77000, 77500, 76400, 76500, 11088724),
]


@pytest.fixture
def eager_retries():
    """Let eagerly applied tasks retry in place (Celery re-applies them) instead of raising Retry."""
    from celery import current_app

    before = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    yield
    current_app.conf.task_eager_propagates = before


def run_backfill(job: Job, **kwargs) -> Job:
    candles_backfill.apply(kwargs={"job_id": job.pk, **job.params, **kwargs}, throw=False)
    job.refresh_from_db()
    return job


def test_backfill_job_tracks_symbols_and_rows(samsung, hynix, user):
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930", "000660"], "start": "2024-01-01", "end": "2024-03-29", "source": "synthetic"},
        owner=user,
    )
    job = run_backfill(job)

    per_symbol = Candle.objects.filter(symbol=samsung).count()
    assert per_symbol == len(trading_days(dt.date(2024, 1, 1), dt.date(2024, 3, 29))) == 61
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100
    assert job.result["symbols_total"] == job.result["symbols_done"] == 2
    assert job.result["rows_written"] == 2 * per_symbol
    assert job.result["rows_rejected"] == 0
    # A redelivered task does not count twice and stores nothing new.
    job = run_backfill(job)
    assert job.result["symbols_done"] == 2 and job.result["rows_written"] == 2 * per_symbol
    assert Candle.objects.count() == 2 * per_symbol


def test_backfill_counts_rejected_rows_from_the_source(samsung, naver_chart, user):
    naver_chart.rows["005930"] = [*ROWS, ("20240109", 77400, 77000, 76900, 77000, 10)]  # high below open
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930"], "start": "2024-01-01", "end": "2024-01-31", "source": "fdr"},
        owner=user,
    )
    job = run_backfill(job)
    assert (job.status, job.result["rows_written"], job.result["rows_rejected"]) == (JobStatus.SUCCEEDED, 5, 1)
    assert job.result["reject_reasons"] == {"high_below_open_close": 1}
    samsung.refresh_from_db()
    assert samsung.prev_close == 76500


def test_source_errors_are_retried_with_backoff_then_succeed(samsung, naver_chart, user, eager_retries):
    naver_chart.rows["005930"] = ROWS
    naver_chart.fail_next = 2
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930"], "start": "2024-01-01", "end": "2024-01-31", "source": "fdr"},
        owner=user,
    )
    job = run_backfill(job)
    assert len(naver_chart.requests) == 3
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 3
    assert Candle.objects.count() == 5


def test_source_errors_after_the_last_retry_fail_the_job(samsung, naver_chart, user, eager_retries):
    naver_chart.rows["005930"] = ROWS
    naver_chart.fail_next = 100
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930"], "start": "2024-01-01", "end": "2024-01-31", "source": "fdr"},
        owner=user,
    )
    job = run_backfill(job)
    assert len(naver_chart.requests) == candles_backfill.max_retries + 1
    assert job.status == JobStatus.FAILED and "503" in job.error
    assert job.result["failed"].keys() == {"005930"}
    assert Candle.objects.count() == 0


def test_refresh_symbol_fetches_from_the_last_stored_bar(samsung, naver_chart):
    naver_chart.rows["005930"] = ROWS[:3]
    candles_refresh_symbol.apply(kwargs={"code": "005930"}, throw=True)
    assert Candle.objects.count() == 3
    naver_chart.rows["005930"] = ROWS
    candles_refresh_symbol.apply(kwargs={"code": "005930"}, throw=True)
    assert Candle.objects.count() == 5
    jobs = list(Job.objects.filter(kind=services.JOB_KIND_REFRESH).order_by("id"))
    assert [j.status for j in jobs] == [JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]
    assert [j.result["rows_written"] for j in jobs] == [3, 3]  # the second run starts at the last stored bar


def test_refresh_all_fans_out_in_chunks_over_active_symbols(db, django_capture_on_commit_callbacks):
    for n in range(5):
        Symbol.objects.create(code=f"00{n}000", name=f"S{n}", market="KOSPI")
    Symbol.objects.create(code="009999", name="Delisted", market="KOSPI", is_active=False)
    job = job_services.job_create(kind=services.JOB_KIND_REFRESH, params={"source": "synthetic"})
    with django_capture_on_commit_callbacks(execute=True) as queued:
        candles_refresh_all.apply(kwargs={"job_id": job.pk, "source": "synthetic", "chunk_size": 2}, throw=True)
    assert len([f for f in queued if "task_enqueue" in f.__qualname__]) == 3  # chunks of 2, 2 and 1 symbols
    job.refresh_from_db()

    assert job.status == JobStatus.SUCCEEDED
    assert job.result["symbols_total"] == job.result["symbols_done"] == 5
    assert sorted(job.result["done"]) == [f"00{n}000" for n in range(5)]
    assert Candle.objects.filter(symbol__code="009999").count() == 0
    assert job.result["rows_written"] == Candle.objects.count() > 0
    for symbol in Symbol.objects.filter(is_active=True):
        assert symbol.prev_close == Candle.objects.filter(symbol=symbol).latest("time").close


def test_cancelled_job_stops(samsung, hynix, user):
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930", "000660"], "start": "2024-01-01", "source": "synthetic"},
        owner=user,
    )
    job_services.job_cancel(job_id=job.pk)
    job = run_backfill(job)
    assert job.status == JobStatus.CANCELLED and Candle.objects.count() == 0


def test_a_cancel_requested_while_running_stops_at_the_next_symbol(samsung, hynix, user):
    job = job_services.job_create(
        kind=services.JOB_KIND_BACKFILL,
        params={"symbols": ["005930", "000660"], "start": "2024-01-01", "source": "synthetic"},
        owner=user,
    )
    job_services.job_start(job_id=job.pk)
    services.job_symbols_total(job_id=job.pk, total=2)
    job_services.job_cancel(job_id=job.pk)
    with pytest.raises(JobCancelled):
        services.job_symbol_record(job_id=job.pk, code="005930", report=services.LoadReport(written=3))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_daily_refresh_beat_entry_runs_after_the_krx_close():
    entry = PeriodicTask.objects.get(task="historical.tasks.candles_refresh_all")
    assert entry.enabled
    assert (entry.crontab.hour, entry.crontab.minute, entry.crontab.day_of_week) == ("16", "0", "1-5")
    assert str(entry.crontab.timezone) == "Asia/Seoul"
    now = entry.crontab.schedule.now()
    assert entry.crontab.schedule.remaining_estimate(now) <= dt.timedelta(days=3, hours=1)
