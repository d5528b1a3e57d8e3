"""Our FinRL trading environment and training on it, against stable-baselines3 on a bare gymnasium env.

"Our env" is strategies.rl.pipeline.KRXStockTradingEnv: FinRL's trading MDP on arrays with KRX
execution (a decision fills on the next day's open, commission, the dated tax by settlement date,
half-spread + volume-share slippage); FinRL's own StockTradingEnv (same-bar fills, pandas lookups per
step) is measured on the same data. Targets: ours ≥ 2× FinRL's env; PPO on ours ≥ 0.5× PPO on bare.

Both environments have the same observation and action sizes (5 symbols, 8 indicators: 51 numbers
in, 5 actions out) and the same episode length; the bare one returns precomputed random
observations, so the ratio is the cost of FinRL's bookkeeping (pandas row lookups per day, cost
and share accounting) and of our observation normalisation.

- env steps/s: random actions, reset at episode end;
- training timesteps/s: PPO (n_steps 512, batch 64, 10 epochs, 64x64 MLP) for the same number of
  timesteps on each, single torch thread, as the training worker runs it.
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench.common import Result, setup_django

SYMBOLS = ["000010", "000020", "000030", "000040", "000050"]
INDICATORS = ["macd", "boll_ub", "boll_lb", "rsi_30", "cci_30", "dx_30", "close_30_sma", "close_60_sma"]
DAYS = 500
ENV_STEPS = int(os.environ.get("BENCH_STRATEGIES_ENV_STEPS", "20000"))
TRAIN_STEPS = int(os.environ.get("BENCH_STRATEGIES_TRAIN_STEPS", "4096"))


def _finrl_env():
    from strategies.rl import pipeline
    from strategies.synthetic import candles_frame, trading_days, zigzag_closes

    dates = trading_days("2020-01-01", DAYS)
    closes = {code: zigzag_closes(DAYS, start_price=20_000 + 5_000 * i, seed=i) for i, code in enumerate(SYMBOLS)}
    features = pipeline.engineer_features(candles_frame(closes, dates), indicators=INDICATORS, use_turbulence=False)
    frame = pipeline.split(features, dates[0], dates[-1])
    spec = pipeline.EnvSpec(
        algorithm="PPO",
        symbols=SYMBOLS,
        indicators=INDICATORS,
        initial_cash=100_000_000,
        hmax=pipeline.default_hmax(frame, initial_cash=100_000_000, symbols=len(SYMBOLS)),
        buy_cost=[0.00015] * len(SYMBOLS),
        sell_cost=[0.00215] * len(SYMBOLS),
        reward_scaling=100 / 100_000_000,
        markets=["KOSPI"] * len(SYMBOLS),  # per-day sell rates from the orders app's dated tax table
    )
    return frame, spec, pipeline


def _bare_env_class():
    import gymnasium as gym
    from gymnasium import spaces

    class BareEnv(gym.Env):
        """Same spaces and episode length as the trading env; observations are precomputed noise."""

        def __init__(self, obs_size: int, action_size: int, length: int) -> None:
            self.observation_space = spaces.Box(low=-np.inf, high=np.inf, shape=(obs_size,))
            self.action_space = spaces.Box(low=-1, high=1, shape=(action_size,))
            self.length = length
            self.observations = np.random.default_rng(0).normal(size=(length, obs_size)).astype(np.float32)
            self.day = 0

        def reset(self, *, seed=None, options=None):
            self.day = 0
            return self.observations[0], {}

        def step(self, action):
            self.day += 1
            done = self.day >= self.length - 1
            return self.observations[self.day], float(action[0]) * 0.01, done, False, {}

    return BareEnv


def _steps_per_second(env, steps: int) -> float:
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, size=(steps, env.action_space.shape[0])).astype(np.float32)
    env.reset()
    started = time.perf_counter()
    for i in range(steps):
        _, _, done, _, _ = env.step(actions[i])
        if done:
            env.reset()
    return steps / (time.perf_counter() - started)


def _train_rate(vec_env, steps: int) -> float:
    from stable_baselines3 import PPO

    model = PPO("MlpPolicy", vec_env, n_steps=512, batch_size=64, n_epochs=10, seed=0, verbose=0)
    started = time.perf_counter()
    model.learn(total_timesteps=steps)
    return steps / (time.perf_counter() - started)


def run() -> list[Result]:
    setup_django()
    import torch
    from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

    torch.set_num_threads(1)
    frame, spec, pipeline = _finrl_env()
    bare_class = _bare_env_class()
    days = int(frame.index.max()) + 1

    finrl_env = pipeline.make_env(frame, spec)
    bare_env = bare_class(spec.state_space, len(SYMBOLS), days)
    finrl_sps = _steps_per_second(finrl_env, ENV_STEPS)
    bare_sps = _steps_per_second(bare_env, ENV_STEPS)
    stock_sps = _steps_per_second(pipeline.finrl_env(frame, spec), ENV_STEPS // 4)

    finrl_vec = VecNormalize(DummyVecEnv([lambda: pipeline.make_env(frame, spec)]), norm_obs=True, norm_reward=False)
    bare_vec = DummyVecEnv([lambda: bare_class(spec.state_space, len(SYMBOLS), days)])
    finrl_tps = _train_rate(finrl_vec, TRAIN_STEPS)
    bare_tps = _train_rate(bare_vec, TRAIN_STEPS)

    shape = f"obs {spec.state_space}, actions {len(SYMBOLS)}, {days}-day episodes"
    return [
        Result(
            name="strategies: our FinRL env steps (random actions)",
            value=finrl_sps,
            unit="steps/s",
            baseline_name="bare gymnasium env",
            baseline_value=bare_sps,
            notes=[shape, f"{ENV_STEPS} steps each"],
        ),
        Result(
            name="strategies: our env steps vs FinRL's StockTradingEnv",
            value=finrl_sps,
            unit="steps/s",
            baseline_name="FinRL's StockTradingEnv (same data)",
            baseline_value=stock_sps,
            notes=[f"FinRL's: {ENV_STEPS // 4} steps", "target ≥ 2×"],
        ),
        Result(
            name="strategies: PPO training on our FinRL env",
            value=finrl_tps,
            unit="steps/s",
            baseline_name="PPO on bare env",
            baseline_value=bare_tps,
            notes=[shape, f"{TRAIN_STEPS} timesteps each, 1 torch thread", "target ≥ 0.5×"],
        ),
    ]
