"""A deployed strategy trades as its backtest did: once per trading day, at its execution moment on the
market clock, on the previous close, sized by the environment's rules, under the same turbulence guard.

- execution "open": during the opening call (08:30-09:00) of trading day t+1 it decides on the close of
  t (the last stored daily candle before t+1) and places market orders that join the opening auction;
- execution "close": the same decision, placed during the closing call (15:20-15:30) of t+1.
The beat schedule only polls (every `interval_seconds`); a deployment claims each trading day once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.exceptions import DomainError
from market import state as market_state
from market import timetable
from market.clock import market_clock
from orders import services as order_services
from orders.models import Account, Position
from strategies import data, services, track
from strategies.execution import EXECUTION_CLOSE
from strategies.models import Deployment
from strategies.rl import pipeline
from strategies.signals import deployment_error
from strategies.specs import warmup_bars
from strategies.track import execution_window

logger = logging.getLogger(__name__)

# What a deployment's `last_message` says (the SPA shows it; deployment.error webhooks carry it).
WAITING = _("{day} {auction} 단일가매매를 기다리는 중입니다.")
ALREADY_TRADED = _("{day}에는 이미 주문했습니다.")
FAILED = _("오류: {error}")
ACTED = _("{day}: {decided_on} 종가로 판단{guard} — {orders}")
TURBULENCE = _(" (변동성 경계: 전량 매도)")
NO_TRADE = _("주문 없음")
SIDES = {"buy": _("매수"), "sell": _("매도")}
ORDER_PLACED = _("{side} {quantity:,}주 {code}: {outcome}")
AUCTIONS = {EXECUTION_CLOSE: pgettext_lazy("auction", "종가"), "open": pgettext_lazy("auction", "시가")}
# Calendar days of candles read behind the decision day: recursive indicators (RSI, MACD: exponential
# smoothing) depend on where they start, so live reads at least as much as a backtest's warm-up does.
HISTORY_DAYS = 400
HISTORY_MARGIN_DAYS = 30
# Why the track record's backtest could not be computed (the deployment page shows it).
NO_DECISION_CLOSE = _("배포 첫 거래일({day}) 전의 종가가 저장되어 있지 않아 같은 기간의 백테스트를 계산할 수 없습니다.")


@lru_cache(maxsize=8)
def _agent(path: str, sha256: str) -> pipeline.TrainedAgent:
    return pipeline.TrainedAgent.load(Path(path), sha256=sha256)


def observation(
    *, agent: pipeline.TrainedAgent, account: Account, before: dt.date
) -> tuple[np.ndarray, dict[str, float], str, bool]:
    """FinRL's state on the last close before `before`: [cash] + closes + holdings + indicators
    (indicator-major, tickers sorted) — the environment's state of that day; also the closes, the
    decision day and whether the turbulence guard is on."""
    spec = agent.spec
    warmup = warmup_bars(spec.indicators, use_turbulence=spec.use_turbulence)
    history = max(HISTORY_DAYS, int((warmup + 2) * 1.6) + HISTORY_MARGIN_DAYS)
    last = before - dt.timedelta(days=1)
    frame = data.candle_frame(symbols=spec.symbols, start=last - dt.timedelta(days=history), end=last)
    if frame.empty:
        raise ValueError("No stored candles for the deployed symbols.")
    features = pipeline.engineer_features(frame, indicators=spec.indicators, use_turbulence=spec.use_turbulence)
    decided_on = str(features["date"].max())
    latest = features[features["date"] == decided_on].sort_values("tic").set_index("tic")
    prices = {code: float(latest.loc[code, "close"]) for code in spec.symbols}
    held = dict(
        Position.objects.filter(account=account, symbol__code__in=spec.symbols).values_list("symbol__code", "quantity")
    )
    holdings = [float(held.get(code, 0)) for code in spec.symbols]
    indicators = [float(latest.loc[code, name]) for name in spec.indicators for code in spec.symbols]
    state = np.asarray([float(account.available_cash)] + [prices[c] for c in spec.symbols] + holdings + indicators)
    guarded = bool(
        spec.use_turbulence
        and spec.turbulence_threshold is not None
        and float(latest["turbulence"].iloc[0]) >= spec.turbulence_threshold
    )
    return state, prices, decided_on, guarded


def _claim(deployment_id: int, day: dt.date) -> bool:
    """Take `day` for this deployment; False when it already acted on it (race-safe)."""
    claimed = (
        Deployment.objects.filter(pk=deployment_id, is_active=True)
        .exclude(last_trading_day=day)
        .update(last_trading_day=day)
    )
    return claimed == 1


def deployment_step(*, deployment_id: int) -> str:
    """At the deployment's execution moment of a trading day, decide once and place that day's orders."""
    deployment = Deployment.objects.select_related("model_run", "account", "strategy").filter(pk=deployment_id).first()
    if deployment is None or not deployment.is_active:
        return "inactive"
    run = deployment.model_run
    now = market_clock().now()
    day = timetable.trading_day_of(now)
    execution = run.spec.get("execution", "open")
    window = execution_window(day, execution)
    if window is None or not window[0] <= now < window[1]:
        auction = AUCTIONS.get(execution, AUCTIONS["open"])
        return WAITING.format(day=day, auction=auction)
    if not _claim(deployment_id, day):
        return ALREADY_TRADED.format(day=day)
    try:
        message = _act(deployment, day=day)
    except Exception as exc:  # noqa: BLE001 - a failed day is recorded and the schedule goes on
        logger.exception("deployment %s failed", deployment_id)
        message = FAILED.format(error=exc)
        services.deployment_record(deployment_id=deployment_id, message=message)
        deployment_error.send_robust(sender=Deployment, deployment_id=deployment_id, message=message, at=timezone.now())
        _refresh_track(deployment, now=now)
        return message
    services.deployment_record(deployment_id=deployment_id, message=message)
    _refresh_track(deployment, now=now)
    return message


def track_backtest(deployment: Deployment, *, now: dt.datetime | None = None) -> list[dict[str, object]]:
    """The deployed model backtested over the deployment's days (strategies.track): from the last stored
    close before its first live day, with the account's equity then in cash, through the last stored
    close; [{date, equity, trades}] with that first close first."""
    run = deployment.model_run
    agent = _agent(str(Path(settings.ARTIFACTS_DIR) / run.model_path), run.model_sha256)
    spec = agent.spec
    first_day = track.first_live_day(deployment.deployed_at or deployment.created_at, run.spec.get("execution", "open"))
    last_day = track.last_track_day(deployment, now)
    warmup = warmup_bars(spec.indicators, use_turbulence=spec.use_turbulence)
    history = max(HISTORY_DAYS, int((warmup + 2) * 1.6) + HISTORY_MARGIN_DAYS)
    frame = data.candle_frame(symbols=spec.symbols, start=first_day - dt.timedelta(days=history), end=last_day)
    decided_before = [d for d in frame["date"].unique() if d < first_day.isoformat()] if not frame.empty else []
    if not decided_before:
        raise ValueError(NO_DECISION_CLOSE.format(day=first_day))
    opening = max(decided_before)
    features = pipeline.engineer_features(frame, indicators=spec.indicators, use_turbulence=spec.use_turbulence)
    period = pipeline.split(features, opening, last_day.isoformat())
    start_equity = deployment.start_equity if deployment.start_equity is not None else spec.initial_cash
    env = pipeline.make_env(period, replace(spec, initial_cash=float(start_equity)))
    episode = pipeline.run_episode(env, agent.act)
    fills = Counter(trade["date"] for trade in episode.trades)
    return [
        {"date": date, "equity": round(equity, 2), "trades": fills.get(date, 0)}
        for date, equity in zip(episode.dates, episode.equity, strict=True)
    ]


def _refresh_track(deployment: Deployment, *, now: dt.datetime) -> None:
    """Bring the track record's backtest up to the last stored close; a failure never stops trading."""
    deployment.refresh_from_db()
    try:
        curve = track_backtest(deployment, now=now)
    except Exception as exc:  # noqa: BLE001 - recorded on the deployment, the schedule goes on
        logger.warning("deployment %s: track record backtest failed", deployment.pk, exc_info=True)
        services.deployment_track_backtest_record(deployment_id=deployment.pk, curve=[], error=str(exc))
        return
    services.deployment_track_backtest_record(deployment_id=deployment.pk, curve=curve)


def _act(deployment: Deployment, *, day: dt.date) -> str:
    run = deployment.model_run
    agent = _agent(str(Path(settings.ARTIFACTS_DIR) / run.model_path), run.model_sha256)
    spec = agent.spec
    state, prices, decided_on, guarded = observation(agent=agent, account=deployment.account, before=day)
    count = len(spec.symbols)
    held = state[1 + count : 1 + 2 * count].astype(np.int64)
    orders = pipeline.order_shares(agent.act(state), hmax=spec.hmax, holdings=held, guarded=guarded)
    quotes = market_state.store().quotes(spec.symbols)
    placed = []
    for i in np.argsort(orders, kind="stable"):  # sells first, like the environment
        code, wanted = spec.symbols[i], int(orders[i])
        if wanted < 0:
            side, quantity = "sell", min(-wanted, int(held[i]))
        elif wanted > 0 and not guarded:
            # Like the environment: buy no more than the cash pays for at the expected price, commission in.
            deployment.account.refresh_from_db()
            quote = quotes.get(code)
            reference = float(quote.price) if quote is not None and quote.price else prices[code]
            side = "buy"
            quantity = min(wanted, int(deployment.account.available_cash // (reference * (1 + spec.buy_cost[i]))))
            # A market buy is held at today's upper limit, as a broker holds it: no more than that pays for.
            quantity = min(quantity, _market_buy_capacity(code, deployment.account.available_cash))
        else:
            continue
        if quantity <= 0:
            continue
        try:
            result, _ = order_services.order_place(
                account_id=deployment.account_id,
                symbol=code,
                side=side,
                type="market",
                quantity=quantity,
                client_order_id=f"dep{deployment.pk}-{day:%Y%m%d}-{code}",
            )
            placed.append(
                ORDER_PLACED.format(side=SIDES[side], quantity=quantity, code=code, outcome=result.get_status_display())
            )
        except DomainError as exc:
            placed.append(ORDER_PLACED.format(side=SIDES[side], quantity=quantity, code=code, outcome=exc.message))
    guard = TURBULENCE if guarded else ""
    return ACTED.format(day=day, decided_on=decided_on, guard=guard, orders="; ".join(placed) or NO_TRADE)


def _market_buy_capacity(code: str, available: int) -> int:
    """The most shares a market buy of `code` may ask for with `available` won (주문가능수량):
    its cash is checked at the upper limit, commission included."""
    from market import rules
    from market.models import Symbol
    from orders import costs

    symbol = Symbol.objects.filter(code=code).first()
    base = order_services.reference_price(symbol) if symbol is not None else None
    if not base:
        return 0
    upper = rules.price_limit_band(base)[1]
    quantity = int(available // upper)
    while quantity > 0 and costs.buy_reservation(upper, quantity) > available:
        quantity -= 1
    return quantity
