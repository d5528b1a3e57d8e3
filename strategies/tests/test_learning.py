"""Learning really happens: on a market with a planted pattern the agent beats buy-and-hold and chance."""

import numpy as np
import pytest

from strategies import services
from strategies.models import StrategyRun
from strategies.synthetic import candles_frame, trading_days, zigzag_closes
from strategies.tests.factories import make_symbols, store_candles

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_agent_learns_the_planted_pattern(user, django_capture_on_commit_callbacks):
    from strategies.rl import pipeline, runs

    # Up and down days alternate (±3% with noise): after a down day comes an up day. Price vs its
    # 2-day average tells which day it was; buy-and-hold stands still and loses a little.
    days = 400
    make_symbols("000100")
    dates = trading_days("2020-01-01", days)
    store_candles(candles_frame({"000100": zigzag_closes(days, seed=1)}, dates))
    strategy = services.strategy_create(
        owner=user,
        name="zigzag",
        symbols=["000100"],
        algorithm="PPO",
        train_start=dates[0],
        train_end=dates[299],
        test_start=dates[300],
        test_end=dates[-1],
        indicators=["close_2_sma", "rsi_6"],
        hyperparameters={"total_timesteps": 10_000, "n_steps": 256},
        seed=7,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_train(strategy_id=strategy.pk, owner=user)
    strategy.refresh_from_db()
    assert strategy.trained_run is not None, StrategyRun.objects.first().error
    with django_capture_on_commit_callbacks(execute=True):
        backtest = services.run_backtest(strategy_id=strategy.pk, owner=user)
    backtest.refresh_from_db()
    assert backtest.status == "succeeded", backtest.error

    agent_return = backtest.metrics["cumulative_return"]
    hold_return = backtest.benchmark_metrics["cumulative_return"]

    # A random policy in the same environment (same test days and costs), averaged over seeds.
    spec = backtest.spec
    features, _ = runs._load(spec, start=spec["test_start"], end=spec["test_end"])
    test_frame, _ = runs._period(features, spec, start=spec["test_start"], end=spec["test_end"])
    env_spec = pipeline.TrainedAgent.load(
        runs.settings.ARTIFACTS_DIR / strategy.trained_run.model_path, sha256=strategy.trained_run.model_sha256
    ).spec
    random_returns = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        episode = pipeline.run_episode(pipeline.make_env(test_frame, env_spec), lambda s, r=rng: r.uniform(-1, 1, 1))
        random_returns.append(episode.equity[-1] / episode.equity[0] - 1)
    random_return = float(np.mean(random_returns))

    assert backtest.metrics["trades"] >= 20, "the agent must actually trade"
    assert agent_return > hold_return + 0.25, (agent_return, hold_return)
    assert agent_return > random_return + 0.25, (agent_return, random_return)
    assert backtest.metrics["sharpe"] > 2
