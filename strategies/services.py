"""Every write to strategies, their runs and deployments.

Never imports the RL stack: training and backtests run in the worker (strategies/rl/), queued from here.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from config.exceptions import Conflict, DomainError, NotFound
from jobs import services as job_services
from market.clock import market_clock
from market.models import Symbol
from strategies import data, walkforward
from strategies.costs import commission_rate, cost_rates
from strategies.enums import FINISHED_RUN_STATUSES, Algorithm, Execution, RunKind, RunStatus, WalkForwardTraining
from strategies.execution import DEFAULT_IMPACT, DEFAULT_SPREAD_TICKS
from strategies.models import Deployment, Strategy, StrategyRun
from strategies.specs import (
    DEFAULT_INDICATORS,
    MAX_INDICATORS,
    MAX_SYMBOLS,
    hyperparameter_problems,
    indicator_problem,
)

# Job and deployment states a user sees.
WAITING_TRAINER = _("학습 작업자를 기다리는 중입니다.")
WAITING_WORKER = _("작업자를 기다리는 중입니다.")
DEPLOYED = _("배포했습니다.")
STOPPED = _("배포를 중지했습니다.")

MIN_TRAIN_BARS = 30
MIN_TEST_BARS = 10
MIN_VALIDATION_BARS = 10
MIN_INITIAL_CASH = 100_000
# What the strategies app tells people (Korean, shown as is; docs/api.md "strategies").
NO_SYMBOLS = _("종목을 하나 이상 선택해 주세요.")
TOO_MANY_SYMBOLS = format_lazy(_("전략 하나에는 종목을 최대 {limit}개까지 담을 수 있습니다."), limit=MAX_SYMBOLS)
UNKNOWN_SYMBOLS = _("{codes} 종목을 찾을 수 없습니다.")
BAD_DATE = _("{field}에는 2024-01-31 형식의 날짜를 입력해 주세요.")
TRAIN_PERIOD_ORDER = _("학습 기간의 시작일은 종료일보다 앞서야 합니다.")
TEST_PERIOD_ORDER = _("테스트 기간의 시작일은 종료일보다 앞서야 합니다.")
PERIODS_OVERLAP = _("테스트 기간은 학습 기간이 끝난 뒤에 시작해야 합니다(두 기간은 겹칠 수 없습니다).")
# A plain msgid (gettext_noop), translated by DomainError when raised.
VALIDATION_BOTH = gettext_noop("검증 기간은 시작일과 종료일을 모두 입력하거나 모두 비워 주세요.")
VALIDATION_BETWEEN = _(
    "검증 기간은 학습 기간이 끝난 뒤에 시작하고 테스트 기간이 시작되기 전에 끝나야 하며, "
    "시작일이 종료일보다 늦을 수 없습니다."
)
# Period names for the data checks below ({period} 기간).
PERIOD_TRAIN = pgettext_lazy("period", "학습")
PERIOD_VALIDATION = pgettext_lazy("period", "검증")
PERIOD_TEST = pgettext_lazy("period", "테스트")
NO_CANDLES = _("{period} 기간({start} ~ {end})에 {codes} 종목의 일봉이 없습니다. 먼저 일봉을 불러와 주세요.")
TOO_FEW_DAYS = _(
    "{period} 기간({start} ~ {end})에 모든 종목의 일봉이 있는 거래일은 {count:,}일이지만, "
    "최소 {minimum:,}거래일이 필요합니다."
)
BAD_EXECUTION = _(
    "체결 시점(execution)은 open(다음 거래일 시가 단일가매매) 또는 close(다음 거래일 종가 단일가매매)입니다."
)
BAD_SPREAD = _("스프레드(spread_ticks: 평소 매수·매도 호가 차이, 호가단위 수)는 0에서 20 사이로 입력해 주세요.")
BAD_IMPACT = _("시장충격(impact)은 0에서 10 사이로 입력해 주세요.")
UNKNOWN_ALGORITHM = format_lazy(
    _("알 수 없는 알고리즘입니다. {choices} 중에서 선택해 주세요."), choices=", ".join(Algorithm.values)
)
INDICATORS_NOT_LIST = _('지표는 이름의 목록으로 입력해 주세요(예: ["macd", "rsi_30"]).')
TOO_MANY_INDICATORS = format_lazy(_("지표는 최대 {limit}개까지 사용할 수 있습니다."), limit=MAX_INDICATORS)
INDICATOR_REPEATED = _("{names} 지표가 두 번 이상 들어 있습니다. 같은 지표는 한 번만 넣어 주세요.")
INITIAL_CASH_TOO_LOW = format_lazy(_("초기 자금은 {minimum:,}원 이상으로 입력해 주세요."), minimum=MIN_INITIAL_CASH)
CANNOT_CHANGE = _("{fields} 항목은 변경할 수 없습니다.")
TEST_ALREADY_REPORTED = _(
    "이 모델로는 이미 테스트 기간을 백테스트했습니다. 테스트 기간을 다시 보려면 먼저 검증 기간으로 조정해 "
    "다시 학습해 주세요."
)
NOT_TRAINED = _("백테스트하거나 배포하려면 먼저 전략을 학습해 주세요.")
RUN_IN_PROGRESS = _("이 전략의 실행이 아직 진행 중입니다. 끝날 때까지 기다리거나 그 작업을 취소해 주세요.")
RUN_FINISHED = _("이 실행은 이미 끝났습니다.")
ALREADY_DEPLOYED = _("이 전략은 이미 배포되어 있습니다. 먼저 배포를 중지해 주세요.")
NOT_DEPLOYED = _("이 전략은 배포되어 있지 않습니다.")
DEPLOYED_NO_EDIT = _("전략을 변경하려면 먼저 배포를 중지해 주세요.")
ACCOUNT_NOT_FOUND = _("계좌를 찾을 수 없습니다.")
BAD_WALK_FORWARD_MONTHS = format_lazy(
    _(
        "워크포워드 간격(walk_forward_months)은 {low}개월에서 {high}개월 사이로 "
        "입력하거나, 워크포워드를 쓰지 않으려면 비워 주세요."
    ),
    low=walkforward.MIN_MONTHS,
    high=walkforward.MAX_MONTHS,
)
BAD_WALK_FORWARD_TRAINING = _(
    "워크포워드 학습 창(walk_forward_training)은 rolling(같은 길이로 옮겨 감) 또는 expanding(시작일 고정)입니다."
)
WALK_FORWARD_OFF = _("워크포워드를 실행하려면 먼저 재학습 간격(walk_forward_months)을 정해 주세요.")
# Formatted again with months= where it is raised: format_lazy puts the placeholder back.
TOO_MANY_WINDOWS = format_lazy(
    _("테스트 기간을 {months}개월씩 나누면 구간이 {limit}개를 넘습니다. 간격을 늘리거나 테스트 기간을 줄여 주세요."),
    months="{months}",
    limit=walkforward.MAX_WINDOWS,
)
# One walk-forward window's period for the data checks ("2번째 구간의 테스트 기간(…)에 …").
WINDOW_PERIOD = _("{index}번째 구간의 {period}")
# A window's test needs a day to trade on: the first window its first day to decide on and one more,
# each later one a day after the previous window's last (whose close it decides on).
MIN_FIRST_WINDOW_TEST_BARS, MIN_WINDOW_TEST_BARS = 2, 1
MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS = 5, 86_400
BAD_INTERVAL = format_lazy(
    _("interval_seconds(시장 시계를 확인하는 간격)는 {low}초에서 {high:,}초 사이로 입력해 주세요."),
    low=MIN_INTERVAL_SECONDS,
    high=MAX_INTERVAL_SECONDS,
)

TRAIN_JOB = "strategies.train"
BACKTEST_JOB = "strategies.backtest"
WALK_FORWARD_JOB = "strategies.walk_forward"
# Fields whose change makes a trained model stale.
MODEL_FIELDS = (
    "algorithm",
    "symbols",
    "train_start",
    "train_end",
    "indicators",
    "hyperparameters",
    "initial_cash",
    "seed",
    "use_turbulence",
    "validation_start",
    "validation_end",
    "execution",
    "spread_ticks",
    "impact",
)


# --- validation -------------------------------------------------------------------------------------


def _symbols_for(codes: list[str]) -> list[Symbol]:
    codes = list(dict.fromkeys(str(c).strip().upper() for c in codes))
    if not codes:
        raise DomainError(NO_SYMBOLS, field="symbols")
    if len(codes) > MAX_SYMBOLS:
        raise DomainError(TOO_MANY_SYMBOLS, field="symbols")
    found = {s.code: s for s in Symbol.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(UNKNOWN_SYMBOLS.format(codes=", ".join(unknown)), code="unknown_symbol", field="symbols")
    return [found[c] for c in codes]


def _check_periods(spec: dict[str, Any]) -> None:
    if spec["train_start"] >= spec["train_end"]:
        raise DomainError(TRAIN_PERIOD_ORDER, field="train_end")
    if spec["test_start"] >= spec["test_end"]:
        raise DomainError(TEST_PERIOD_ORDER, field="test_end")
    if spec["test_start"] <= spec["train_end"]:
        raise DomainError(PERIODS_OVERLAP, field="test_start")
    start, end = spec.get("validation_start"), spec.get("validation_end")
    if (start is None) != (end is None):
        raise DomainError(VALIDATION_BOTH, field="validation_start" if start is None else "validation_end")
    if start is not None and not (spec["train_end"] < start <= end < spec["test_start"]):
        raise DomainError(VALIDATION_BETWEEN, field="validation_start")


def _check_data(*, codes: list[str], start: dt.date, end: dt.date, minimum: int, label: str, field: str) -> None:
    per_symbol, common = data.common_bar_counts(symbols=codes, start=start, end=end)
    empty = [code for code, count in per_symbol.items() if count == 0]
    if empty:
        raise DomainError(
            NO_CANDLES.format(period=label, start=start, end=end, codes=", ".join(empty)),
            code="no_data",
            field=field,
        )
    if common < minimum:
        raise DomainError(
            TOO_FEW_DAYS.format(period=label, start=start, end=end, count=common, minimum=minimum),
            code="no_data",
            field=field,
        )


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(BAD_DATE.format(field=field), field=field) from None


def _check_spec(spec: dict[str, Any], *, check_test_data: bool = True) -> list[Symbol]:
    """Validate a strategy spec (dates are normalised in place); returns its symbols."""
    for field in ("train_start", "train_end", "test_start", "test_end"):
        spec[field] = _as_date(spec[field], field)
    for field in ("validation_start", "validation_end"):
        if spec.get(field) is not None:
            spec[field] = _as_date(spec[field], field)
    if spec["execution"] not in Execution.values:
        raise DomainError(BAD_EXECUTION, field="execution")
    if not _is_number(spec["spread_ticks"]) or not 0 <= spec["spread_ticks"] <= 20:
        raise DomainError(BAD_SPREAD, field="spread_ticks")
    if not _is_number(spec["impact"]) or not 0 <= spec["impact"] <= 10:
        raise DomainError(BAD_IMPACT, field="impact")
    months = spec.get("walk_forward_months")
    if months is not None and not (
        isinstance(months, int)
        and not isinstance(months, bool)
        and walkforward.MIN_MONTHS <= months <= walkforward.MAX_MONTHS
    ):
        raise DomainError(BAD_WALK_FORWARD_MONTHS, field="walk_forward_months")
    if spec.get("walk_forward_training", WalkForwardTraining.ROLLING) not in WalkForwardTraining.values:
        raise DomainError(BAD_WALK_FORWARD_TRAINING, field="walk_forward_training")
    if spec["algorithm"] not in Algorithm.values:
        raise DomainError(UNKNOWN_ALGORITHM, field="algorithm")
    symbols = _symbols_for(spec["symbols"])
    _check_periods(spec)
    indicators = spec["indicators"]
    if not isinstance(indicators, list):
        raise DomainError(INDICATORS_NOT_LIST, field="indicators")
    if len(indicators) > MAX_INDICATORS:
        raise DomainError(TOO_MANY_INDICATORS, field="indicators")
    for name in indicators:
        problem = indicator_problem(name)
        if problem:
            raise DomainError(problem, field="indicators")
    repeated = [name for name in dict.fromkeys(indicators) if indicators.count(name) > 1]
    if repeated:
        raise DomainError(INDICATOR_REPEATED.format(names=", ".join(repeated)), field="indicators")
    problems = hyperparameter_problems(spec["algorithm"], spec["hyperparameters"])
    if problems:
        raise DomainError(" ".join(problems), field="hyperparameters")
    if spec["initial_cash"] < MIN_INITIAL_CASH:
        raise DomainError(INITIAL_CASH_TOO_LOW, field="initial_cash")
    codes = [s.code for s in symbols]
    _check_data(
        codes=codes,
        start=spec["train_start"],
        end=spec["train_end"],
        minimum=MIN_TRAIN_BARS,
        label=PERIOD_TRAIN,
        field="train_start",
    )
    if spec.get("validation_start") is not None:
        _check_data(
            codes=codes,
            start=spec["validation_start"],
            end=spec["validation_end"],
            minimum=MIN_VALIDATION_BARS,
            label=PERIOD_VALIDATION,
            field="validation_start",
        )
    if check_test_data:
        _check_data(
            codes=codes,
            start=spec["test_start"],
            end=spec["test_end"],
            minimum=MIN_TEST_BARS,
            label=PERIOD_TEST,
            field="test_start",
        )
    return symbols


def _spec_of(strategy: Strategy) -> dict[str, Any]:
    return {
        "algorithm": strategy.algorithm,
        "symbols": [s.code for s in strategy.symbols.all()],
        "train_start": strategy.train_start,
        "train_end": strategy.train_end,
        "test_start": strategy.test_start,
        "test_end": strategy.test_end,
        "indicators": list(strategy.indicators),
        "hyperparameters": dict(strategy.hyperparameters),
        "initial_cash": strategy.initial_cash,
        "seed": strategy.seed,
        "use_turbulence": strategy.use_turbulence,
        "validation_start": strategy.validation_start,
        "validation_end": strategy.validation_end,
        "execution": strategy.execution,
        "spread_ticks": strategy.spread_ticks,
        "impact": strategy.impact,
        "walk_forward_months": strategy.walk_forward_months,
        "walk_forward_training": strategy.walk_forward_training,
    }


def _check_walk_forward(spec: dict[str, Any]) -> list[walkforward.Window]:
    """The spec's walk-forward windows, each with enough candles to train, validate and test on."""
    if spec.get("walk_forward_months") is None:
        raise DomainError(WALK_FORWARD_OFF, code="walk_forward_off", field="walk_forward_months")
    windows = walkforward.windows_of(spec, limit=walkforward.MAX_WINDOWS)
    if len(windows) > walkforward.MAX_WINDOWS:
        raise DomainError(TOO_MANY_WINDOWS.format(months=spec["walk_forward_months"]), field="walk_forward_months")
    codes = list(spec["symbols"])
    for window in windows:
        periods = [(window.train_start, window.train_end, MIN_TRAIN_BARS, PERIOD_TRAIN, "train_start")]
        if window.validation_start is not None:
            periods.append(
                (
                    window.validation_start,
                    window.validation_end,
                    MIN_VALIDATION_BARS,
                    PERIOD_VALIDATION,
                    "validation_start",
                )
            )
        test_minimum = MIN_FIRST_WINDOW_TEST_BARS if window.index == 1 else MIN_WINDOW_TEST_BARS
        periods.append((window.test_start, window.test_end, test_minimum, PERIOD_TEST, "walk_forward_months"))
        for start, end, minimum, period, field in periods:
            _check_data(
                codes=codes,
                start=start,
                end=end,
                minimum=minimum,
                label=WINDOW_PERIOD.format(index=window.index, period=period),
                field=field,
            )
    return windows


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- strategies ---------------------------------------------------------------------------------------


@transaction.atomic
def strategy_create(
    *,
    owner: Any,
    name: str,
    symbols: list[str],
    train_start: dt.date,
    train_end: dt.date,
    test_start: dt.date,
    test_end: dt.date,
    algorithm: str = Algorithm.PPO,
    indicators: list[str] | None = None,
    hyperparameters: dict[str, Any] | None = None,
    initial_cash: int = 10_000_000,
    seed: int = 0,
    use_turbulence: bool = False,
    validation_start: dt.date | None = None,
    validation_end: dt.date | None = None,
    execution: str = Execution.OPEN,
    spread_ticks: float = DEFAULT_SPREAD_TICKS,
    impact: float = DEFAULT_IMPACT,
    walk_forward_months: int | None = None,
    walk_forward_training: str = WalkForwardTraining.ROLLING,
) -> Strategy:
    spec = {
        "algorithm": algorithm,
        "symbols": symbols,
        "train_start": train_start,
        "train_end": train_end,
        "test_start": test_start,
        "test_end": test_end,
        "indicators": list(DEFAULT_INDICATORS) if indicators is None else indicators,
        "hyperparameters": hyperparameters or {},
        "initial_cash": initial_cash,
        "seed": seed,
        "use_turbulence": use_turbulence,
        "validation_start": validation_start,
        "validation_end": validation_end,
        "execution": execution,
        "spread_ticks": spread_ticks,
        "impact": impact,
        "walk_forward_months": walk_forward_months,
        "walk_forward_training": walk_forward_training,
    }
    symbol_rows = _check_spec(spec)
    strategy = Strategy.objects.create(owner=owner, name=name, **{k: v for k, v in spec.items() if k != "symbols"})
    strategy.symbols.set(symbol_rows)
    return strategy


@transaction.atomic
def strategy_update(*, strategy_id: int, **changes: Any) -> Strategy:
    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    if Deployment.objects.filter(strategy=strategy, is_active=True).exists():
        raise Conflict(DEPLOYED_NO_EDIT, code="deployed")
    spec = _spec_of(strategy)
    unknown = set(changes) - set(spec) - {"name"}
    if unknown:
        raise DomainError(CANNOT_CHANGE.format(fields=", ".join(sorted(unknown))))
    name = changes.pop("name", None)
    spec.update(changes)
    symbol_rows = _check_spec(spec)
    if name is not None:
        strategy.name = name
    stale = any(k in changes and changes[k] != _spec_of(strategy)[k] for k in MODEL_FIELDS)
    for key, value in spec.items():
        if key != "symbols":
            setattr(strategy, key, value)
    if stale:
        strategy.trained_run = None
    strategy.save()
    strategy.symbols.set(symbol_rows)
    return strategy


@transaction.atomic
def strategy_delete(*, strategy_id: int) -> None:
    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    deployment = Deployment.objects.filter(strategy=strategy).first()
    if deployment is not None:
        _stop_schedule(deployment)
    # Unfinished runs go with the strategy; their jobs are cancelled so a worker stops at its next report.
    for job_id in strategy.runs.exclude(status__in=FINISHED_RUN_STATUSES).values_list("job_id", flat=True):
        if job_id is not None:
            try:
                job_services.job_cancel(job_id=job_id)
            except Conflict:
                pass
    strategy.delete()


# --- runs ---------------------------------------------------------------------------------------------


def _queue_run(run: StrategyRun) -> None:
    """Hand the run to a worker once the transaction commits.

    Celery (services configuration) and eager mode (tests) use the task. The embedded default's
    "thread" mode would run it inside the web process, which must never import the RL stack, so
    there it starts a `manage.py strategies_run` process instead.
    """
    from strategies import tasks  # the tasks module itself is light: it imports the RL stack lazily

    if settings.TASK_MODE == "thread":
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "strategies_run", str(run.pk)]
        transaction.on_commit(
            lambda: subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603
        )
        return
    job_services.task_enqueue(tasks.strategy_run, run_id=run.pk)


def _costs_spec(symbols: list[Symbol], day: dt.date) -> dict[str, Any]:
    """The cost model a run uses: commission, each symbol's market (the worker charges the tax of each
    sale's settlement date from the orders app's table) and, for the record, the rates on `day`."""
    buy, sell = cost_rates(symbols=symbols, day=day)
    return {
        "buy_cost": buy,
        "sell_cost": sell,
        "markets": {s.code: s.market for s in symbols},
        "commission": commission_rate(),
    }


def _serialisable(spec: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(spec, default=str))


@transaction.atomic
def run_train(*, strategy_id: int, owner: Any) -> StrategyRun:
    """Queue a training job for the strategy as it is now."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    if strategy.runs.exclude(status__in=FINISHED_RUN_STATUSES).exists():
        raise Conflict(RUN_IN_PROGRESS, code="run_in_progress")
    spec = _spec_of(strategy)
    symbols = _check_spec(spec, check_test_data=False)
    spec.update(_costs_spec(symbols, strategy.train_end))
    job = job_services.job_create(
        kind=TRAIN_JOB, params={"strategy": strategy.pk}, owner=owner, message=WAITING_TRAINER
    )
    run = StrategyRun.objects.create(strategy=strategy, kind=RunKind.TRAIN, job=job, spec=_serialisable(spec))
    job.params = {"strategy": strategy.pk, "run": run.pk}
    job.save(update_fields=["params"])
    _queue_run(run)
    return run


@transaction.atomic
def run_backtest(*, strategy_id: int, owner: Any) -> StrategyRun:
    """Queue a backtest of the strategy's trained model over its test period."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    if strategy.trained_run_id is None:
        raise DomainError(NOT_TRAINED, code="not_trained")
    if strategy.runs.exclude(status__in=FINISHED_RUN_STATUSES).exists():
        raise Conflict(RUN_IN_PROGRESS, code="run_in_progress")
    reported = strategy.runs.filter(
        kind=RunKind.BACKTEST, model_run_id=strategy.trained_run_id, status=RunStatus.SUCCEEDED
    )
    if reported.exists():
        raise Conflict(TEST_ALREADY_REPORTED, code="test_already_reported")
    spec = _spec_of(strategy)
    symbols = _check_spec(spec)
    spec.update(_costs_spec(symbols, strategy.test_start))
    job = job_services.job_create(
        kind=BACKTEST_JOB, params={"strategy": strategy.pk}, owner=owner, message=WAITING_WORKER
    )
    run = StrategyRun.objects.create(
        strategy=strategy,
        kind=RunKind.BACKTEST,
        job=job,
        spec=_serialisable(spec),
        model_run_id=strategy.trained_run_id,
    )
    job.params = {"strategy": strategy.pk, "run": run.pk}
    job.save(update_fields=["params"])
    _queue_run(run)
    return run


@transaction.atomic
def run_walk_forward(*, strategy_id: int, owner: Any) -> StrategyRun:
    """Queue a walk-forward run: a model per window, each trained up to its window's test start and
    tested on that window, the tests stitched into one equity curve (strategies.walkforward)."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    if strategy.runs.exclude(status__in=FINISHED_RUN_STATUSES).exists():
        raise Conflict(RUN_IN_PROGRESS, code="run_in_progress")
    spec = _spec_of(strategy)
    symbols = _check_spec(spec)
    windows = _check_walk_forward(spec)
    spec.update(_costs_spec(symbols, strategy.test_start))
    spec["windows"] = [window.as_dict() for window in windows]
    job = job_services.job_create(
        kind=WALK_FORWARD_JOB, params={"strategy": strategy.pk}, owner=owner, message=WAITING_TRAINER
    )
    run = StrategyRun.objects.create(strategy=strategy, kind=RunKind.WALK_FORWARD, job=job, spec=_serialisable(spec))
    job.params = {"strategy": strategy.pk, "run": run.pk}
    job.save(update_fields=["params"])
    _queue_run(run)
    return run


def run_started(*, run_id: int) -> StrategyRun:
    with transaction.atomic():
        run = StrategyRun.objects.select_for_update().get(pk=run_id)
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status"])
    return run


@transaction.atomic
def run_finish(*, run_id: int, status: str, error: str = "", **results: Any) -> StrategyRun:
    """Record a run's outcome. A succeeded training run becomes the strategy's model when the spec it
    was trained on is still the strategy's spec."""
    run = StrategyRun.objects.select_for_update().select_related("strategy").get(pk=run_id)
    run.status = status
    run.error = error[:10000]
    run.finished_at = timezone.now()
    for key, value in results.items():
        setattr(run, key, value)
    run.save()
    if status == RunStatus.SUCCEEDED and run.kind == RunKind.TRAIN:
        strategy = Strategy.objects.select_for_update().get(pk=run.strategy_id)
        current = _serialisable(_spec_of(strategy))
        if all(current[k] == run.spec.get(k) for k in MODEL_FIELDS):
            strategy.trained_run = run
            strategy.save(update_fields=["trained_run", "updated_at"])
    return run


def run_cancel(*, run_id: int) -> StrategyRun:
    """Ask a run's job to stop (queued: at once; running: at its next progress report)."""
    run = StrategyRun.objects.get(pk=run_id)
    if run.status in FINISHED_RUN_STATUSES:
        raise Conflict(RUN_FINISHED, code="run_finished")
    if run.job_id is not None:
        job = job_services.job_cancel(job_id=run.job_id)
        if job.status == "cancelled":
            return run_finish(run_id=run.pk, status=RunStatus.CANCELLED)
    return run


# --- deployments --------------------------------------------------------------------------------------


DEPLOYMENT_TASK = "strategies.deployment_tick"


def _stop_schedule(deployment: Deployment) -> None:
    from django_celery_beat.models import PeriodicTask

    if deployment.periodic_task_id is not None:
        PeriodicTask.objects.filter(pk=deployment.periodic_task_id).delete()
    deployment.periodic_task = None
    deployment.is_active = False


@transaction.atomic
def strategy_deploy(*, strategy_id: int, owner: Any, account_id: int, interval_seconds: int = 60) -> Deployment:
    """Trade the strategy's model on a paper account once per trading day, at its execution moment;
    the beat schedule checks the market clock every `interval_seconds`."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from orders import selectors as order_selectors

    strategy = Strategy.objects.select_for_update().get(pk=strategy_id)
    if strategy.trained_run_id is None:
        raise DomainError(NOT_TRAINED, code="not_trained")
    account = order_selectors.account_list(user=owner).filter(pk=account_id).first()
    if account is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    if not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
        raise DomainError(BAD_INTERVAL, field="interval_seconds")
    deployment = Deployment.objects.filter(strategy=strategy).first()
    if deployment is not None and deployment.is_active:
        raise Conflict(ALREADY_DEPLOYED, code="deployed")
    if deployment is None:
        deployment = Deployment(strategy=strategy)
    deployment.account_id = account_id
    deployment.model_run_id = strategy.trained_run_id
    deployment.interval_seconds = interval_seconds
    deployment.is_active = True
    deployment.last_message = str(DEPLOYED)
    # Where the track record starts: the market-clock moment and what the account was worth then.
    value = order_selectors.account_value(account, order_selectors.account_prices([account]))
    deployment.deployed_at = market_clock().now()
    deployment.start_equity = value.equity
    deployment.start_invested = account.initial_cash + account.total_deposits
    deployment.stopped_at = None
    deployment.track_backtest = []
    deployment.track_backtest_at = None
    deployment.track_backtest_error = ""
    deployment.save()
    schedule, _ = IntervalSchedule.objects.get_or_create(every=interval_seconds, period=IntervalSchedule.SECONDS)
    task = PeriodicTask.objects.create(
        name=f"strategy deployment {deployment.pk}",
        task=DEPLOYMENT_TASK,
        interval=schedule,
        kwargs=json.dumps({"deployment_id": deployment.pk}),
    )
    deployment.periodic_task = task
    deployment.save(update_fields=["periodic_task"])
    return deployment


@transaction.atomic
def strategy_undeploy(*, strategy_id: int) -> Deployment:
    deployment = Deployment.objects.select_for_update().filter(strategy_id=strategy_id, is_active=True).first()
    if deployment is None:
        raise DomainError(NOT_DEPLOYED, code="not_deployed")
    _stop_schedule(deployment)
    deployment.last_message = str(STOPPED)
    deployment.stopped_at = market_clock().now()
    deployment.save()
    return deployment


def deployment_track_backtest_record(*, deployment_id: int, curve: list[dict[str, Any]], error: str = "") -> None:
    """Store the backtest of a deployment's model over its live days (the worker computes it); a failed
    computation keeps the last curve and says why."""
    changes: dict[str, Any] = {"track_backtest_at": timezone.now(), "track_backtest_error": error[:500]}
    if not error:
        changes["track_backtest"] = curve
    Deployment.objects.filter(pk=deployment_id).update(**changes)


def deployment_record(*, deployment_id: int, message: str) -> None:
    Deployment.objects.filter(pk=deployment_id).update(
        last_run_at=timezone.now(), last_message=message[:500], updated_at=timezone.now()
    )
