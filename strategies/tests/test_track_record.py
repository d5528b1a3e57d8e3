"""A deployment's track record: its paper account day by day (the orders app's account history) beside a
backtest of the same model over the same days, refreshed by the deployment as it acts each day."""

import datetime as dt

import pandas as pd
import pytest
from django.utils import timezone

from market import clock, timetable
from market.models import Symbol
from market.timetable import SEOUL
from orders import history
from orders import selectors as order_selectors
from orders import services as order_services
from orders.models import Order
from orders.tests.factories import SymbolFactory
from strategies import data, selectors, services, track
from strategies.models import Deployment
from strategies.tests.factories import zigzag_market

pytestmark = pytest.mark.django_db
TINY_PPO = {"total_timesteps": 256, "n_steps": 64, "batch_size": 32, "n_epochs": 2, "net_arch": [16]}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def set_clock(moment: dt.datetime) -> None:
    """The market clock standing at `moment` (its wall clock stopped)."""
    wall = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    clock.set_market_clock(clock.PracticeClock.starting(moment, speed=1, wall=lambda: wall))


def test_first_live_day_is_the_first_execution_window_not_yet_over():
    day = dt.date(2025, 3, 4)  # a Tuesday, a trading day
    assert timetable.is_trading_day(day)
    assert track.first_live_day(at(day, 7), "open") == day
    assert track.first_live_day(at(day, 8, 45), "open") == day  # inside the opening call
    assert track.first_live_day(at(day, 9, 30), "open") == timetable.next_trading_day(day)
    assert track.first_live_day(at(day, 9, 30), "close") == day
    assert track.first_live_day(at(day, 16), "close") == timetable.next_trading_day(day)
    saturday = dt.date(2025, 3, 8)
    assert track.first_live_day(at(saturday, 12), "open") == dt.date(2025, 3, 10)


@pytest.fixture
def trained(user, django_capture_on_commit_callbacks):
    start = (pd.Timestamp(timezone.localdate()) - pd.offsets.BDay(181)).strftime("%Y-%m-%d")
    dates = zigzag_market(("000010",), start=start, days=180)
    Symbol.objects.filter(code="000010").update(prev_close=20_000)  # the band's base: orders can be placed
    strategy = services.strategy_create(
        owner=user,
        name="tracked",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[109],
        test_start=dates[110],
        test_end=dates[-1],
        indicators=["close_2_sma", "rsi_6"],
        hyperparameters=TINY_PPO,
        seed=2,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.run_train(strategy_id=strategy.pk, owner=user)
    strategy.refresh_from_db()
    assert strategy.trained_run is not None, strategy.runs.first().error
    return strategy, dates


@pytest.mark.slow
def test_the_track_record_puts_the_account_beside_the_backtest_of_the_same_days(
    auth_client, api_client, other_user, user, trained, exchange
):
    from strategies.rl import live, pipeline
    from strategies.rl.runs import settings

    strategy, dates = trained
    last_candle = dt.date.fromisoformat(dates[-1])
    days = [last_candle if timetable.is_trading_day(last_candle) else timetable.previous_trading_day(last_candle)]
    while len(days) < 4:
        days.insert(0, timetable.previous_trading_day(days[0]))
    d1, d2, d3, d4 = days

    # Deployed before the first day's opening call, with 10,000,000 won in the account.
    account = order_services.account_create(owner=user, name="bot", initial_cash=10_000_000)
    set_clock(at(d1, 8, 25))  # the practice clock's morning: five minutes before the first session
    response = auth_client.post(f"/api/v1/strategies/{strategy.pk}/deploy", {"account": account.pk}, format="json")
    assert response.status_code == 200, response.json()
    deployment = Deployment.objects.get(strategy=strategy)
    assert deployment.start_equity == 10_000_000 and deployment.deployed_at == at(d1, 8, 25)

    SymbolFactory(code="000099", name="other", prev_close=10_000)
    for day in days:
        set_clock(at(day, 8, 35))  # the opening call: the deployment acts once
        message = live.deployment_step(deployment_id=deployment.pk)
        assert "종가로 판단" in message, message
        deployment.refresh_from_db()
        assert deployment.track_backtest_error == ""
        # refreshed as it acts, through the last close on record up to the market's today
        assert deployment.track_backtest[-1]["date"] == day.isoformat()
        if day == d2:  # money put in is no gain
            order_services.account_deposit(account_id=account.pk, amount=1_000_000)
        if day == d3:  # a fill of the account's own, marked up by a later print
            set_clock(at(day, 10))
            exchange.add_liquidity("000099", "sell", 10_000, 50)
            order, _ = order_services.order_place(
                account_id=account.pk, symbol="000099", side="buy", type="market", quantity=50
            )
            assert order.status == "filled"
            exchange.add_liquidity("000099", "buy", 10_500, 10)
            exchange.trade("000099", 10_500, 10, side="sell")
        if day != d4:  # the day's row, as the beat writes it after the close (d4 is today: the live value)
            history.account_snapshots_take(now=at(day, 15, 45))

    body = auth_client.get(f"/api/v1/strategies/{strategy.pk}/deployment").json()
    assert [row["date"] for row in body["days"]] == [d.isoformat() for d in days]
    assert body["first_day"] == d1.isoformat() and body["last_day"] == d4.isoformat()
    assert body["start_equity"] == 10_000_000 and body["execution"] == "open"
    assert body["deployment"]["is_active"] is True and body["backtest_error"] == ""

    # Live: the account history's equity of each day, P&L since the deployment without the deposit.
    rows = {row["date"]: row for row in body["days"]}
    valued = order_selectors.account_list(user=user).get(pk=account.pk)
    equity_now = order_selectors.account_value(valued, order_selectors.account_prices([valued])).equity
    assert rows[d1.isoformat()]["live_equity"] == 10_000_000 and rows[d1.isoformat()]["live_return"] == 0
    assert rows[d2.isoformat()]["live_equity"] == 11_000_000 and rows[d2.isoformat()]["live_return"] == 0
    assert rows[d4.isoformat()]["live_equity"] == equity_now
    expected = (equity_now - 11_000_000) / 10_000_000
    assert rows[d4.isoformat()]["live_return"] == pytest.approx(expected) and expected > 0  # 50 × 500 − fees
    assert rows[d3.isoformat()]["live_return"] == pytest.approx(expected)
    for day in days:
        placed = Order.objects.filter(account=account, client_order_id__startswith=f"dep{deployment.pk}-{day:%Y%m%d}-")
        assert rows[day.isoformat()]["live_orders"] == placed.count()
    assert sum(row["live_orders"] for row in body["days"]) > 0  # the deployment did trade

    # Backtest: the same model from the last close before d1 with the same 10,000,000 won, same days.
    run = strategy.trained_run
    agent = pipeline.TrainedAgent.load(settings.ARTIFACTS_DIR / run.model_path, sha256=run.model_sha256)
    spec = agent.spec
    candles = data.candle_frame(symbols=spec.symbols, start=d1 - dt.timedelta(days=400), end=d4)
    opening = max(d for d in candles["date"] if d < d1.isoformat())
    features = pipeline.engineer_features(candles, indicators=spec.indicators, use_turbulence=False)
    spec.initial_cash = 10_000_000.0
    same_days = pipeline.split(features, opening, d4.isoformat())
    episode = pipeline.run_episode(pipeline.make_env(same_days, spec), agent.act)
    backtested = dict(zip(episode.dates, episode.equity, strict=True))
    assert body["backtest_start"] == opening and body["backtest_through"] == d4.isoformat()
    for day in days:
        row = rows[day.isoformat()]
        assert row["backtest_equity"] == pytest.approx(backtested[day.isoformat()], abs=0.01)
        assert row["backtest_return"] == pytest.approx(backtested[day.isoformat()] / 10_000_000 - 1, abs=1e-8)
        assert row["backtest_trades"] == sum(1 for t in episode.trades if t["date"] == day.isoformat())
        assert row["difference"] == pytest.approx(row["live_return"] - row["backtest_return"])
    assert body["common_days"] == 4
    assert body["live_metrics"]["cumulative_return"] == pytest.approx(expected)
    assert body["backtest_metrics"]["cumulative_return"] == pytest.approx(
        backtested[d4.isoformat()] / 10_000_000 - 1, abs=1e-8
    )

    # Undeployed, the record stays, ending on the day it stopped; nobody else sees it.
    assert auth_client.post(f"/api/v1/strategies/{strategy.pk}/undeploy").status_code == 200
    stopped = auth_client.get(f"/api/v1/strategies/{strategy.pk}/deployment").json()
    assert stopped["deployment"]["is_active"] is False and stopped["last_day"] == d4.isoformat()
    api_client.force_authenticate(other_user)
    assert api_client.get(f"/api/v1/strategies/{strategy.pk}/deployment").status_code == 404


def test_a_strategy_never_deployed_has_no_track_record(auth_client, user):
    dates = zigzag_market(("000010",), start="2021-01-04", days=140)
    strategy = services.strategy_create(
        owner=user,
        name="raw",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
    )
    response = auth_client.get(f"/api/v1/strategies/{strategy.pk}/deployment")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == selectors.NEVER_DEPLOYED == "이 전략은 아직 배포한 적이 없습니다."
