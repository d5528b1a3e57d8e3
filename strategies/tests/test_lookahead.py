"""No look-ahead: a decision made on day t sees nothing of the days after it, in the environment (with
its features and a trained agent), the backtest, the benchmark and the baseline; it fills on day t+1."""

import numpy as np
import pandas as pd
import pytest

from strategies import portfolio
from strategies.synthetic import candles_frame, trading_days, zigzag_closes

pytestmark = pytest.mark.slow

SYMBOLS = ["000010", "000020"]
INDICATORS = ["macd", "rsi_6", "close_10_sma"]
DAYS = 140
CUT_IN_PERIOD = 60  # the decision day t (after the warm-up) whose future is changed


def _candles(*, change_after: str | None = None) -> pd.DataFrame:
    dates = trading_days("2022-01-03", DAYS)
    frame = candles_frame({c: zigzag_closes(DAYS, seed=i) for i, c in enumerate(SYMBOLS)}, dates)
    if change_after is not None:
        later = frame["date"] > change_after
        rng = np.random.default_rng(99)
        scale = rng.uniform(0.5, 1.5, size=int(later.sum()))
        for column in ("open", "high", "low", "close"):
            frame.loc[later, column] = (frame.loc[later, column] * scale).round()
        frame.loc[later, "volume"] = frame.loc[later, "volume"] * 3
    return frame


def _spec(pipeline, frame, execution="open"):
    return pipeline.EnvSpec(
        algorithm="PPO",
        symbols=SYMBOLS,
        indicators=INDICATORS,
        initial_cash=10_000_000,
        hmax=pipeline.default_hmax(frame, initial_cash=10_000_000, symbols=2),
        buy_cost=[0.00015, 0.00015],
        sell_cost=[0.00215, 0.00215],
        reward_scaling=1e-5,
        execution=execution,
    )


def _period(pipeline, candles):
    from strategies.specs import warmup_bars

    features = pipeline.engineer_features(candles, indicators=INDICATORS, use_turbulence=False)
    return pipeline.after_warmup(features, warmup_bars(INDICATORS))


@pytest.fixture(scope="module")
def agent():
    from strategies.rl import pipeline

    frame = _period(pipeline, _candles())
    return pipeline.train(
        frame, _spec(pipeline, frame), hyperparameters={"total_timesteps": 256, "n_steps": 64, "batch_size": 32}, seed=3
    )


@pytest.mark.parametrize("execution", ["open", "close"])
def test_env_and_backtest_decisions_ignore_every_bar_after_t(agent, execution):
    from strategies.rl import pipeline

    original = _period(pipeline, _candles())
    cut_date = sorted(original["date"].unique())[CUT_IN_PERIOD]
    changed = _period(pipeline, _candles(change_after=cut_date))
    spec = _spec(pipeline, original, execution)
    a = pipeline.run_episode(pipeline.make_env(original, spec), agent.act)
    b = pipeline.run_episode(pipeline.make_env(changed, spec), agent.act)
    t = a.dates.index(cut_date)
    assert a.dates == b.dates and a.trades, "the agent trades in this period"
    # every decision up to and including day t is the same; the equity up to t too
    np.testing.assert_array_equal(np.asarray(a.actions[: t + 1]), np.asarray(b.actions[: t + 1]))
    assert a.equity[: t + 1] == b.equity[: t + 1]
    assert [f for f in a.trades if f["date"] <= cut_date] == [f for f in b.trades if f["date"] <= cut_date]
    # ... and the future did change something later (the test could fail)
    assert a.equity[t + 2 :] != b.equity[t + 2 :]
    # a decision of day d fills on the next day at that day's open (or close), moved by slippage only
    days = {d: i for i, d in enumerate(a.dates)}
    env = pipeline.make_env(original, spec)
    for fill in a.trades:
        day = days[fill["date"]]
        assert day >= 1
        reference = env.data.fills[day, SYMBOLS.index(fill["symbol"])]
        column = "open" if execution == "open" else "close"
        row = original[(original["date"] == fill["date"]) & (original["tic"] == fill["symbol"])]
        assert reference == float(row[column].iloc[0])
        assert abs(fill["price"] / reference - 1) < 0.01
        assert (fill["price"] > reference) == (fill["side"] == "buy")


def _market(pipeline, candles):
    frame = _period(pipeline, candles)
    return pipeline.market_data(frame, _spec(pipeline, frame)), frame


def test_benchmark_and_baseline_ignore_every_bar_after_t():
    from strategies.rl import pipeline

    data_a, frame = _market(pipeline, _candles())
    cut_date = data_a.dates[40]
    data_b, _ = _market(pipeline, _candles(change_after=cut_date))
    t = data_a.dates.index(cut_date)
    history = pd.DataFrame(columns=SYMBOLS, dtype=float)
    for simulate in (
        lambda d: portfolio.buy_and_hold(d, initial_cash=10_000_000),
        lambda d: portfolio.moving_average_crossover(d, initial_cash=10_000_000, history=history, short=3, long=8),
    ):
        a, b = simulate(data_a), simulate(data_b)
        assert a.trades, "the portfolio trades"
        assert a.equity[: t + 1] == b.equity[: t + 1]
        assert [f for f in a.trades if f["date"] <= cut_date] == [f for f in b.trades if f["date"] <= cut_date]
        # decisions of day t (the quantities filled on t+1) are the same: only the fill prices may differ
        qa = [(f["date"], f["symbol"], f["side"]) for f in a.trades if f["date"] <= data_a.dates[t + 1]]
        qb = [(f["date"], f["symbol"], f["side"]) for f in b.trades if f["date"] <= data_a.dates[t + 1]]
        assert qa == qb
