"""A deployment's track record: its paper account day by day beside a backtest of the same model over the
same days.

Web side (no RL stack). The live side reads the orders app's account history (`orders.history`: one
row per account and day, and the account's value now); the backtest side is what the worker stored on
the deployment (`strategies.rl.live.track_backtest`, refreshed when the deployment acts each day).

Days: the XKRX trading days from the first one the deployment could act on (its execution window not
yet over when it was deployed) to today on the market clock, or to the day it was undeployed. Both
sides start from the account's equity at the deployment: live P&L is equity less the money put in
since (a deposit is no gain), over that equity; the backtest starts with that equity in cash on the
last close before the first day (the close the first live decision is made on), and its fills of day
t are the decisions of t − 1's close, as the live orders of day t are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from market import timetable
from market.clock import market_clock
from market.timetable import SEOUL
from strategies import metrics
from strategies.execution import EXECUTION_CLOSE
from strategies.models import Deployment


def execution_window(day: dt.date, execution: str) -> tuple[dt.datetime, dt.datetime] | None:
    """[start, end) on the market clock when a deployment acts on trading day `day` (None: no session)."""
    session = timetable.closing_call(day) if execution == EXECUTION_CLOSE else timetable.opening_call(day)
    return (session.starts_at, session.ends_at) if session is not None else None


def first_live_day(deployed_at: dt.datetime, execution: str) -> dt.date:
    """The first trading day a deployment made at `deployed_at` acts on: the day in progress unless its
    execution window is already over, else the next one."""
    day = timetable.trading_day_of(deployed_at)
    window = execution_window(day, execution)
    if window is None or deployed_at >= window[1]:
        return timetable.next_trading_day(day)
    return day


def last_track_day(deployment: Deployment, now: dt.datetime | None = None) -> dt.date:
    """The last trading day of the record: today's (or the last before today) on the market clock, or
    that of the day it was undeployed."""
    end = deployment.stopped_at if deployment.stopped_at is not None else (now or market_clock().now())
    day = end.astimezone(SEOUL).date()
    return day if timetable.is_trading_day(day) else timetable.previous_trading_day(day)


def trading_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first if timetable.is_trading_day(first) else timetable.next_trading_day(first)
    while day <= last:
        days.append(day)
        day = timetable.next_trading_day(day)
    return days


@dataclass(frozen=True)
class TrackDay:
    date: dt.date
    live_equity: int | None  # the account's equity at the day's end (now, for today)
    live_return: float | None  # P&L since the deployment over the equity then (fraction)
    live_orders: int  # orders the deployment placed that day
    backtest_equity: float | None
    backtest_return: float | None
    backtest_trades: int | None  # fills of the backtest that day
    difference: float | None  # live_return − backtest_return


@dataclass(frozen=True)
class TrackRecord:
    deployment: Deployment
    execution: str
    start_equity: int
    first_day: dt.date
    last_day: dt.date
    backtest_start: str | None  # the close the backtest's (and live's) first decision is made on
    backtest_through: str | None
    days: list[TrackDay]
    common_days: int
    live_metrics: dict[str, Any] = field(default_factory=dict)
    backtest_metrics: dict[str, Any] = field(default_factory=dict)


def _live_values(deployment: Deployment, last_day: dt.date) -> dict[dt.date, tuple[int, int]]:
    """(equity, money put in) per day from the account history; the value now stands for `last_day`
    while the deployment runs (the market clock's today, also on a practice clock)."""
    from orders import history
    from orders import selectors as order_selectors
    from orders.enums import HistoryPeriod, HistoryTimeframe

    account = order_selectors.account_list(user=deployment.strategy.owner).get(pk=deployment.account_id)
    points = history.account_history(account=account, period=HistoryPeriod.ALL, timeframe=HistoryTimeframe.DAY).points
    values = {point.time.astimezone(SEOUL).date(): (point.equity, point.invested) for point in points[:-1]}
    now = points[-1]
    if deployment.stopped_at is None:
        values[last_day] = (now.equity, now.invested)
    elif now.time.astimezone(SEOUL).date() <= last_day:
        values.setdefault(now.time.astimezone(SEOUL).date(), (now.equity, now.invested))
    return values


def _live_orders(deployment: Deployment) -> dict[str, int]:
    """Orders the deployment placed, per trading day (its client order ids: dep<id>-<yyyymmdd>-<code>)."""
    from orders import selectors as order_selectors

    prefix = f"dep{deployment.pk}-"
    ids = (
        order_selectors.order_list(user=deployment.strategy.owner)
        .filter(account_id=deployment.account_id, client_order_id__startswith=prefix)
        .values_list("client_order_id", flat=True)
    )
    counts: dict[str, int] = {}
    for client_order_id in ids:
        stamp = client_order_id[len(prefix) :].split("-")[0]
        if len(stamp) == 8 and stamp.isdigit():
            day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}"
            counts[day] = counts.get(day, 0) + 1
    return counts


def track_record(*, deployment: Deployment, now: dt.datetime | None = None) -> TrackRecord:
    execution = deployment.model_run.spec.get("execution", "open")
    deployed_at = deployment.deployed_at or deployment.created_at
    first_day = first_live_day(deployed_at, execution)
    last_day = last_track_day(deployment, now)
    days = trading_days(first_day, last_day)
    live = _live_values(deployment, last_day) if days else {}
    orders = _live_orders(deployment)
    start_equity = deployment.start_equity
    start_invested = deployment.start_invested
    if start_equity is None:  # deployed before the record kept them: from the first day on record
        first = next((live[d] for d in days if d in live), None)
        start_equity, start_invested = first if first is not None else (0, 0)
    if start_invested is None:
        start_invested = start_equity
    backtest = {point["date"]: point for point in deployment.track_backtest}
    base = float(deployment.track_backtest[0]["equity"]) if deployment.track_backtest else None

    rows: list[TrackDay] = []
    live_curve, backtest_curve = [float(start_equity)], [base or float(start_equity)]
    for day in days:
        key = day.isoformat()
        live_equity = live_return = None
        if day in live and start_equity:
            equity, invested = live[day]
            live_equity = equity
            live_return = ((equity - invested) - (start_equity - start_invested)) / start_equity
        point = backtest.get(key)
        backtest_equity = backtest_return = backtest_trades = None
        if point is not None and base:
            backtest_equity = float(point["equity"])
            backtest_return = backtest_equity / base - 1.0
            backtest_trades = int(point.get("trades", 0))
        both = live_return is not None and backtest_return is not None
        if both:
            live_curve.append(start_equity * (1.0 + live_return))
            backtest_curve.append(backtest_equity)
        rows.append(
            TrackDay(
                date=day,
                live_equity=live_equity,
                live_return=live_return,
                live_orders=orders.get(key, 0),
                backtest_equity=backtest_equity,
                backtest_return=backtest_return,
                backtest_trades=backtest_trades,
                difference=live_return - backtest_return if both else None,
            )
        )
    common = len(live_curve) - 1
    return TrackRecord(
        deployment=deployment,
        execution=execution,
        start_equity=int(start_equity),
        first_day=first_day,
        last_day=last_day,
        backtest_start=deployment.track_backtest[0]["date"] if deployment.track_backtest else None,
        backtest_through=deployment.track_backtest[-1]["date"] if deployment.track_backtest else None,
        days=rows,
        common_days=common,
        # Over the days both sides have, from the same start: live with deposits taken out.
        live_metrics=metrics.performance(live_curve) if common else {},
        backtest_metrics=metrics.performance(backtest_curve) if common else {},
    )
