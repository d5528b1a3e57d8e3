"""Candles → FinRL features → StockTradingEnv → stable-baselines3 agent, and back out as results.

Imported only by worker code (tasks, the worker command, benchmarks): it pulls in torch.
"""

from __future__ import annotations

import contextlib
import copy
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

import gymnasium as gym
import numpy as np
import pandas as pd
import torch
from django.utils.translation import gettext_lazy as _
from finrl.agents.stablebaselines3.models import MODELS, DRLAgent
from finrl.meta.env_stock_trading.env_stocktrading import StockTradingEnv
from finrl.meta.preprocessor.preprocessors import FeatureEngineer, data_split
from gymnasium import spaces
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

from strategies import execution as execution_model
from strategies.specs import DEFAULT_TOTAL_TIMESTEPS, NON_MODEL_KEYS

# Why a run failed, as its `error` tells the user (Korean, shown as is).
INDICATORS_NOT_COMPUTED = _("이 일봉으로는 {names} 지표를 계산할 수 없습니다(stockstats).")
ROWS_PER_DAY = _("거래일마다 종목별 일봉이 하나씩 있어야 합니다.")
MODEL_CHECKSUM = _("모델 파일 {name}이(가) 저장된 체크섬과 맞지 않습니다. 파일이 바뀌었거나 손상되었습니다.")

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
    sell_cost: list[float]  # per symbol: commission + transaction tax (used when `markets` is empty)
    reward_scaling: float
    turbulence_threshold: float | None = None
    use_turbulence: bool = False
    markets: list[str] = field(default_factory=list)  # per symbol: KOSPI | KOSDAQ | KONEX, for the dated tax
    execution: str = execution_model.EXECUTION_OPEN
    spread_ticks: float = execution_model.DEFAULT_SPREAD_TICKS
    impact: float = execution_model.DEFAULT_IMPACT

    @property
    def state_space(self) -> int:
        return 1 + 2 * len(self.symbols) + len(self.indicators) * len(self.symbols)

    @property
    def slippage(self) -> execution_model.Slippage:
        return execution_model.Slippage(spread_ticks=self.spread_ticks, impact=self.impact)


@dataclass
class Episode:
    dates: list[str]
    equity: list[float]
    trades: list[dict[str, Any]] = field(default_factory=list)
    invested: list[float] = field(default_factory=list)
    actions: list[list[float]] = field(default_factory=list)  # the decision of each day but the last


def engineer_features(candles: pd.DataFrame, *, indicators: list[str], use_turbulence: bool) -> pd.DataFrame:
    """FinRL FeatureEngineer over candles in FinRL's layout (date, tic, open, high, low, close, volume).

    FinRL back-fills the first rows of an indicator from its first defined value (a look-ahead):
    those rows lie in the warm-up (specs.warmup_bars) that every period drops before trading.
    """
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
        raise ValueError(INDICATORS_NOT_COMPUTED.format(names=", ".join(missing)))
    columns = list(indicators) + (["turbulence"] if use_turbulence else [])
    processed[columns] = processed[columns].replace([np.inf, -np.inf], np.nan).fillna(0.0)
    return processed


def split(frame: pd.DataFrame, start: str, end_inclusive: str) -> pd.DataFrame:
    """Rows with start <= date <= end, indexed by trading day as StockTradingEnv expects."""
    end_exclusive = (pd.Timestamp(end_inclusive) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return data_split(frame, start, end_exclusive)


def after_warmup(frame: pd.DataFrame, warmup: int) -> pd.DataFrame:
    """`frame` without its first `warmup` trading days (indicators not yet defined), reindexed by day."""
    dates = sorted(frame["date"].unique())
    kept = frame[frame["date"].isin(dates[warmup:])].sort_values(["date", "tic"], ignore_index=True)
    kept.index = kept["date"].factorize()[0]
    return kept


def default_hmax(frame: pd.DataFrame, *, initial_cash: float, symbols: int) -> int:
    """Shares one action may move: enough to put an equal share of the cash into a median-priced symbol."""
    return max(1, int(initial_cash / symbols / float(frame["close"].median())))


def turbulence_threshold(frame: pd.DataFrame) -> float:
    values = frame.drop_duplicates("date")["turbulence"]
    return float(np.quantile(values, TURBULENCE_QUANTILE))


def _matrix(frame: pd.DataFrame, column: str, days: int, count: int) -> np.ndarray:
    return frame[column].to_numpy(dtype=float).reshape(days, count)


def market_data(frame: pd.DataFrame, spec: EnvSpec) -> execution_model.MarketData:
    """The period's prices, volumes and cost rates as the execution model's arrays."""
    count = len(spec.symbols)
    days = len(frame) // count
    if len(frame) != days * count:
        raise ValueError(ROWS_PER_DAY)
    dates = [str(d) for d in frame["date"].to_numpy().reshape(days, count)[:, 0]]
    closes = _matrix(frame, "close", days, count)
    fills = closes if spec.execution == execution_model.EXECUTION_CLOSE else _matrix(frame, "open", days, count)
    if spec.markets:
        from strategies.costs import sell_rate_table  # Django settings: the orders app's dated tax table

        sell_rates = sell_rate_table(dates=dates, markets=spec.markets, commission=float(spec.buy_cost[0]))
    else:
        sell_rates = np.tile(np.asarray(spec.sell_cost, dtype=float), (days, 1))
    return execution_model.MarketData(
        dates=dates,
        symbols=list(spec.symbols),
        closes=closes,
        fills=fills,
        volumes=_matrix(frame, "volume", days, count),
        buy_rates=np.asarray(spec.buy_cost, dtype=float),
        sell_rates=sell_rates,
        slippage=spec.slippage,
    )


class KRXStockTradingEnv(gym.Env):
    """FinRL's stock-trading MDP (state [cash, closes, holdings, indicators], actions in [-1, 1] × hmax
    shares per symbol, reward = change of equity × reward_scaling, the turbulence guard) with KRX
    execution: the action decided on day t's close fills on day t+1 (strategies.execution).

    The turbulence guard: on a day whose turbulence is at or above the threshold the agent's action is
    replaced by selling everything, and nothing is bought.
    """

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, df: pd.DataFrame, spec: EnvSpec, *, start: execution_model.Book | None = None) -> None:
        self.spec = spec
        self.data = market_data(df, spec)
        # Where an episode starts: cash only (the spec's initial cash), or a book carried over from an
        # earlier period (a walk-forward window continuing from the one before it).
        self._start = start
        count, days = len(spec.symbols), self.data.days
        self.stock_dim = count
        self.hmax = spec.hmax
        self.reward_scaling = spec.reward_scaling
        self._indicators = (
            np.concatenate([_matrix(df, name, days, count) for name in spec.indicators], axis=1)
            if spec.indicators
            else np.zeros((days, 0))
        )
        self._turbulence = (
            df["turbulence"].to_numpy(dtype=float).reshape(days, count)[:, 0]
            if spec.use_turbulence and spec.turbulence_threshold is not None
            else None
        )
        self.observation_space = spaces.Box(low=-np.inf, high=np.inf, shape=(spec.state_space,))
        self.action_space = spaces.Box(low=-1, high=1, shape=(count,))
        self.day = 0
        self.book = self._starting_book()
        self._reset_memory()

    def _starting_book(self) -> execution_model.Book:
        if self._start is None:
            return execution_model.Book(cash=self.spec.initial_cash, holdings=np.zeros(self.stock_dim, dtype=np.int64))
        return execution_model.Book(cash=float(self._start.cash), holdings=np.array(self._start.holdings, np.int64))

    def _reset_memory(self) -> None:
        closes = self.data.closes[0]
        self.asset_memory = [self.book.value(closes)]
        self.date_memory = [self.data.dates[0]]
        self.invested_memory = [float(np.dot(self.book.holdings, closes))]
        self.actions_memory: list[list[float]] = []
        self.trades: list[dict[str, Any]] = []

    def _state(self) -> np.ndarray:
        return np.concatenate(
            ([self.book.cash], self.data.closes[self.day], self.book.holdings, self._indicators[self.day])
        )

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.day = 0
        self.book = self._starting_book()
        self._reset_memory()
        return self._state(), {}

    def guarded(self, day: int | None = None) -> bool:
        """The turbulence guard is on for the decision of `day` (default: today)."""
        day = self.day if day is None else day
        return self._turbulence is not None and self._turbulence[day] >= self.spec.turbulence_threshold

    def step(self, actions: np.ndarray):
        if self.day >= self.data.days - 1:
            return self._state(), 0.0, True, False, {}
        before = self.book.value(self.data.closes[self.day])
        guarded = self.guarded()
        orders = order_shares(actions, hmax=self.hmax, holdings=self.book.holdings, guarded=guarded)
        self.actions_memory.append([float(a) for a in np.asarray(actions).ravel()])
        self.day += 1  # the decision of yesterday's close fills today
        self.trades.extend(
            execution_model.execute(self.book, orders, day=self.day, data=self.data, allow_buys=not guarded)
        )
        closes = self.data.closes[self.day]
        after = self.book.value(closes)
        self.asset_memory.append(after)
        self.date_memory.append(self.data.dates[self.day])
        self.invested_memory.append(float(np.dot(self.book.holdings, closes)))
        terminal = self.day >= self.data.days - 1
        return self._state(), float((after - before) * self.reward_scaling), terminal, False, {}


def order_shares(actions: np.ndarray, *, hmax: int, holdings: np.ndarray, guarded: bool) -> np.ndarray:
    """Signed whole shares for an action in [-1, 1]^n (× hmax, truncated toward zero, as FinRL does);
    under the turbulence guard: sell everything held. Shared by the environment and live deployment."""
    if guarded:
        return -np.asarray(holdings, dtype=np.int64)
    return (np.clip(np.asarray(actions, dtype=float).ravel(), -1.0, 1.0) * hmax).astype(np.int64)


def make_env(frame: pd.DataFrame, spec: EnvSpec, *, start: execution_model.Book | None = None) -> KRXStockTradingEnv:
    return KRXStockTradingEnv(frame, spec, start=start)


def finrl_env(frame: pd.DataFrame, spec: EnvSpec) -> StockTradingEnv:
    """FinRL's own StockTradingEnv on the same data and sizes (same-bar execution): the bench's reference."""
    count = len(spec.symbols)
    return StockTradingEnv(
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


def training_device() -> str:
    """A CUDA device when one is present, else the CPU (inference always runs on the CPU)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


VALIDATION_EVALUATIONS = 5  # evaluations over the validation period during training
VALIDATION_PATIENCE = 2  # evaluations without improvement before training stops early


class ValidationCallback(BaseCallback):
    """Early stopping that sees the validation period only: every `every` timesteps the current policy
    runs the validation episode; the best one (by final equity) is kept, and training stops after
    `patience` evaluations without improvement."""

    def __init__(self, *, frame: pd.DataFrame, spec: EnvSpec, vec_env: VecNormalize, every: int) -> None:
        super().__init__(verbose=0)
        self.frame, self.spec, self.vec_env, self.every = frame, spec, vec_env, max(1, every)
        self.best_equity = -np.inf
        self.best_state: dict[str, Any] | None = None
        self.best_obs: tuple[np.ndarray, np.ndarray] | None = None
        self.best_timesteps = 0
        self.history: list[dict[str, float]] = []
        self.stale = 0
        self._last = 0

    def evaluate(self) -> bool:
        mean, var = np.array(self.vec_env.obs_rms.mean), np.array(self.vec_env.obs_rms.var)
        agent = TrainedAgent(
            self.model, self.spec, mean, var, float(self.vec_env.clip_obs), float(self.vec_env.epsilon)
        )
        episode = run_episode(make_env(self.frame, self.spec), agent.act)
        final = episode.equity[-1]
        self.history.append({"timesteps": int(self.num_timesteps), "final_equity": round(final, 2)})
        if final > self.best_equity:
            self.best_equity, self.best_timesteps, self.stale = final, int(self.num_timesteps), 0
            self.best_state = copy.deepcopy(self.model.policy.state_dict())
            self.best_obs = (mean, var)
            return True
        self.stale += 1
        return self.stale < VALIDATION_PATIENCE

    def _on_step(self) -> bool:
        if self.num_timesteps - self._last >= self.every:
            self._last = self.num_timesteps
            return self.evaluate()
        return True


def train(
    frame: pd.DataFrame,
    spec: EnvSpec,
    *,
    hyperparameters: dict[str, Any],
    seed: int,
    report: ProgressReport | None = None,
    report_every: int | None = None,
    validation: pd.DataFrame | None = None,
) -> TrainedAgent:
    """Train `spec.algorithm` on `frame`; with a `validation` period, stop early on it and keep the
    policy that did best there. Deterministic for a given seed and data on one device."""
    _seed_everything(seed)
    total = int(hyperparameters.get("total_timesteps", DEFAULT_TOTAL_TIMESTEPS))
    device = training_device()
    model_kwargs = {**MODEL_DEFAULTS[spec.algorithm], "device": device}
    model_kwargs.update({k: v for k, v in hyperparameters.items() if k not in NON_MODEL_KEYS})
    policy_kwargs = {"net_arch": list(hyperparameters["net_arch"])} if "net_arch" in hyperparameters else None
    env = make_env(frame, spec)
    vec_env = VecNormalize(DummyVecEnv([lambda: env]), norm_obs=True, norm_reward=False, clip_obs=10.0)
    agent = DRLAgent(env=vec_env)
    with contextlib.redirect_stdout(io.StringIO()):  # get_model prints its kwargs
        model = agent.get_model(
            spec.algorithm.lower(), model_kwargs=model_kwargs, policy_kwargs=policy_kwargs, seed=seed, verbose=0
        )
    callbacks: list[BaseCallback] = []
    if report is not None:
        callbacks.append(
            ProgressCallback(
                total=total, report=report, every=report_every or min(max(1, total // 20), REPORT_EVERY_MAX)
            )
        )
    validator = None
    if validation is not None:
        validator = ValidationCallback(
            frame=validation, spec=spec, vec_env=vec_env, every=max(1, total // VALIDATION_EVALUATIONS)
        )
        callbacks.append(validator)
    model.learn(total_timesteps=total, callback=callbacks or None, progress_bar=False)
    obs_mean, obs_var = np.asarray(vec_env.obs_rms.mean, np.float64), np.asarray(vec_env.obs_rms.var, np.float64)
    early_stopping: dict[str, Any] | None = None
    if validator is not None:
        validator.evaluate()  # the policy as it ended, too
        if validator.best_state is not None:
            model.policy.load_state_dict(validator.best_state)
            obs_mean, obs_var = validator.best_obs
        early_stopping = {
            "kept_timesteps": validator.best_timesteps,
            "trained_timesteps": int(model.num_timesteps),
            "evaluations": validator.history,
        }
    return TrainedAgent(
        model=model,
        spec=spec,
        obs_mean=np.asarray(obs_mean, dtype=np.float64),
        obs_var=np.asarray(obs_var, dtype=np.float64),
        clip_obs=float(vec_env.clip_obs),
        epsilon=float(vec_env.epsilon),
        timesteps=int(model.num_timesteps),
        device=device,
        early_stopping=early_stopping,
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
    device: str = "cpu"
    early_stopping: dict[str, Any] | None = None

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
        self.model.save(model_bytes, exclude=["start_time"])  # a wall-clock stamp: would change the hash
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
                ("model.zip", _fixed_stamps(model_bytes.getvalue())),
                ("normalizer.json", json.dumps(normalizer).encode()),
                ("spec.json", json.dumps({**asdict(self.spec), "timesteps": self.timesteps}).encode()),
            ):
                info = zipfile.ZipInfo(name, date_time=FIXED_STAMP)  # fixed stamp: same bytes, same hash
                bundle.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp_name, path)
        return file_sha256(path)

    @classmethod
    def load(cls, path: Path, *, sha256: str) -> TrainedAgent:
        actual = file_sha256(path)
        if actual != sha256:
            raise ValueError(MODEL_CHECKSUM.format(name=path.name))
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


FIXED_STAMP = (2000, 1, 1, 0, 0, 0)


def _fixed_stamps(archive: bytes) -> bytes:
    """stable-baselines3's zip with every entry's time set to one fixed stamp: same model, same bytes."""
    source, target = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with source, zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as rewritten:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_STAMP)
            rewritten.writestr(info, source.read(entry), compress_type=zipfile.ZIP_DEFLATED)
    return target.getvalue()


def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of candles (date, tic, OHLCV) in date and ticker order: the run's data fingerprint."""
    ordered = frame[["date", "tic", "open", "high", "low", "close", "volume"]].sort_values(["date", "tic"])
    return hashlib.sha256(ordered.to_csv(index=False, float_format="%.6f").encode()).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_episode(env: KRXStockTradingEnv, act: Callable[[np.ndarray], np.ndarray]) -> Episode:
    """Step `env` from its first to its last day with `act`, recording equity, holdings and fills."""
    state, _ = env.reset()
    terminal = env.data.days <= 1
    while not terminal:
        state, _, terminal, _, _ = env.step(np.asarray(act(np.asarray(state, dtype=np.float64))))
    return Episode(
        dates=list(env.date_memory),
        equity=[float(v) for v in env.asset_memory],
        trades=list(env.trades),
        invested=list(env.invested_memory),
        actions=list(env.actions_memory),
    )


def closes_by_date(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.pivot_table(index="date", columns="tic", values="close").sort_index()
