import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from config.asgi import application
from jobs import services
from jobs.enums import JobStatus
from jobs.models import Job
from jobs.services import JOB_ALREADY_FINISHED, JobCancelled


@pytest.mark.django_db
def test_job_lifecycle(user):
    job = services.job_create(kind="ingest", params={"symbols": ["005930"]}, owner=user)
    assert job.status == JobStatus.QUEUED
    services.job_start(job_id=job.pk)
    services.job_advance(job_id=job.pk, progress=40, message="2/5 symbols", result={"rows": 10})
    job.refresh_from_db()
    assert (job.status, job.progress, job.message, job.result) == (JobStatus.RUNNING, 40, "2/5 symbols", {"rows": 10})
    services.job_succeed(job_id=job.pk, result={"rows": 25})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.result == {"rows": 25}
    assert job.finished_at is not None


@pytest.mark.django_db
def test_cancel_running_job_stops_it_at_next_progress(user):
    job = services.job_create(kind="train", owner=user)
    services.job_start(job_id=job.pk)
    services.job_cancel(job_id=job.pk)
    with pytest.raises(JobCancelled):
        services.job_advance(job_id=job.pk, progress=50)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


@pytest.mark.django_db
def test_cancel_finished_job_is_refused(auth_client, user):
    job = services.job_create(kind="train", owner=user)
    services.job_fail(job_id=job.pk, error="boom")
    response = auth_client.post(f"/api/v1/jobs/{job.pk}/cancel")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == JOB_ALREADY_FINISHED


@pytest.mark.django_db
def test_stale_running_job_is_marked_failed(auth_client, user, settings):
    job = services.job_create(kind="ingest", owner=user)
    services.job_start(job_id=job.pk)
    last_heartbeat = timezone.now() - dt.timedelta(hours=2)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=last_heartbeat)
    fresh = services.job_create(kind="ingest", owner=user)
    services.job_start(job_id=fresh.pk)
    assert services.job_reap_stale() == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == JobStatus.FAILED
    seen = auth_client.get(f"/api/v1/jobs/{job.pk}").json()
    assert seen["message"] == services.WORKER_LOST == "작업자와 연결이 끊겨 실패로 처리했습니다."
    assert seen["error"] == services.WORKER_LOST_ERROR.format(
        heartbeat=timezone.localtime(last_heartbeat).strftime("%Y-%m-%d %H:%M:%S")
    )
    assert fresh.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_what_a_job_says_reaches_the_client_in_korean(auth_client, user):
    """Every state a job passes through is told in Korean, on the API and in the status labels."""

    def message(job):
        return auth_client.get(f"/api/v1/jobs/{job.pk}").json()["message"]

    job = services.job_create(kind="ingest", owner=user)
    assert message(job) == services.QUEUED == "대기 중입니다."
    services.job_start(job_id=job.pk)
    assert message(job) == services.RUNNING == "실행 중입니다."
    services.job_start(job_id=job.pk)  # redelivered after a worker restart
    assert message(job) == services.RUNNING_AGAIN.format(attempt=2) == "실행 중입니다(2번째 시도)."
    services.job_cancel(job_id=job.pk)
    assert message(job) == services.CANCELLING == "취소하는 중입니다…"
    with pytest.raises(JobCancelled):
        services.job_advance(job_id=job.pk, progress=10)
    assert message(job) == services.CANCELLED == "취소했습니다."

    queued = services.job_create(kind="ingest", owner=user)
    services.job_cancel(job_id=queued.pk)
    assert message(queued) == services.CANCELLED

    done = services.job_create(kind="ingest", owner=user)
    services.job_succeed(job_id=done.pk)
    assert message(done) == services.DONE == "완료했습니다."
    failed = services.job_create(kind="ingest", owner=user)
    services.job_fail(job_id=failed.pk, error="boom")
    assert message(failed) == services.FAILED == "실패했습니다."

    done.refresh_from_db()
    assert [label for _, label in JobStatus.choices] == ["대기 중", "실행 중", "완료됨", "실패함", "취소됨"]
    assert done.get_status_display() == "완료됨"


def test_symbol_progress_templates_format():
    assert services.SYMBOLS_PROGRESS.format(done=2, total=5, rows=1200) == "2/5종목, 1,200행 저장"
    summary = services.SYMBOLS_SUMMARY.format(done=5, rows=1200, rejected=3)
    assert summary == "5종목, 1,200행 저장, 3행 거부"
    assert services.SYMBOLS_FAILED_PART.format(count=1, codes="005930") == ", 1종목 실패(005930)"
    assert services.SYMBOLS_ALL_FAILED.format(summary=summary) == "실패: " + summary


@pytest.mark.django_db
def test_jobs_api_lists_only_own_jobs_and_filters(auth_client, user, other_user):
    mine = services.job_create(kind="ingest", owner=user)
    services.job_create(kind="train", owner=user)
    theirs = services.job_create(kind="ingest", owner=other_user)
    listing = auth_client.get("/api/v1/jobs", {"kind": "ingest"}).json()
    assert [j["id"] for j in listing["results"]] == [mine.pk]
    assert auth_client.get(f"/api/v1/jobs/{theirs.pk}").status_code == 404
    assert auth_client.get("/api/v1/jobs", {"status": "nonsense"}).status_code == 400


@pytest.mark.django_db(transaction=True)
async def test_ws_jobs_pushes_progress_to_owner(user):
    from django.test import AsyncClient

    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    cookie = client.cookies["sessionid"].value
    communicator = WebsocketCommunicator(
        application,
        "/ws/jobs",
        headers=[(b"cookie", f"sessionid={cookie}".encode()), (b"origin", b"http://127.0.0.1:8000")],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    job = await sync_to_async(services.job_create)(kind="ingest", owner=user)
    await sync_to_async(services.job_start)(job_id=job.pk)
    await sync_to_async(services.job_advance)(job_id=job.pk, progress=30, message="working")
    seen = [await communicator.receive_json_from(timeout=3) for _ in range(3)]
    assert [m["job"]["status"] for m in seen] == ["queued", "running", "running"]
    assert seen[-1]["job"]["progress"] == 30 and seen[-1]["job"]["message"] == "working"
    assert seen[0]["job"]["message"] == services.QUEUED and seen[1]["job"]["message"] == services.RUNNING
    await communicator.send_json_to({"type": "subscribe"})
    refusal = await communicator.receive_json_from(timeout=3)
    assert refusal == {"type": "error", "message": "이 스트림은 읽기 전용이라 메시지를 받지 않습니다."}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ws_jobs_refuses_anonymous():
    communicator = WebsocketCommunicator(application, "/ws/jobs", headers=[(b"origin", b"http://127.0.0.1:8000")])
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
    await communicator.disconnect()  # let the consumer finish before the test's loop closes


@pytest.mark.django_db(transaction=True)
async def test_ws_refuses_foreign_origin(user):
    communicator = WebsocketCommunicator(application, "/ws/jobs", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()
