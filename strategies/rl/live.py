"""A deployed strategy's periodic decision: observe the account and market, act, place paper orders."""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.utils import timezone

from config.exceptions import DomainError
from market import state as market_state
from market.clock import market_clock
from orders import services as order_services
from orders.models import Account, Position
from strategies import data, services
from strategies.models import Deployment
from strategies.rl import pipeline
from strategies.signals import deployment_error

logger = logging.getLogger(__name__)
HISTORY_DAYS = 400  # calendar days of candles behind today's bar: warms up 60-bar indicators and more


@lru_cache(maxsize=8)
def _agent(path: str, sha256: str) -> pipeline.TrainedAgent:
    return pipeline.TrainedAgent.load(Path(path), sha256=sha256)


def observation(
    *, agent: pipeline.TrainedAgent, account: Account, today: dt.date
) -> tuple[np.ndarray, dict[str, float]]:
    """FinRL's state for today: [cash] + prices + holdings + indicators (indicator-major, tickers sorted).

    Prices are live quotes where the feed has them, else the last stored close; today's live price is
    appended as today's bar before the indicators are computed.
    """
    spec = agent.spec
    frame = data.candle_frame(symbols=spec.symbols, start=today - dt.timedelta(days=HISTORY_DAYS), end=today)
    if frame.empty:
        raise ValueError("No stored candles for the deployed symbols.")
    quotes = market_state.store().quotes(spec.symbols)
    today_key = today.strftime("%Y-%m-%d")
    last = frame.groupby("tic").tail(1).set_index("tic")
    rows = []
    for code in spec.symbols:
        quote = quotes.get(code)
        if quote is None:
            continue
        price = float(quote.price)
        rows.append(
            {
                "date": today_key,
                "tic": code,
                "open": float(quote.open or price),
                "high": float(max(quote.high or price, price)),
                "low": float(min(quote.low or price, price)),
                "close": price,
                "volume": float(quote.volume or 0),
            }
        )
    if len(rows) == len(spec.symbols):
        frame = pd.concat([frame[frame["date"] != today_key], pd.DataFrame(rows)], ignore_index=True)
    features = pipeline.engineer_features(frame, indicators=spec.indicators, use_turbulence=spec.use_turbulence)
    latest = features[features["date"] == features["date"].max()].sort_values("tic").set_index("tic")
    prices = {
        code: float(latest.loc[code, "close"]) if code in latest.index else float(last.loc[code, "close"])
        for code in spec.symbols
    }
    held = dict(
        Position.objects.filter(account=account, symbol__code__in=spec.symbols).values_list("symbol__code", "quantity")
    )
    holdings = [float(held.get(code, 0)) for code in spec.symbols]
    indicators = [float(latest.loc[code, name]) for name in spec.indicators for code in spec.symbols]
    state = np.asarray([float(account.available_cash)] + [prices[c] for c in spec.symbols] + holdings + indicators)
    return state, prices


def deployment_step(*, deployment_id: int) -> str:
    """Decide and place today's orders for one deployment; returns (and records) what it did."""
    deployment = Deployment.objects.select_related("model_run", "account").filter(pk=deployment_id).first()
    if deployment is None or not deployment.is_active:
        return "inactive"
    run = deployment.model_run
    try:
        agent = _agent(str(Path(settings.ARTIFACTS_DIR) / run.model_path), run.model_sha256)
        now = market_clock().now()
        state, prices = observation(agent=agent, account=deployment.account, today=now.date())
        action = agent.act(state)
        shares = (np.clip(action, -1, 1) * agent.spec.hmax).astype(int)
        held = state[1 + len(agent.spec.symbols) : 1 + 2 * len(agent.spec.symbols)]
        placed = []
        tick = now.strftime("%Y%m%d%H%M%S")
        order = sorted(range(len(shares)), key=lambda i: shares[i])  # sells first, like the env
        for i in order:
            code, quantity = agent.spec.symbols[i], int(shares[i])
            if quantity < 0:
                quantity = min(-quantity, int(held[i]))
                side = "sell"
            else:
                # Like the env: buy no more than the cash pays for, commission included.
                deployment.account.refresh_from_db()
                price = prices[code] * (1 + agent.spec.buy_cost[i])
                quantity = min(quantity, int(deployment.account.available_cash // price))
                side = "buy"
            if quantity <= 0:
                continue
            try:
                result, _ = order_services.order_place(
                    account_id=deployment.account_id,
                    symbol=code,
                    side=side,
                    type="market",
                    quantity=quantity,
                    client_order_id=f"dep{deployment.pk}-{tick}-{code}",
                )
                placed.append(f"{side} {quantity} {code}: {result.status}")
            except DomainError as exc:
                placed.append(f"{side} {quantity} {code}: {exc.message}")
        message = "; ".join(placed) or "No trade"
    except Exception as exc:  # noqa: BLE001 - a failed tick is recorded and the schedule goes on
        logger.exception("deployment %s failed", deployment_id)
        message = f"Error: {exc}"
        services.deployment_record(deployment_id=deployment_id, message=message)
        deployment_error.send_robust(sender=Deployment, deployment_id=deployment_id, message=message, at=timezone.now())
        return message
    services.deployment_record(deployment_id=deployment_id, message=message)
    return message
