"""Demo data: one example strategy for the demo user over the demo candles (not trained)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Min

from config.exceptions import DomainError
from historical.models import Candle
from market.models import Symbol
from market.timetable import SEOUL
from strategies import services
from strategies.models import Strategy

DEMO_STRATEGY_NAME = "PPO · 삼성전자 + SK하이닉스"
DEMO_SYMBOLS = ["005930", "000660"]
TEST_MONTHS = 6


def seed(*, user: Any, stdout: Any) -> None:
    if Strategy.objects.filter(owner=user, name=DEMO_STRATEGY_NAME).exists():
        stdout.write(f"strategies: {DEMO_STRATEGY_NAME} exists\n")
        return
    codes = list(Symbol.objects.filter(code__in=DEMO_SYMBOLS).values_list("code", flat=True))
    span = Candle.objects.filter(symbol__code__in=codes, timeframe="1d").aggregate(first=Min("time"), last=Max("time"))
    if not codes or span["first"] is None:
        stdout.write("strategies: no demo candles for the example strategy; skipped\n")
        return
    first, last = span["first"].astimezone(SEOUL).date(), span["last"].astimezone(SEOUL).date()
    test_start = last - dt.timedelta(days=30 * TEST_MONTHS)
    try:
        services.strategy_create(
            owner=user,
            name=DEMO_STRATEGY_NAME,
            symbols=sorted(codes),
            algorithm="PPO",
            train_start=first,
            train_end=test_start - dt.timedelta(days=1),
            test_start=test_start,
            test_end=last,
            hyperparameters={"total_timesteps": 20_000},
            seed=42,
        )
    except DomainError as exc:
        stdout.write(f"strategies: example strategy not created: {exc.message}\n")
        return
    stdout.write(f"strategies: example strategy {DEMO_STRATEGY_NAME} (not trained yet)\n")
