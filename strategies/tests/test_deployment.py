"""Research to paper trading end to end: train (early stopping on the validation period), report the test
period once, deploy; on the practice clock at high speed the agent acts once per trading day, at its
execution moment, on the previous close, with orders of its paper account."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from config.exceptions import Conflict
from market import clock, timetable
from market import state as market_state
from market.state import BookLevel, OrderBook, Quote
from orders import services as order_services
from orders.models import Order
from strategies import services
from strategies.models import Deployment
from strategies.tests.factories import zigzag_market

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def recent_start(days: int) -> str:
    """A start date whose `days` weekdays end before today: a deployment reads recent candles."""
    return (pd.Timestamp(timezone.localdate()) - pd.offsets.BDay(days + 1)).strftime("%Y-%m-%d")


@pytest.fixture
def researched(user, django_capture_on_commit_callbacks):
    dates = zigzag_market(("000010",), start=recent_start(200), days=200)
    strategy = services.strategy_create(
        owner=user,
        name="live",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[109],
        validation_start=dates[110],
        validation_end=dates[149],
        test_start=dates[150],
        test_end=dates[-1],
        indicators=["close_2_sma", "rsi_6"],
        hyperparameters={"total_timesteps": 2048, "n_steps": 256},
        seed=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_train(strategy_id=strategy.pk, owner=user)
    strategy.refresh_from_db()
    trained = strategy.trained_run
    assert trained is not None and trained.status == "succeeded", trained and trained.error
    assert trained.validation_metrics["period"] == "validation"
    assert trained.validation_metrics["first_day"] == dates[110]
    stopping = trained.metrics["early_stopping"]
    assert stopping["evaluations"] and stopping["kept_timesteps"] <= stopping["trained_timesteps"]
    assert len(trained.data_sha256) == 64 and len(trained.model_sha256) == 64
    with django_capture_on_commit_callbacks(execute=True):
        services.run_backtest(strategy_id=strategy.pk, owner=user)
    test_run = strategy.runs.get(kind="backtest")
    assert test_run.status == "succeeded", test_run.error
    assert test_run.metrics["period"] == "test" and test_run.metrics["first_day"] == dates[150]
    with pytest.raises(Conflict) as refused:  # the test period is reported once per trained model
        services.run_backtest(strategy_id=strategy.pk, owner=user)
    assert refused.value.message == services.TEST_ALREADY_REPORTED
    return strategy


def _publish_market(code: str, price: int) -> None:
    now = timezone.now()
    market_state.store().put(
        quote=Quote(
            code=code,
            price=price,
            open=price,
            high=price,
            low=price,
            prev_close=price,
            volume=1000,
            value=price * 1000,
            best_bid=price - 50,
            best_ask=price,
            time=now,
        ),
        book=OrderBook(
            code=code,
            asks=tuple(BookLevel(price + 50 * i, 10_000) for i in range(10)),
            bids=tuple(BookLevel(price - 50 * (i + 1), 10_000) for i in range(10)),
            time=now,
        ),
    )


def test_deployed_agent_trades_once_per_practice_day_at_the_opening_auction(auth_client, user, researched):
    from strategies.rl import live

    account = order_services.account_create(owner=user, name="bot", initial_cash=10_000_000)
    response = auth_client.post(
        f"/api/v1/strategies/{researched.pk}/deploy", {"account": account.pk, "interval_seconds": 30}, format="json"
    )
    assert response.status_code == 200, response.json()
    deployment = Deployment.objects.get(strategy=researched)
    task = deployment.periodic_task
    assert task.task == "strategies.deployment_tick" and json.loads(task.kwargs) == {"deployment_id": deployment.pk}

    wall = [dt.datetime(2030, 1, 1, tzinfo=dt.UTC)]
    first_day = timetable.next_trading_day(timezone.localdate())
    practice = clock.PracticeClock.starting(
        dt.datetime.combine(first_day, dt.time(7, 0), tzinfo=timetable.SEOUL), speed=600, wall=lambda: wall[0]
    )
    clock.set_market_clock(practice)
    _publish_market("000010", 20_000)
    acted: list[tuple[dt.datetime, str]] = []
    while timetable.trading_day_of(practice.now()) < timetable.next_trading_day(
        timetable.next_trading_day(timetable.next_trading_day(first_day))
    ):
        message = live.deployment_step(deployment_id=deployment.pk)
        if not message.endswith(("기다리는 중입니다.", "이미 주문했습니다.")):
            acted.append((practice.now(), message))
        wall[0] += dt.timedelta(seconds=0.5)  # five market minutes a tick
    days = [timetable.trading_day_of(at) for at, _ in acted]
    assert len(days) == 3 and len(set(days)) == 3, acted  # once per practice day
    for at, message in acted:
        window = live.execution_window(timetable.trading_day_of(at), "open")
        assert window[0] <= at < window[1], (at, window)  # during the opening call
        assert " 종가로 판단" in message and not message.startswith("오류"), message
    placed = Order.objects.filter(account=account, client_order_id__startswith=f"dep{deployment.pk}-")
    assert placed.exists(), acted
    assert {o.client_order_id.split("-")[1] for o in placed} <= {f"{d:%Y%m%d}" for d in days}
    deployment.refresh_from_db()
    assert deployment.last_trading_day == days[-1]

    response = auth_client.post(f"/api/v1/strategies/{researched.pk}/undeploy")
    assert response.status_code == 200 and response.json()["deployment"] is None
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    assert live.deployment_step(deployment_id=deployment.pk) == "inactive"


def test_live_observation_is_the_environment_state_of_the_same_close(user, researched):
    """Live sees exactly what the backtest's environment saw on the last stored close."""
    from strategies import data
    from strategies.rl import live, pipeline
    from strategies.rl.runs import settings

    run = researched.trained_run
    agent = pipeline.TrainedAgent.load(settings.ARTIFACTS_DIR / run.model_path, sha256=run.model_sha256)
    spec = agent.spec
    candles = data.candle_frame(symbols=spec.symbols, start=dt.date(2000, 1, 1), end=timezone.localdate())
    last_day = dt.date.fromisoformat(candles["date"].max())
    features = pipeline.engineer_features(candles, indicators=spec.indicators, use_turbulence=spec.use_turbulence)
    env = pipeline.make_env(pipeline.after_warmup(features, 10), spec)
    state, _ = env.reset()
    terminal = False
    while not terminal:
        state, _, terminal, _, _ = env.step(np.zeros(len(spec.symbols)))
    account = order_services.account_create(owner=user, name="obs", initial_cash=int(spec.initial_cash))
    observed, prices, decided_on, guarded = live.observation(
        agent=agent, account=account, before=timetable.next_trading_day(last_day)
    )
    assert decided_on == last_day.isoformat() and not guarded
    np.testing.assert_allclose(observed, state)
    assert prices == {"000010": float(candles["close"].iloc[-1])}


def test_deploying_an_untrained_strategy_is_refused(auth_client, user):
    dates = zigzag_market(("000010",), start=recent_start(140), days=140)
    strategy = services.strategy_create(
        owner=user,
        name="raw",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
    )
    account = order_services.account_create(owner=user, name="bot", initial_cash=1_000_000)
    response = auth_client.post(f"/api/v1/strategies/{strategy.pk}/deploy", {"account": account.pk}, format="json")
    assert response.status_code == 422
    assert (
        response.json()["error"]["message"]
        == services.NOT_TRAINED
        == "백테스트하거나 배포하려면 먼저 전략을 학습해 주세요."
    )
