"""What a strategy may ask for: indicator names and hyperparameters, checked before any job runs.

Pure Python: the web process validates specs with this module and never imports the RL stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from strategies.enums import Algorithm

DEFAULT_INDICATORS = ["macd", "boll_ub", "boll_lb", "rsi_30", "cci_30", "dx_30", "close_30_sma", "close_60_sma"]

# stockstats column names FinRL's FeatureEngineer can add (it swallows unknown names with a print, so
# we refuse them up front). Windowed names take a period of 2..250 bars.
_FIXED_INDICATORS = {
    "macd",
    "macds",
    "macdh",
    "boll",
    "boll_ub",
    "boll_lb",
    "kdjk",
    "kdjd",
    "kdjj",
    "atr",
    "adx",
    "adxr",
    "pdi",
    "mdi",
    "dx",
    "trix",
    "tema",
    "vr",
    "mfi",
    "cr",
    "wt1",
    "wt2",
    "supertrend",
    "supertrend_ub",
    "supertrend_lb",
}
_WINDOWED_INDICATOR = re.compile(
    r"^(?:(?P<osc>rsi|cci|dx|wr|atr|adx|kdjk|kdjd|kdjj|mfi|trix|tema|vr|roc|chop|ker)_(?P<n1>\d{1,3})"
    r"|(?P<col>close|open|high|low|volume)_(?P<n2>\d{1,3})_(?P<fn>sma|ema|mstd|mvar|smma))$"
)
MAX_INDICATORS = 16
# Bars an indicator needs before its value is defined (stockstats' windows: MACD 26-day slow EMA + 9-day
# signal, Bollinger 20, KDJ 9, ATR/DMI family 14 smoothed twice, TRIX and TEMA triple 12-day EMAs, VR
# and CR 26, WaveTrend 10 + 21, Supertrend 14). FinRL back-fills these first rows from later ones, so
# they are dropped (warm-up) before any period trades or is measured.
_FIXED_LOOKBACK = {
    "macd": 35,
    "macds": 35,
    "macdh": 35,
    "boll": 20,
    "boll_ub": 20,
    "boll_lb": 20,
    "kdjk": 9,
    "kdjd": 9,
    "kdjj": 9,
    "atr": 14,
    "adx": 28,
    "adxr": 34,
    "pdi": 14,
    "mdi": 14,
    "dx": 14,
    "trix": 36,
    "tema": 36,
    "vr": 26,
    "mfi": 14,
    "cr": 26,
    "wt1": 31,
    "wt2": 35,
    "supertrend": 14,
    "supertrend_ub": 14,
    "supertrend_lb": 14,
}
TURBULENCE_LOOKBACK = 252  # FinRL's turbulence index needs a year of returns


def warmup_bars(indicators: list[str], *, use_turbulence: bool = False) -> int:
    """Trading days before every indicator (and the turbulence index) is defined."""
    bars = 0
    for name in indicators:
        match = _WINDOWED_INDICATOR.match(name)
        if match:
            window = int(match.group("n1") or match.group("n2"))
            osc = match.group("osc")
            bars = max(bars, window * 2 if osc in {"adx", "trix", "tema"} else window)
        else:
            bars = max(bars, _FIXED_LOOKBACK.get(name, 0))
    if use_turbulence:
        bars = max(bars, TURBULENCE_LOOKBACK)
    return bars


MAX_SYMBOLS = 10
MIN_WINDOW, MAX_WINDOW = 2, 250
MAX_LAYERS, MAX_LAYER_SIZE = 4, 1024

# Why a spec is refused (Korean, shown as is in API errors).
INDICATOR_EMPTY = _("지표는 macd나 rsi_30 같은 이름으로 입력해 주세요.")
# Formatted again with name= where they are used: format_lazy puts the placeholder back.
INDICATOR_WINDOW = format_lazy(
    _("{name} 지표의 기간은 {low}봉에서 {high}봉 사이여야 합니다."), name="{name}", low=MIN_WINDOW, high=MAX_WINDOW
)
INDICATOR_UNKNOWN = _(
    "{name!r}은(는) 지원하지 않는 지표입니다. macd, boll_ub, rsi_30, cci_30, close_30_sma 같은 "
    "stockstats 지표 이름을 사용해 주세요."
)
ALGORITHM_UNKNOWN = _("{algorithm!r}은(는) 알 수 없는 알고리즘입니다. {choices} 중에서 선택해 주세요.")
HYPERPARAMETERS_NOT_OBJECT = _('하이퍼파라미터는 {"이름": 값} 형태의 객체로 입력해 주세요.')
HYPERPARAMETER_UNKNOWN = _("{algorithm}에는 {name!r} 하이퍼파라미터가 없습니다(사용 가능: {allowed}).")
HYPERPARAMETER_LAYERS = format_lazy(
    _("{name}은(는) 1~{size} 사이의 층 크기를 1~{layers}개 담은 목록으로 입력해 주세요(예: [64, 64])."),
    name="{name}",
    size=MAX_LAYER_SIZE,
    layers=MAX_LAYERS,
)
HYPERPARAMETER_CHOICES = _("{name}은(는) {choices} 중 하나로 입력해 주세요.")
HYPERPARAMETER_NOT_INT = _("{name}은(는) 정수로 입력해 주세요.")
HYPERPARAMETER_NOT_NUMBER = _("{name}은(는) 숫자로 입력해 주세요.")
HYPERPARAMETER_RANGE = _("{name}은(는) {low:g} 이상 {high:g} 이하로 입력해 주세요.")
PPO_BATCH_TOO_LARGE = _("PPO에서는 batch_size({batch_size})가 n_steps({n_steps})보다 클 수 없습니다.")


def indicator_problem(name: str) -> str | None:
    """Why `name` is not an indicator we support, or None when it is."""
    if not isinstance(name, str) or not name:
        return INDICATOR_EMPTY
    if name in _FIXED_INDICATORS:
        return None
    match = _WINDOWED_INDICATOR.match(name)
    if match:
        window = int(match.group("n1") or match.group("n2"))
        if MIN_WINDOW <= window <= MAX_WINDOW:
            return None
        return INDICATOR_WINDOW.format(name=name)
    return INDICATOR_UNKNOWN.format(name=name)


@dataclass(frozen=True)
class Param:
    kind: type
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


_COMMON: dict[str, Param] = {
    # Environment: the most shares one action may buy or sell per symbol (default: all-in size).
    "hmax": Param(int, 1, 10_000_000),
    "total_timesteps": Param(int, 1, 5_000_000),
    "learning_rate": Param(float, 1e-7, 1.0),
    "gamma": Param(float, 0.0, 1.0),
    "net_arch": Param(list),
}
_ON_POLICY: dict[str, Param] = {
    "n_steps": Param(int, 2, 100_000),
    "ent_coef": Param(float, 0.0, 1.0),
    "gae_lambda": Param(float, 0.0, 1.0),
    "vf_coef": Param(float, 0.0, 10.0),
    "max_grad_norm": Param(float, 0.0, 100.0),
}
_OFF_POLICY: dict[str, Param] = {
    "batch_size": Param(int, 1, 100_000),
    "buffer_size": Param(int, 10, 10_000_000),
    "learning_starts": Param(int, 0, 1_000_000),
    "tau": Param(float, 0.0, 1.0),
    "train_freq": Param(int, 1, 10_000),
    "gradient_steps": Param(int, -1, 10_000),
}
HYPERPARAMETERS: dict[str, dict[str, Param]] = {
    Algorithm.PPO: {
        **_COMMON,
        **_ON_POLICY,
        "batch_size": Param(int, 2, 100_000),
        "n_epochs": Param(int, 1, 100),
        "clip_range": Param(float, 0.0, 1.0),
    },
    Algorithm.A2C: {**_COMMON, **_ON_POLICY},
    Algorithm.DDPG: {**_COMMON, **_OFF_POLICY, "action_noise": Param(str, choices=("normal", "ornstein_uhlenbeck"))},
    Algorithm.TD3: {
        **_COMMON,
        **_OFF_POLICY,
        "action_noise": Param(str, choices=("normal", "ornstein_uhlenbeck")),
        "policy_delay": Param(int, 1, 100),
    },
    Algorithm.SAC: {**_COMMON, **_OFF_POLICY, "ent_coef": Param(str, choices=("auto",))},
}
DEFAULT_TOTAL_TIMESTEPS = 20_000
# Keys that configure the environment or the run rather than the stable-baselines3 model.
NON_MODEL_KEYS = ("hmax", "total_timesteps", "net_arch")


def hyperparameter_problems(algorithm: str, hyperparameters: Any) -> list[str]:
    """Every reason `hyperparameters` do not fit `algorithm` (empty when they do)."""
    if algorithm not in HYPERPARAMETERS:
        return [ALGORITHM_UNKNOWN.format(algorithm=algorithm, choices=", ".join(Algorithm.values))]
    if not isinstance(hyperparameters, dict):
        return [str(HYPERPARAMETERS_NOT_OBJECT)]
    allowed = HYPERPARAMETERS[algorithm]
    problems: list[str] = []
    for name, value in hyperparameters.items():
        param = allowed.get(name)
        if param is None:
            problems.append(
                HYPERPARAMETER_UNKNOWN.format(algorithm=algorithm, name=name, allowed=", ".join(sorted(allowed)))
            )
            continue
        if param.kind is list:
            if not (
                isinstance(value, list)
                and 1 <= len(value) <= MAX_LAYERS
                and all(_is_int(v) and 1 <= v <= MAX_LAYER_SIZE for v in value)
            ):
                problems.append(HYPERPARAMETER_LAYERS.format(name=name))
            continue
        if param.choices:
            if value not in param.choices:
                problems.append(HYPERPARAMETER_CHOICES.format(name=name, choices=", ".join(param.choices)))
            continue
        if param.kind is int and not _is_int(value):
            problems.append(HYPERPARAMETER_NOT_INT.format(name=name))
            continue
        if param.kind is float and not (_is_int(value) or isinstance(value, float)):
            problems.append(HYPERPARAMETER_NOT_NUMBER.format(name=name))
            continue
        if (param.low is not None and value < param.low) or (param.high is not None and value > param.high):
            problems.append(HYPERPARAMETER_RANGE.format(name=name, low=param.low, high=param.high))
    if algorithm == Algorithm.PPO and not problems:
        n_steps = hyperparameters.get("n_steps", 2048)
        batch_size = hyperparameters.get("batch_size", 64)
        if batch_size > n_steps:
            problems.append(PPO_BATCH_TOO_LARGE.format(batch_size=batch_size, n_steps=n_steps))
    return problems


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
