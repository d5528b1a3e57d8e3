"""Cancelling a training job stops the worker cleanly at its next progress report."""

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from jobs import services as job_services
from jobs.models import Job
from strategies import services
from strategies.enums import RunKind
from strategies.models import Strategy, StrategyRun
from strategies.tests.factories import zigzag_market


def _queued_training(user, *, timesteps: int) -> StrategyRun:
    dates = zigzag_market(("000010",))
    strategy = services.strategy_create(
        owner=user,
        name="long",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
        indicators=["close_2_sma"],
        hyperparameters={"total_timesteps": timesteps, "n_steps": 64, "batch_size": 32, "n_epochs": 1},
    )
    # Queue it the way run_train does, without a worker picking it up: the test is the worker.
    spec = services._serialisable(
        {**services._spec_of(strategy), **services._costs_spec(list(strategy.symbols.all()), strategy.train_end)}
    )
    job = job_services.job_create(kind=services.TRAIN_JOB, owner=user)
    return StrategyRun.objects.create(strategy=strategy, kind=RunKind.TRAIN, job=job, spec=spec)


@pytest.mark.slow
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_cancel_stops_a_running_training(user):
    from strategies.rl.runs import execute_run

    run = _queued_training(user, timesteps=2_000_000)

    def work() -> None:
        try:
            execute_run(run_id=run.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 120
    while Job.objects.get(pk=run.job_id).progress < 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "running" and job.result.get("timesteps_done", 0) > 0
    job_services.job_cancel(job_id=run.job_id)
    worker.join(timeout=120)
    assert not worker.is_alive()

    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == "cancelled" and job.status == "cancelled"
    assert job.result["timesteps_done"] < 2_000_000
    assert run.model_path == "" and not list(Path(settings.ARTIFACTS_DIR).rglob("*.zip"))
    assert Strategy.objects.get(pk=run.strategy_id).trained_run is None


@pytest.mark.slow
@pytest.mark.django_db
def test_worker_command_runs_a_queued_training(user):
    """The embedded default starts `manage.py strategies_run <id>` instead of training in the web process."""
    run = _queued_training(user, timesteps=128)
    call_command("strategies_run", str(run.pk))
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert Strategy.objects.get(pk=run.strategy_id).trained_run_id == run.pk
    # Running it again leaves the finished run alone.
    call_command("strategies_run", str(run.pk))
    assert StrategyRun.objects.get(pk=run.pk).finished_at == run.finished_at
