"""A training or backtest run end to end, in the worker: data → features → agent → results in the DB."""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jobs import services as job_services
from jobs.services import JobCancelled
from strategies import data, metrics, portfolio, services, walkforward
from strategies.enums import FINISHED_RUN_STATUSES, RunKind, RunStatus
from strategies.models import StrategyRun
from strategies.rl import pipeline
from strategies.specs import warmup_bars

logger = logging.getLogger(__name__)
# Share of the job's progress bar given to training steps (the rest: data, features, saving).
TRAIN_PROGRESS_FROM, TRAIN_PROGRESS_TO = 10.0, 95.0
# Why a run failed, as its `error` tells the user (Korean, shown as is).
NO_CANDLES = _("이 전략의 종목과 기간에 해당하는 일봉이 없습니다.")
TOO_LITTLE_HISTORY = _(
    "선택한 지표는 거래를 시작하기 전에 {warmup}거래일의 과거 일봉이 필요한데, 저장된 일봉이 그보다 적습니다."
)
NOTHING_AFTER_WARMUP = _("{start} ~ {end} 기간은 지표 준비 기간({warmup}거래일)을 빼면 남는 거래일이 없습니다.")
# The job's progress as the user sees it.
TRAINING = _("학습 중: {done:,}/{total:,} 스텝, 최근 보상 {reward:+.4f}")
LOADING = _("일봉과 지표를 불러오는 중입니다.")
BACKTESTING = _("테스트 기간을 백테스트하는 중입니다.")
FINISHED = _("{kind}을(를) 마쳤습니다.")
WINDOW_LOADING = _("{index}/{count}번째 구간: 일봉과 지표를 불러오는 중입니다.")
WINDOW_TRAINING = _("{index}/{count}번째 구간 학습 중: {done:,}/{total:,} 스텝, 최근 보상 {reward:+.4f}")
WINDOW_TESTING = _("{index}/{count}번째 구간을 테스트하는 중입니다.")
DAYS_MISMATCH = _("구간별 테스트의 거래일이 전체 테스트 기간의 거래일과 맞지 않습니다.")


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _warmup(spec: dict[str, Any]) -> int:
    return warmup_bars(spec["indicators"], use_turbulence=spec["use_turbulence"])


def _load(spec: dict[str, Any], *, start: str, end: str) -> tuple[pd.DataFrame, str]:
    """(features, sha256 of the candles read) from enough calendar days before `start` to warm up."""
    warmup = max(_warmup(spec), portfolio.MA_LONG)
    first = _date(start) - dt.timedelta(days=int(warmup * 1.6) + 14)
    frame = data.candle_frame(symbols=spec["symbols"], start=first, end=_date(end))
    if frame.empty:
        raise ValueError(NO_CANDLES)
    features = pipeline.engineer_features(frame, indicators=spec["indicators"], use_turbulence=spec["use_turbulence"])
    return features, pipeline.frame_sha256(frame)


def _period(features: pd.DataFrame, spec: dict[str, Any], *, start: str, end: str) -> tuple[pd.DataFrame, int]:
    """(the period's rows from its first day with every indicator defined, warm-up days dropped)."""
    dates = sorted(features["date"].unique())
    warmup = _warmup(spec)
    if len(dates) <= warmup:
        raise ValueError(TOO_LITTLE_HISTORY.format(warmup=warmup))
    first_clean = max(start, dates[warmup])
    period = pipeline.split(features, first_clean, end)
    dropped = sum(1 for d in dates if start <= d < first_clean)
    if period.empty or period.index.max() < 1:
        raise ValueError(NOTHING_AFTER_WARMUP.format(start=start, end=end, warmup=warmup))
    return period, dropped


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
        markets=[spec["markets"][s] for s in symbols] if spec.get("markets") else [],
        execution=spec.get("execution", "open"),
        spread_ticks=float(spec.get("spread_ticks", 1.0)),
        impact=float(spec.get("impact", 0.1)),
    )


def artifact_path(run: StrategyRun) -> Path:
    return Path(f"strategies/{run.strategy_id}/run-{run.pk}.zip")


def evaluate(
    act: Any, frame: pd.DataFrame, env_spec: pipeline.EnvSpec, *, history: pd.DataFrame, warmup_days: int
) -> dict[str, Any]:
    """The agent, the equal-weight buy-and-hold, the moving-average crossover and the market indices
    over one period, on the same days, with the same execution and costs."""
    env = pipeline.make_env(frame, env_spec)
    episode = pipeline.run_episode(env, act)
    market = env.data
    cash = float(env_spec.initial_cash)
    benchmark = portfolio.buy_and_hold(market, initial_cash=cash)
    baseline = portfolio.moving_average_crossover(market, initial_cash=cash, history=history)
    indices = index_benchmarks(market.dates, initial_cash=cash)
    costs = {
        "execution": env_spec.execution,
        "spread_ticks": env_spec.spread_ticks,
        "impact": env_spec.impact,
        "commission": env_spec.buy_cost[0] if env_spec.buy_cost else 0.0,
        "total_costs": round(sum(t["cost"] for t in episode.trades), 2),
        "total_slippage": round(sum(t["slippage"] for t in episode.trades), 2),
    }
    curve = []
    for i, date in enumerate(episode.dates):
        point = {
            "date": date,
            "equity": round(episode.equity[i], 2),
            "benchmark": round(benchmark.equity[i], 2),
            "baseline": round(baseline.equity[i], 2),
        }
        for name, values in indices.items():
            point[name.lower()] = None if values["equity"][i] is None else round(values["equity"][i], 2)
        curve.append(point)
    return {
        "episode": episode,
        "metrics": {
            **metrics.performance(episode.equity, episode.trades, episode.invested),
            "warmup_days_excluded": warmup_days,
            "first_day": episode.dates[0],
            "last_day": episode.dates[-1],
            "costs": costs,
        },
        "benchmark_metrics": {
            **metrics.performance(benchmark.equity, benchmark.trades, benchmark.invested),
            "name": "equal-weight buy and hold",
            "indices": {
                name: {**metrics.performance(values["equity"]), "simulated": values["simulated"]}
                for name, values in indices.items()
                if all(v is not None for v in values["equity"])
            },
        },
        "baseline_metrics": {
            **metrics.performance(baseline.equity, baseline.trades, baseline.invested),
            "name": f"moving-average crossover {portfolio.MA_SHORT}/{portfolio.MA_LONG}",
        },
        "equity_curve": curve,
    }


def index_benchmarks(dates: list[str], *, initial_cash: float) -> dict[str, dict[str, Any]]:
    """KOSPI and KOSDAQ rebased to the initial cash, from the stored index candles (when stored)."""
    from historical import selectors as historical_selectors

    found: dict[str, dict[str, Any]] = {}
    if not dates:
        return found
    for code, closes, simulated in historical_selectors.index_closes(start=_date(dates[0]), end=_date(dates[-1])):
        series = pd.Series(closes, dtype=float)
        found[code] = {
            "equity": portfolio.index_curve(series, dates, initial_cash=initial_cash),
            "simulated": simulated,
        }
    return found


def _history(features: pd.DataFrame, symbols: list[str], before: str) -> pd.DataFrame:
    closes = pipeline.closes_by_date(features)[symbols]
    return closes[closes.index < before]


def train(run: StrategyRun, *, report: pipeline.ProgressReport | None = None) -> dict[str, Any]:
    spec = run.spec
    last = spec.get("validation_end") or spec["train_end"]
    features, data_sha256 = _load(spec, start=spec["train_start"], end=last)
    train_frame, warmup_days = _period(features, spec, start=spec["train_start"], end=spec["train_end"])
    env_spec = _env_spec(spec, train_frame)
    validation = None
    if spec.get("validation_start"):
        validation_frame, _ = _period(features, spec, start=spec["validation_start"], end=spec["validation_end"])
        validation = validation_frame
    agent = pipeline.train(
        train_frame,
        env_spec,
        hyperparameters=spec["hyperparameters"],
        seed=int(spec["seed"]),
        report=report,
        validation=validation,
    )
    relative = artifact_path(run)
    sha256 = agent.save(Path(settings.ARTIFACTS_DIR) / relative)
    in_sample = pipeline.run_episode(pipeline.make_env(train_frame, env_spec), agent.act)
    results: dict[str, Any] = {
        "metrics": {
            **metrics.performance(in_sample.equity, in_sample.trades, in_sample.invested),
            "timesteps": agent.timesteps,
            "train_days": len(in_sample.dates),
            "warmup_days_excluded": warmup_days,
            "hmax": env_spec.hmax,
            "in_sample": True,
            "period": "train",
            "device": agent.device,
            "early_stopping": agent.early_stopping,
        },
        "model_path": str(relative),
        "model_sha256": sha256,
        "data_sha256": data_sha256,
    }
    if validation is not None:
        history = _history(features, env_spec.symbols, spec["validation_start"])
        evaluated = evaluate(agent.act, validation, env_spec, history=history, warmup_days=0)
        results["validation_metrics"] = {
            **evaluated["metrics"],
            "period": "validation",
            "benchmark": evaluated["benchmark_metrics"],
            "baseline": evaluated["baseline_metrics"],
        }
    return results


def backtest(run: StrategyRun) -> dict[str, Any]:
    """The test period, reported once per trained model (services refuses a second look)."""
    spec = run.spec
    model_run = run.model_run
    if model_run is None or not model_run.model_path:
        raise ValueError(services.NOT_TRAINED)
    agent = pipeline.TrainedAgent.load(
        Path(settings.ARTIFACTS_DIR) / model_run.model_path, sha256=model_run.model_sha256
    )
    features, data_sha256 = _load(spec, start=spec["test_start"], end=spec["test_end"])
    test_frame, warmup_days = _period(features, spec, start=spec["test_start"], end=spec["test_end"])
    env_spec = agent.spec
    history = _history(features, env_spec.symbols, spec["test_start"])
    evaluated = evaluate(agent.act, test_frame, env_spec, history=history, warmup_days=warmup_days)
    episode = evaluated["episode"]
    return {
        "metrics": {**evaluated["metrics"], "period": "test", "model_sha256": model_run.model_sha256},
        "benchmark_metrics": evaluated["benchmark_metrics"],
        "baseline_metrics": evaluated["baseline_metrics"],
        "equity_curve": evaluated["equity_curve"],
        "daily_returns": [float(r) for r in np.round(metrics.daily_returns(episode.equity), 8)],
        "trades": episode.trades,
        "data_sha256": data_sha256,
    }


# (window, windows, timesteps done, total, recent reward) and (window, windows, share of it, message)
WindowReport = Callable[[int, int, int, int, float], None]
WindowStage = Callable[[int, int, float, str], None]


def window_artifact_path(run: StrategyRun, index: int) -> Path:
    return Path(f"strategies/{run.strategy_id}/run-{run.pk}-window-{index}.zip")


def walk_forward(
    run: StrategyRun, *, report: WindowReport | None = None, stage: WindowStage | None = None
) -> dict[str, Any]:
    """Train a model per window on data up to the window's validation (or training) end only, test it on
    the window, and stitch the tests: each window starts from the book (cash and shares) the previous one
    ended with, on that window's last close, so the curve goes on from the previous ending equity.

    `report(index, count, done, total, reward)` follows training; `stage(index, count, share, message)` the
    rest (`share`: how far into the window's part of the progress bar).
    """
    spec = run.spec
    windows = [walkforward.Window(**_window_dates(w)) for w in spec["windows"]]
    count = len(windows)
    book = None
    curve: list[tuple[str, float, float]] = []  # (date, equity, invested) of the stitched run
    trades: list[dict[str, Any]] = []
    table: list[dict[str, Any]] = []
    first_spec: pipeline.EnvSpec | None = None
    for window in windows:
        if stage is not None:
            stage(window.index, count, 0.0, WINDOW_LOADING.format(index=window.index, count=count))
        seen_until = window.seen_until.isoformat()
        features, data_sha256 = _load(spec, start=window.train_start.isoformat(), end=seen_until)
        train_frame, warmup_days = _period(
            features, spec, start=window.train_start.isoformat(), end=window.train_end.isoformat()
        )
        validation = None
        if window.validation_start is not None:
            validation, _ = _period(
                features, spec, start=window.validation_start.isoformat(), end=window.validation_end.isoformat()
            )
        env_spec = _env_spec(spec, train_frame)
        first_spec = first_spec or env_spec
        agent = pipeline.train(
            train_frame,
            env_spec,
            hyperparameters=spec["hyperparameters"],
            seed=int(spec["seed"]),
            report=None if report is None else (lambda d, t, r, i=window.index: report(i, count, d, t, r)),
            validation=validation,
        )
        relative = window_artifact_path(run, window.index)
        model_sha256 = agent.save(Path(settings.ARTIFACTS_DIR) / relative)

        if stage is not None:
            stage(window.index, count, 0.9, WINDOW_TESTING.format(index=window.index, count=count))
        # The first window starts on its first test day; each later one on the previous window's last
        # day, whose close its model decides on (the fills land on this window's first day).
        opening = window.test_start.isoformat() if not curve else curve[-1][0]
        test_features, _ = _load(spec, start=opening, end=window.test_end.isoformat())
        test_frame, _ = _period(test_features, spec, start=opening, end=window.test_end.isoformat())
        env = pipeline.make_env(test_frame, env_spec, start=book)
        episode = pipeline.run_episode(env, agent.act)
        book = env.book
        points = list(zip(episode.dates, episode.equity, episode.invested, strict=True))
        curve.extend(points if not curve else points[1:])
        trades.extend(episode.trades)
        trained_through = max(
            [str(train_frame["date"].max())] + ([str(validation["date"].max())] if validation is not None else [])
        )
        table.append(
            {
                **window.as_dict(),
                "trained_through": trained_through,
                "first_day": episode.dates[0] if window.index == 1 else episode.dates[1],
                "last_day": episode.dates[-1],
                "start_equity": round(episode.equity[0], 2),
                "end_equity": round(episode.equity[-1], 2),
                "return": metrics.cumulative_return(episode.equity),
                "trades": len(episode.trades),
                "metrics": metrics.performance(episode.equity, episode.trades, episode.invested),
                "train_days": int(train_frame["date"].nunique()),
                "warmup_days_excluded": warmup_days,
                "hmax": env_spec.hmax,
                "timesteps": agent.timesteps,
                "early_stopping": agent.early_stopping,
                "model_path": str(relative),
                "model_sha256": model_sha256,
                "data_sha256": data_sha256,
            }
        )
    if first_spec is None:  # services refuses a walk-forward without windows
        raise ValueError(services.WALK_FORWARD_OFF)
    dates = [d for d, _, _ in curve]
    equity = [e for _, e, _ in curve]
    invested = [i for _, _, i in curve]
    # The benchmark, the baseline and the indices over the same stitched days, as one period.
    whole, data_sha256 = _load(spec, start=dates[0], end=dates[-1])
    whole_frame, warmup_days = _period(whole, spec, start=dates[0], end=dates[-1])
    market = pipeline.market_data(whole_frame, first_spec)
    if market.dates != dates:
        raise ValueError(DAYS_MISMATCH)
    cash = float(first_spec.initial_cash)
    benchmark = portfolio.buy_and_hold(market, initial_cash=cash)
    baseline = portfolio.moving_average_crossover(
        market, initial_cash=cash, history=_history(whole, first_spec.symbols, dates[0])
    )
    indices = index_benchmarks(dates, initial_cash=cash)
    equity_curve = []
    for i, date in enumerate(dates):
        point = {
            "date": date,
            "equity": round(equity[i], 2),
            "benchmark": round(benchmark.equity[i], 2),
            "baseline": round(baseline.equity[i], 2),
        }
        for name, values in indices.items():
            point[name.lower()] = None if values["equity"][i] is None else round(values["equity"][i], 2)
        equity_curve.append(point)
    return {
        "metrics": {
            **metrics.performance(equity, trades, invested),
            "period": "walk_forward",
            "windows": count,
            "walk_forward_months": spec["walk_forward_months"],
            "walk_forward_training": spec.get("walk_forward_training", walkforward.ROLLING),
            "warmup_days_excluded": warmup_days,
            "first_day": dates[0],
            "last_day": dates[-1],
        },
        "benchmark_metrics": {
            **metrics.performance(benchmark.equity, benchmark.trades, benchmark.invested),
            "name": "equal-weight buy and hold",
            "indices": {
                name: {**metrics.performance(values["equity"]), "simulated": values["simulated"]}
                for name, values in indices.items()
                if all(v is not None for v in values["equity"])
            },
        },
        "baseline_metrics": {
            **metrics.performance(baseline.equity, baseline.trades, baseline.invested),
            "name": f"moving-average crossover {portfolio.MA_SHORT}/{portfolio.MA_LONG}",
        },
        "equity_curve": equity_curve,
        "daily_returns": [float(r) for r in np.round(metrics.daily_returns(equity), 8)],
        "trades": trades,
        "windows": table,
        "data_sha256": data_sha256,
    }


def _window_dates(window: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (value if key == "index" or value is None else _date(value))
        for key, value in window.items()
        if key in walkforward.Window.__dataclass_fields__
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
            message=TRAINING.format(done=done, total=total, reward=recent_reward),
            result={"timesteps_done": done, "timesteps_total": total, "recent_reward": recent_reward},
        )

    def window_progress(index: int, count: int, share: float) -> float:
        return TRAIN_PROGRESS_FROM + (TRAIN_PROGRESS_TO - TRAIN_PROGRESS_FROM) * (index - 1 + share) / max(count, 1)

    def window_report(index: int, count: int, done: int, total: int, recent_reward: float) -> None:
        job_services.job_advance(
            job_id=job_id,
            progress=window_progress(index, count, 0.9 * done / max(total, 1)),
            message=WINDOW_TRAINING.format(index=index, count=count, done=done, total=total, reward=recent_reward),
            result={"window": index, "windows": count, "timesteps_done": done, "timesteps_total": total},
        )

    def window_stage(index: int, count: int, share: float, message: str) -> None:
        job_services.job_advance(
            job_id=job_id, progress=window_progress(index, count, share), message=message, result={"window": index}
        )

    try:
        if run.kind == RunKind.TRAIN:
            job_services.job_advance(job_id=job_id, progress=2, message=LOADING)
            results = train(run, report=report)
        elif run.kind == RunKind.WALK_FORWARD:
            job_services.job_advance(job_id=job_id, progress=2, message=LOADING)
            results = walk_forward(run, report=window_report, stage=window_stage)
        else:
            job_services.job_advance(job_id=job_id, progress=10, message=BACKTESTING)
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
    job_services.job_succeed(job_id=job_id, result=summary, message=FINISHED.format(kind=run.get_kind_display()))
