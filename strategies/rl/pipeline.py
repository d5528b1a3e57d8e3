"""Candles → FinRL features → StockTradingEnv → stable-baselines3 agent, and back out as results.

Imported only by worker code (tasks, the worker command, benchmarks): it pulls in torch.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from finrl.agents.stablebaselines3.models import MODELS, DRLAgent
from finrl.meta.env_stock_trading.env_stocktrading import StockTradingEnv
from finrl.meta.preprocessor.preprocessors import FeatureEngineer, data_split
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

from strategies.specs import DEFAULT_TOTAL_TIMESTEPS, NON_MODEL_KEYS

# Defaults sized for daily bars over a few years on a CPU; a strategy's hyperparameters override them.
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "PPO": {"n_steps": 512, "batch_size": 64, "n_epochs": 10, "learning_rate": 3e-4, "ent_coef": 0.01},
    "A2C": {"n_steps": 16, "learning_rate": 7e-4, "ent_coef": 0.01},
    "DDPG": {"batch_size": 128, "buffer_size": 100_000, "learning_rate": 1e-3, "learning_starts": 200},
    "TD3": {"batch_size": 128, "buffer_size": 100_000, "learning_rate": 1e-3, "learning_starts": 200},
    "SAC": {"batch_size": 128, "buffer_size": 100_000, "learning_rate": 3e-4, "learning_starts": 200},
}
TURBULENCE_QUANTILE = 0.99
# Progress (and the cancel check that comes with it) at least this often, in timesteps.
REPORT_EVERY_MAX = 1024
ProgressReport = Callable[[int, int, float], None]


@dataclass
class EnvSpec:
    """Everything needed to rebuild the agent's environment and observation; stored with the model."""

    algorithm: str
    symbols: list[str]
    indicators: list[str]
    initial_cash: float
    hmax: int
    buy_cost: list[float]  # per symbol: commission
    sell_cost: list[float]  # per symbol: commission + transaction tax
    reward_scaling: float
    turbulence_threshold: float | None = None
    use_turbulence: bool = False

    @property
    def state_space(self) -> int:
        return 1 + 2 * len(self.symbols) + len(self.indicators) * len(self.symbols)


@dataclass
class Episode:
    dates: list[str]
    equity: list[float]
    trades: list[dict[str, Any]] = field(default_factory=list)


def engineer_features(candles: pd.DataFrame, *, indicators: list[str], use_turbulence: bool) -> pd.DataFrame:
    """FinRL FeatureEngineer over candles in FinRL's layout (date, tic, open, high, low, close, volume)."""
    engineer = FeatureEngineer(
        use_technical_indicator=True,
        tech_indicator_list=list(indicators),
        use_vix=False,
        use_turbulence=use_turbulence,
        user_defined_feature=False,
    )
    with contextlib.redirect_stdout(io.StringIO()):
        processed = engineer.preprocess_data(candles)
    missing = [name for name in indicators if name not in processed.columns]
    if missing:
        raise ValueError(f"stockstats could not compute {', '.join(missing)} on these candles.")
    columns = list(indicators) + (["turbulence"] if use_turbulence else [])
    processed[columns] = processed[columns].replace([np.inf, -np.inf], np.nan).fillna(0.0)
    return processed


def split(frame: pd.DataFrame, start: str, end_inclusive: str) -> pd.DataFrame:
    """Rows with start <= date <= end, indexed by trading day as StockTradingEnv expects."""
    end_exclusive = (pd.Timestamp(end_inclusive) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return data_split(frame, start, end_exclusive)


def default_hmax(frame: pd.DataFrame, *, initial_cash: float, symbols: int) -> int:
    """Shares one action may move: enough to put an equal share of the cash into a median-priced symbol."""
    return max(1, int(initial_cash / symbols / float(frame["close"].median())))


def turbulence_threshold(frame: pd.DataFrame) -> float:
    values = frame.drop_duplicates("date")["turbulence"]
    return float(np.quantile(values, TURBULENCE_QUANTILE))


class KRXStockTradingEnv(StockTradingEnv):
    """FinRL's StockTradingEnv, trading logic untouched, with its per-day state lookups served from arrays.

    FinRL rebuilds the state from pandas on every step (a column lookup per indicator, a `unique()`
    over all rows for the date); that is most of a step's time. The values are the same.
    """

    def __init__(self, df: pd.DataFrame, **kwargs: Any) -> None:
        count = kwargs["stock_dim"]
        days = len(df.index.unique())
        if len(df) != days * count:
            raise ValueError("Every trading day needs one row per symbol.")
        self._closes = df["close"].to_numpy(dtype=float).reshape(days, count)
        indicators = kwargs["tech_indicator_list"]
        self._indicators = (
            np.concatenate([df[name].to_numpy(dtype=float).reshape(days, count) for name in indicators], axis=1)
            if indicators
            else np.zeros((days, 0))
        )
        self._dates = df["date"].to_numpy().reshape(days, count)[:, 0]
        super().__init__(df=df, **kwargs)

    def _initiate_state(self) -> list[float]:
        if not self.initial:
            return super()._initiate_state()
        return (
            [self.initial_amount]
            + self._closes[self.day].tolist()
            + list(self.num_stock_shares)
            + self._indicators[self.day].tolist()
        )

    def _update_state(self) -> list[float]:
        holdings = list(self.state[(self.stock_dim + 1) : (self.stock_dim * 2 + 1)])
        return [self.state[0]] + self._closes[self.day].tolist() + holdings + self._indicators[self.day].tolist()

    def _get_date(self) -> str:
        return self._dates[self.day]


def make_env(frame: pd.DataFrame, spec: EnvSpec, *, env_class: type[StockTradingEnv] | None = None) -> StockTradingEnv:
    count = len(spec.symbols)
    return (env_class or KRXStockTradingEnv)(
        df=frame,
        stock_dim=count,
        hmax=spec.hmax,
        initial_amount=spec.initial_cash,
        num_stock_shares=[0] * count,
        buy_cost_pct=list(spec.buy_cost),
        sell_cost_pct=list(spec.sell_cost),
        reward_scaling=spec.reward_scaling,
        state_space=spec.state_space,
        action_space=count,
        tech_indicator_list=list(spec.indicators),
        turbulence_threshold=spec.turbulence_threshold if spec.use_turbulence else None,
        print_verbosity=10**9,
    )


class ProgressCallback(BaseCallback):
    """Reports (timesteps done, total, mean recent reward) every `every` steps; `report` may raise to stop."""

    def __init__(self, *, total: int, report: ProgressReport, every: int) -> None:
        super().__init__(verbose=0)
        self.total = total
        self.report = report
        self.every = max(1, every)
        self.recent: deque[float] = deque(maxlen=256)
        self._last_report = 0

    def _on_step(self) -> bool:
        self.recent.append(float(np.mean(self.locals["rewards"])))
        if self.num_timesteps - self._last_report >= self.every:
            self._last_report = self.num_timesteps
            self.report(min(self.num_timesteps, self.total), self.total, float(np.mean(self.recent)))
        return True


def _seed_everything(seed: int) -> None:
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - stable-baselines3 also seeds the global generators


def train(
    frame: pd.DataFrame,
    spec: EnvSpec,
    *,
    hyperparameters: dict[str, Any],
    seed: int,
    report: ProgressReport | None = None,
    report_every: int | None = None,
) -> TrainedAgent:
    """Train `spec.algorithm` on `frame` (one FinRL split). Deterministic for a given seed and data."""
    _seed_everything(seed)
    total = int(hyperparameters.get("total_timesteps", DEFAULT_TOTAL_TIMESTEPS))
    model_kwargs = {**MODEL_DEFAULTS[spec.algorithm]}
    model_kwargs.update({k: v for k, v in hyperparameters.items() if k not in NON_MODEL_KEYS})
    policy_kwargs = {"net_arch": list(hyperparameters["net_arch"])} if "net_arch" in hyperparameters else None
    env = make_env(frame, spec)
    vec_env = VecNormalize(DummyVecEnv([lambda: env]), norm_obs=True, norm_reward=False, clip_obs=10.0)
    agent = DRLAgent(env=vec_env)
    with contextlib.redirect_stdout(io.StringIO()):  # get_model prints its kwargs
        model = agent.get_model(
            spec.algorithm.lower(), model_kwargs=model_kwargs, policy_kwargs=policy_kwargs, seed=seed, verbose=0
        )
    callbacks = []
    if report is not None:
        callbacks.append(
            ProgressCallback(
                total=total, report=report, every=report_every or min(max(1, total // 20), REPORT_EVERY_MAX)
            )
        )
    model.learn(total_timesteps=total, callback=callbacks or None, progress_bar=False)
    return TrainedAgent(
        model=model,
        spec=spec,
        obs_mean=np.asarray(vec_env.obs_rms.mean, dtype=np.float64),
        obs_var=np.asarray(vec_env.obs_rms.var, dtype=np.float64),
        clip_obs=float(vec_env.clip_obs),
        epsilon=float(vec_env.epsilon),
        timesteps=total,
    )


@dataclass
class TrainedAgent:
    model: Any
    spec: EnvSpec
    obs_mean: np.ndarray
    obs_var: np.ndarray
    clip_obs: float
    epsilon: float
    timesteps: int = 0

    def normalize(self, state: Any) -> np.ndarray:
        obs = np.asarray(state, dtype=np.float64)
        scaled = (obs - self.obs_mean) / np.sqrt(self.obs_var + self.epsilon)
        return np.clip(scaled, -self.clip_obs, self.clip_obs).astype(np.float32)

    def act(self, state: Any) -> np.ndarray:
        action, _ = self.model.predict(self.normalize(state), deterministic=True)
        return np.asarray(action, dtype=np.float32)

    def save(self, path: Path) -> str:
        """Write the model bundle atomically; returns its sha256."""
        model_bytes = io.BytesIO()
        self.model.save(model_bytes)
        normalizer = {
            "mean": self.obs_mean.tolist(),
            "var": self.obs_var.tolist(),
            "clip_obs": self.clip_obs,
            "epsilon": self.epsilon,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, payload in (
                ("model.zip", model_bytes.getvalue()),
                ("normalizer.json", json.dumps(normalizer).encode()),
                ("spec.json", json.dumps({**asdict(self.spec), "timesteps": self.timesteps}).encode()),
            ):
                info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))  # fixed stamp: same bytes, same hash
                bundle.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp_name, path)
        return file_sha256(path)

    @classmethod
    def load(cls, path: Path, *, sha256: str) -> TrainedAgent:
        actual = file_sha256(path)
        if actual != sha256:
            raise ValueError(f"The model file {path.name} does not match its checksum; it was changed or damaged.")
        with zipfile.ZipFile(path) as bundle:
            spec_data = json.loads(bundle.read("spec.json"))
            normalizer = json.loads(bundle.read("normalizer.json"))
            model_bytes = io.BytesIO(bundle.read("model.zip"))
        timesteps = spec_data.pop("timesteps", 0)
        spec = EnvSpec(**spec_data)
        model = MODELS[spec.algorithm.lower()].load(model_bytes, device="cpu")
        return cls(
            model=model,
            spec=spec,
            obs_mean=np.asarray(normalizer["mean"]),
            obs_var=np.asarray(normalizer["var"]),
            clip_obs=normalizer["clip_obs"],
            epsilon=normalizer["epsilon"],
            timesteps=timesteps,
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_episode(env: StockTradingEnv, act: Callable[[np.ndarray], np.ndarray]) -> Episode:
    """Step `env` from its first to its last day with `act`, recording equity and the fills it made."""
    count = env.stock_dim
    symbols = _symbols(env)
    state, _ = env.reset()
    trades: list[dict[str, Any]] = []
    while True:
        date = str(env._get_date())
        prices = np.asarray(state[1 : 1 + count], dtype=float)
        before = np.asarray(state[1 + count : 1 + 2 * count], dtype=float)
        state, _, terminal, _, _ = env.step(np.asarray(act(np.asarray(state, dtype=np.float64))))
        if terminal:
            break
        after = np.asarray(state[1 + count : 1 + 2 * count], dtype=float)
        for i, delta in enumerate(after - before):
            if delta == 0:
                continue
            side = "buy" if delta > 0 else "sell"
            rate = env.buy_cost_pct[i] if delta > 0 else env.sell_cost_pct[i]
            quantity = int(abs(delta))
            trades.append(
                {
                    "date": date,
                    "symbol": symbols[i],
                    "side": side,
                    "quantity": quantity,
                    "price": float(prices[i]),
                    "cost": float(quantity * prices[i] * rate),
                }
            )
    return Episode(dates=[str(d) for d in env.date_memory], equity=[float(v) for v in env.asset_memory], trades=trades)


def _symbols(env: StockTradingEnv) -> list[str]:
    first_day = env.df.loc[0, :]
    if isinstance(first_day, pd.Series):
        return [str(first_day["tic"])]
    return [str(t) for t in first_day["tic"].tolist()]


def closes_by_date(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot_table(index="date", columns="tic", values="close").sort_index()
