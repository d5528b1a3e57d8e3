"""Paper deployment: a trained strategy trades an orders account on a beat schedule, and stops."""

import json

import pandas as pd
import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from market import state as market_state
from market.state import BookLevel, OrderBook, Quote
from orders import services as order_services
from orders.models import Order
from strategies import services
from strategies.models import Deployment
from strategies.tests.factories import zigzag_market

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def recent_start(days: int = 140) -> str:
    """A start date whose `days` weekdays end before today: a deployment reads recent candles."""
    return (pd.Timestamp(timezone.localdate()) - pd.offsets.BDay(days + 1)).strftime("%Y-%m-%d")


@pytest.fixture
def trained(user, django_capture_on_commit_callbacks):
    dates = zigzag_market(("000010",), start=recent_start(), days=140)
    strategy = services.strategy_create(
        owner=user,
        name="live",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
        indicators=["close_2_sma", "rsi_6"],
        hyperparameters={"total_timesteps": 3000, "n_steps": 256},
        seed=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_train(strategy_id=strategy.pk, owner=user)
    strategy.refresh_from_db()
    assert strategy.trained_run is not None
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


def test_deploy_trades_through_orders_and_undeploy_stops(auth_client, user, trained):
    from strategies.tasks import deployment_tick

    account = order_services.account_create(owner=user, name="bot", initial_cash=10_000_000)
    response = auth_client.post(
        f"/api/v1/strategies/{trained.pk}/deploy", {"account": account.pk, "interval_seconds": 30}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["deployment"]["account"] == account.pk
    deployment = Deployment.objects.get(strategy=trained)
    task = deployment.periodic_task
    assert task.task == "strategies.deployment_tick" and task.interval.every == 30
    assert json.loads(task.kwargs) == {"deployment_id": deployment.pk}

    # Deploying again while active is refused; so is someone else's account.
    again = auth_client.post(f"/api/v1/strategies/{trained.pk}/deploy", {"account": account.pk}, format="json")
    assert again.status_code == 409

    _publish_market("000010", 20_000)
    order_services.order_place(account_id=account.pk, symbol="000010", side="buy", type="market", quantity=100)
    deployment_tick.apply(kwargs={"deployment_id": deployment.pk})
    deployment.refresh_from_db()
    assert deployment.last_run_at is not None
    placed = Order.objects.filter(account=account, client_order_id__startswith=f"dep{deployment.pk}-")
    assert placed.exists(), deployment.last_message  # the trained agent always wants a side of a zigzag
    assert all(o.status == "filled" for o in placed), deployment.last_message
    assert deployment.last_message.startswith(("buy", "sell"))

    response = auth_client.post(f"/api/v1/strategies/{trained.pk}/undeploy")
    assert response.status_code == 200 and response.json()["deployment"] is None
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    deployment.refresh_from_db()
    before = deployment.last_run_at
    assert deployment_tick.apply(kwargs={"deployment_id": deployment.pk}).result is None
    deployment.refresh_from_db()
    assert deployment.last_run_at == before  # a stopped deployment does nothing
    assert auth_client.post(f"/api/v1/strategies/{trained.pk}/undeploy").status_code == 422

    # The observation has the training state's layout: cash, prices (live), holdings, indicators.
    from strategies.rl import live, pipeline
    from strategies.rl.runs import settings

    run = trained.trained_run
    agent = pipeline.TrainedAgent.load(settings.ARTIFACTS_DIR / run.model_path, sha256=run.model_sha256)
    fresh = order_services.account_create(owner=user, name="obs", initial_cash=5_000_000)
    _publish_market("000010", 21_000)
    state, prices = live.observation(agent=agent, account=fresh, today=timezone.localdate())
    assert state.shape == (agent.spec.state_space,)
    assert state[0] == 5_000_000 and state[1] == 21_000 and state[2] == 0
    assert prices == {"000010": 21_000.0}


def test_deploying_an_untrained_strategy_is_refused(auth_client, user):
    dates = zigzag_market(("000010",), start=recent_start(), days=140)
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
    assert response.json()["error"]["message"] == services.NOT_TRAINED
