"""Every write to a Job. Workers call job_start / job_advance / job_succeed / job_fail."""

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict
from jobs.enums import FINISHED_STATUSES, JobStatus
from jobs.events import job_broadcast
from jobs.models import Job

logger = logging.getLogger(__name__)

# What a job tells the people following it (the API, /ws/jobs, the admin): Korean by default, through
# Django's translation machinery like the rest of the platform's messages. Stored on the job as text.
JOB_ALREADY_FINISHED = _("이미 끝난 작업은 취소할 수 없습니다.")
QUEUED = _("대기 중입니다.")
RUNNING = _("실행 중입니다.")
RUNNING_AGAIN = _("실행 중입니다({attempt}번째 시도).")
DONE = _("완료했습니다.")
FAILED = _("실패했습니다.")
CANCELLING = _("취소하는 중입니다…")
CANCELLED = _("취소했습니다.")
WORKER_LOST = _("작업자와 연결이 끊겨 실패로 처리했습니다.")
WORKER_LOST_ERROR = _("작업자가 {heartbeat}부터 진행 상황을 알려 오지 않았습니다.")
# Jobs that go symbol by symbol (candle backfills and refreshes) report with these.
SYMBOLS_PROGRESS = _("{done:,}/{total:,}종목, {rows:,}행 저장")
SYMBOLS_SUMMARY = _("{done:,}종목, {rows:,}행 저장, {rejected:,}행 거부")
SYMBOLS_FAILED_PART = _(", {count:,}종목 실패({codes})")
SYMBOLS_ALL_FAILED = _("실패: {summary}")


class JobCancelled(Exception):
    """Raised inside a worker when the job it runs was cancelled; the task stops cleanly."""


def _broadcast_on_commit(job: Job) -> None:
    transaction.on_commit(lambda: job_broadcast(job))


def job_create(*, kind: str, params: dict[str, Any] | None = None, owner: Any = None, message: str = "") -> Job:
    job = Job.objects.create(kind=kind, params=params or {}, owner=owner, message=str(message or QUEUED))
    _broadcast_on_commit(job)
    return job


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _thread_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="papertrade-task")
        return _executor


def _run_in_thread(fn: Callable[[], Any]) -> None:
    def wrapped() -> None:
        close_old_connections()
        try:
            fn()
        except Exception:  # noqa: BLE001 - the task records its own failure on the job
            logger.exception("in-process task failed")
        finally:
            close_old_connections()

    _thread_executor().submit(wrapped)


def task_enqueue(task: Any, **kwargs: Any) -> None:
    """Queue a Celery task after the current transaction commits.

    TASK_MODE "celery" sends it to the broker; "thread" runs it in a background thread of this
    process (embedded default); "eager" runs it inline (tests).
    """
    mode = settings.TASK_MODE

    def send() -> None:
        if mode == "celery":
            task.apply_async(kwargs=kwargs)
        elif mode == "thread":
            _run_in_thread(lambda: task.apply(kwargs=kwargs, throw=False))
        else:
            task.apply(kwargs=kwargs, throw=True)

    transaction.on_commit(send)


def _mark_cancelled(job: Job) -> None:
    """Inside the job's row lock: record the cancellation (committed before JobCancelled is raised)."""
    job.status = JobStatus.CANCELLED
    job.finished_at = job.finished_at or timezone.now()
    job.message = str(CANCELLED)
    job.save()
    _broadcast_on_commit(job)


def job_start(*, job_id: int) -> Job:
    """Mark a job running (again, after a worker restart). Raises JobCancelled if cancelled."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        cancelled = job.status == JobStatus.CANCELLED or job.cancel_requested
        if cancelled:
            _mark_cancelled(job)
        else:
            now = timezone.now()
            job.status = JobStatus.RUNNING
            job.started_at = job.started_at or now
            job.heartbeat_at = now
            job.attempts += 1
            job.error = ""
            job.finished_at = None
            job.message = str(RUNNING) if job.attempts == 1 else str(RUNNING_AGAIN).format(attempt=job.attempts)
            job.save()
            _broadcast_on_commit(job)
    if cancelled:
        raise JobCancelled(job_id)
    return job


def job_advance(*, job_id: int, progress: float, message: str = "", result: dict[str, Any] | None = None) -> Job:
    """Record progress (0-100) and a heartbeat. Raises JobCancelled when a cancel was requested."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        cancelled = job.cancel_requested
        if cancelled:
            _mark_cancelled(job)
        else:
            job.progress = max(0.0, min(100.0, float(progress)))
            if message:
                job.message = str(message)[:500]
            if result is not None:
                job.result = {**job.result, **result}
            job.heartbeat_at = timezone.now()
            job.save()
            _broadcast_on_commit(job)
    if cancelled:
        raise JobCancelled(job_id)
    return job


@transaction.atomic
def job_succeed(*, job_id: int, result: dict[str, Any] | None = None, message: str = DONE) -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.SUCCEEDED
    job.progress = 100.0
    job.message = str(message)[:500]
    if result is not None:
        job.result = {**job.result, **result}
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save()
    _broadcast_on_commit(job)
    return job


@transaction.atomic
def job_fail(*, job_id: int, error: str, message: str = FAILED) -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.FAILED
    job.error = str(error)[:10000]
    job.message = str(message)[:500]
    job.finished_at = job.heartbeat_at = timezone.now()
    job.save()
    _broadcast_on_commit(job)
    return job


@transaction.atomic
def job_cancel(*, job_id: int) -> Job:
    """Queued jobs are cancelled at once; running ones stop at their next progress report."""
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.status in FINISHED_STATUSES:
        raise Conflict(str(JOB_ALREADY_FINISHED), code="job_finished")
    job.cancel_requested = True
    if job.status == JobStatus.QUEUED:
        job.status = JobStatus.CANCELLED
        job.finished_at = timezone.now()
        job.message = str(CANCELLED)
    else:
        job.message = str(CANCELLING)
    job.save()
    _broadcast_on_commit(job)
    return job


def job_reap_stale(*, now: Any = None) -> int:
    """Mark running jobs whose worker stopped reporting as failed. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS)
    reaped = 0
    for job_id in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.status != JobStatus.RUNNING or (job.heartbeat_at and job.heartbeat_at >= cutoff):
                continue
            job.status = JobStatus.FAILED
            heartbeat = timezone.localtime(job.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S")
            job.error = str(WORKER_LOST_ERROR).format(heartbeat=heartbeat)
            job.message = str(WORKER_LOST)
            job.finished_at = now
            job.save()
            _broadcast_on_commit(job)
            reaped += 1
    return reaped
