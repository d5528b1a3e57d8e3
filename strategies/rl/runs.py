"""A training or backtest run end to end, in the worker: data → features → agent → results in the DB."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from jobs import services as job_services
from jobs.services import JobCancelled
from strategies import data, metrics, portfolio, services
from strategies.enums import FINISHED_RUN_STATUSES, RunKind, RunStatus
from strategies.models import StrategyRun
from strategies.rl import pipeline

logger = logging.getLogger(__name__)
# Share of the job's progress bar given to training steps (the rest: data, features, saving).
TRAIN_PROGRESS_FROM, TRAIN_PROGRESS_TO = 10.0, 95.0


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _features(spec: dict[str, Any], *, end: str) -> pd.DataFrame:
    frame = data.candle_frame(symbols=spec["symbols"], start=_date(spec["train_start"]), end=_date(end))
    if frame.empty:
        raise ValueError("No candles were found for this strategy's symbols and periods.")
    return pipeline.engineer_features(frame, indicators=spec["indicators"], use_turbulence=spec["use_turbulence"])


def _env_spec(spec: dict[str, Any], train: pd.DataFrame) -> pipeline.EnvSpec:
    symbols = sorted(spec["symbols"])  # FinRL orders a day's rows by ticker
    hyper = spec["hyperparameters"]
    return pipeline.EnvSpec(
        algorithm=spec["algorithm"],
        symbols=symbols,
        indicators=list(spec["indicators"]),
        initial_cash=float(spec["initial_cash"]),
        hmax=int(
            hyper.get("hmax") or pipeline.default_hmax(train, initial_cash=spec["initial_cash"], symbols=len(symbols))
        ),
        buy_cost=[spec["buy_cost"][s] for s in symbols],
        sell_cost=[spec["sell_cost"][s] for s in symbols],
        reward_scaling=100.0 / float(spec["initial_cash"]),  # reward = change of equity in % of the start
        turbulence_threshold=pipeline.turbulence_threshold(train) if spec["use_turbulence"] else None,
        use_turbulence=bool(spec["use_turbulence"]),
    )


def artifact_path(run: StrategyRun) -> Path:
    return Path(f"strategies/{run.strategy_id}/run-{run.pk}.zip")


def train(run: StrategyRun, *, report: pipeline.ProgressReport | None = None) -> dict[str, Any]:
    spec = run.spec
    features = _features(spec, end=spec["train_end"])
    train_frame = pipeline.split(features, spec["train_start"], spec["train_end"])
    env_spec = _env_spec(spec, train_frame)
    agent = pipeline.train(
        train_frame, env_spec, hyperparameters=spec["hyperparameters"], seed=int(spec["seed"]), report=report
    )
    relative = artifact_path(run)
    sha256 = agent.save(Path(settings.ARTIFACTS_DIR) / relative)
    in_sample = pipeline.run_episode(pipeline.make_env(train_frame, env_spec), agent.act)
    return {
        "metrics": {
            **metrics.performance(in_sample.equity, in_sample.trades),
            "timesteps": agent.timesteps,
            "train_days": len(in_sample.dates),
            "hmax": env_spec.hmax,
            "in_sample": True,
        },
        "model_path": str(relative),
        "model_sha256": sha256,
    }


def backtest(run: StrategyRun) -> dict[str, Any]:
    spec = run.spec
    model_run = run.model_run
    if model_run is None or not model_run.model_path:
        raise ValueError(services.NOT_TRAINED)
    agent = pipeline.TrainedAgent.load(
        Path(settings.ARTIFACTS_DIR) / model_run.model_path, sha256=model_run.model_sha256
    )
    features = _features(spec, end=spec["test_end"])
    test_frame = pipeline.split(features, spec["test_start"], spec["test_end"])
    env_spec = agent.spec
    env_spec.buy_cost = [spec["buy_cost"][s] for s in env_spec.symbols]
    env_spec.sell_cost = [spec["sell_cost"][s] for s in env_spec.symbols]
    episode = pipeline.run_episode(pipeline.make_env(test_frame, env_spec), agent.act)

    closes = pipeline.closes_by_date(test_frame)[env_spec.symbols]
    all_closes = pipeline.closes_by_date(features)[env_spec.symbols]
    history = all_closes[all_closes.index < spec["test_start"]]
    costs = {"buy_cost": spec["buy_cost"], "sell_cost": spec["sell_cost"], "initial_cash": float(spec["initial_cash"])}
    benchmark = portfolio.buy_and_hold(closes, **costs)
    baseline = portfolio.moving_average_crossover(closes, history=history, **costs)
    curve = [
        {"date": date, "equity": round(equity, 2), "benchmark": round(bench, 2), "baseline": round(base, 2)}
        for date, equity, bench, base in zip(
            episode.dates, episode.equity, benchmark.equity, baseline.equity, strict=True
        )
    ]
    return {
        "metrics": metrics.performance(episode.equity, episode.trades),
        "benchmark_metrics": metrics.performance(benchmark.equity, benchmark.trades),
        "baseline_metrics": {
            **metrics.performance(baseline.equity, baseline.trades),
            "name": f"moving-average crossover {portfolio.MA_SHORT}/{portfolio.MA_LONG}",
        },
        "equity_curve": curve,
        "daily_returns": [float(r) for r in np.round(metrics.daily_returns(episode.equity), 8)],
        "trades": episode.trades,
    }


def execute_run(*, run_id: int) -> None:
    """Run a queued StrategyRun and record its outcome on the run and its job."""
    run = StrategyRun.objects.select_related("strategy", "model_run").filter(pk=run_id).first()
    if run is None or run.status in FINISHED_RUN_STATUSES:  # deleted with its strategy, or already done
        return
    job_id = run.job_id
    try:
        job_services.job_start(job_id=job_id)
    except JobCancelled:
        services.run_finish(run_id=run_id, status=RunStatus.CANCELLED)
        return
    services.run_started(run_id=run_id)

    def report(done: int, total: int, recent_reward: float) -> None:
        share = TRAIN_PROGRESS_FROM + (TRAIN_PROGRESS_TO - TRAIN_PROGRESS_FROM) * done / max(total, 1)
        job_services.job_advance(
            job_id=job_id,
            progress=share,
            message=f"Training: {done:,}/{total:,} timesteps, recent reward {recent_reward:+.4f}",
            result={"timesteps_done": done, "timesteps_total": total, "recent_reward": recent_reward},
        )

    try:
        if run.kind == RunKind.TRAIN:
            job_services.job_advance(job_id=job_id, progress=2, message="Loading candles and features")
            results = train(run, report=report)
        else:
            job_services.job_advance(job_id=job_id, progress=10, message="Backtesting over the test period")
            results = backtest(run)
    except JobCancelled:
        if StrategyRun.objects.filter(pk=run_id).exists():  # gone when its strategy was deleted
            services.run_finish(run_id=run_id, status=RunStatus.CANCELLED)
        return
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the run and the job
        logger.exception("strategy run %s failed", run_id)
        services.run_finish(run_id=run_id, status=RunStatus.FAILED, error=str(exc))
        job_services.job_fail(job_id=job_id, error=f"{exc}\n\n{traceback.format_exc()}")
        return
    services.run_finish(run_id=run_id, status=RunStatus.SUCCEEDED, **results)
    summary = {"run": run_id, "cumulative_return": results["metrics"].get("cumulative_return")}
    job_services.job_succeed(job_id=job_id, result=summary, message=f"{run.get_kind_display()} finished")
