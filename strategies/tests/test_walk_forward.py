"""Walk-forward runs: a model per window, trained on nothing after its training end, tested on the next
window; the tests meet without overlapping and stitch into one continuous equity curve."""

import datetime as dt

import pytest
from django.db.models import F

from config.exceptions import DomainError
from historical.models import Candle
from jobs.models import Job
from market.timetable import SEOUL
from strategies import metrics, services, walkforward
from strategies.models import StrategyRun
from strategies.tests.factories import zigzag_market

TINY_PPO = {"total_timesteps": 256, "n_steps": 64, "batch_size": 32, "n_epochs": 2, "net_arch": [16]}
D = dt.date.fromisoformat


# --- the windows (pure) -------------------------------------------------------------------------------


@pytest.mark.parametrize("training", [walkforward.ROLLING, walkforward.EXPANDING])
def test_windows_tile_the_test_period_and_train_before_each_test(training):
    found = walkforward.windows(
        train_start=D("2020-01-01"),
        train_end=D("2020-12-31"),
        validation_start=D("2021-01-01"),
        validation_end=D("2021-03-31"),
        test_start=D("2021-04-01"),
        test_end=D("2022-02-14"),
        months=3,
        training=training,
    )
    assert [(w.test_start, w.test_end) for w in found] == [
        (D("2021-04-01"), D("2021-06-30")),
        (D("2021-07-01"), D("2021-09-30")),
        (D("2021-10-01"), D("2021-12-31")),
        (D("2022-01-01"), D("2022-02-14")),
    ]
    for window in found:
        assert window.train_start < window.train_end < window.validation_start <= window.validation_end
        assert window.seen_until == window.validation_end < window.test_start
        # the strategy's own gaps and lengths, measured back from each window's test start
        assert window.test_start - window.validation_end == dt.timedelta(days=1)
        assert window.validation_end - window.validation_start == dt.timedelta(days=89)
        assert window.train_end - window.train_start == (
            dt.timedelta(days=365) if training == walkforward.ROLLING else window.train_end - D("2020-01-01")
        )
    if training == walkforward.EXPANDING:
        assert {w.train_start for w in found} == {D("2020-01-01")}
    else:
        # moved by the same number of days as its test start
        assert [w.train_start for w in found] == [D("2020-01-01") + (w.test_start - D("2021-04-01")) for w in found]
        assert [w.train_start for w in found][:2] == [D("2020-01-01"), D("2020-04-01")]


def test_months_end_on_the_last_day_when_shorter():
    assert walkforward.add_months(D("2021-01-31"), 1) == D("2021-02-28")
    assert walkforward.add_months(D("2020-01-31"), 1) == D("2020-02-29")
    assert walkforward.add_months(D("2021-11-30"), 3) == D("2022-02-28")
    found = walkforward.windows(
        train_start=D("2020-01-01"),
        train_end=D("2021-01-30"),
        test_start=D("2021-01-31"),
        test_end=D("2021-05-31"),
        months=1,
    )
    assert [w.test_start for w in found] == [
        D("2021-01-31"),
        D("2021-02-28"),
        D("2021-03-31"),
        D("2021-04-30"),
        D("2021-05-31"),  # a window of one day: test_end is its first
    ]
    assert found[-1].test_end == D("2021-05-31")
    assert all(a.test_end + dt.timedelta(days=1) == b.test_start for a, b in zip(found, found[1:], strict=False))
    assert all(w.train_end < w.test_start for w in found)


# --- the spec and the API -----------------------------------------------------------------------------


def spec(dates, **overrides):
    body = {
        "name": "walk",
        "algorithm": "PPO",
        "symbols": ["000010"],
        "train_start": dates[0],
        "train_end": dates[89],
        "validation_start": dates[90],
        "validation_end": dates[119],
        "test_start": dates[120],
        "test_end": dates[-1],
        "indicators": ["close_2_sma", "rsi_6"],
        "hyperparameters": TINY_PPO,
        "initial_cash": 10_000_000,
        "seed": 5,
        "walk_forward_months": 3,
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_walk_forward_is_the_owners_only(auth_client, api_client, other_user):
    dates = zigzag_market(("000010",), start="2021-01-04", days=260)
    strategy = auth_client.post("/api/v1/strategies", spec(dates), format="json").json()
    api_client.force_authenticate(other_user)
    assert api_client.post(f"/api/v1/strategies/{strategy['id']}/walk-forward").status_code == 404
    assert not StrategyRun.objects.exists()


@pytest.mark.django_db
def test_walk_forward_needs_its_interval_and_a_sane_number_of_windows(auth_client, user):
    dates = zigzag_market(("000010",), start="2019-01-01", days=700)
    response = auth_client.post("/api/v1/strategies", spec(dates, walk_forward_months=None), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["walk_forward_months"] is None and created["walk_forward_training"] == "rolling"
    response = auth_client.post(f"/api/v1/strategies/{created['id']}/walk-forward")
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "walk_forward_off",
        "message": services.WALK_FORWARD_OFF,
        "fields": {"walk_forward_months": [services.WALK_FORWARD_OFF]},
    }
    assert auth_client.post("/api/v1/strategies", spec(dates, walk_forward_months=0), format="json").status_code == 400

    # 1-month windows over a test period of more than two years: more than MAX_WINDOWS trainings
    response = auth_client.patch(f"/api/v1/strategies/{created['id']}", {"walk_forward_months": 1}, format="json")
    assert response.status_code == 200 and response.json()["walk_forward_months"] == 1
    response = auth_client.post(f"/api/v1/strategies/{created['id']}/walk-forward")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == services.TOO_MANY_WINDOWS.format(months=1)
    assert not StrategyRun.objects.exists() and not Job.objects.exists()

    with pytest.raises(DomainError) as refused:
        services.strategy_create(owner=user, **{**spec(dates), "walk_forward_months": 40})
    assert refused.value.message == services.BAD_WALK_FORWARD_MONTHS
    with pytest.raises(DomainError) as refused:
        services.strategy_create(owner=user, **{**spec(dates), "walk_forward_training": "sideways"})
    assert refused.value.message == services.BAD_WALK_FORWARD_TRAINING


@pytest.mark.django_db
def test_a_window_without_candles_is_refused_by_name(auth_client):
    dates = zigzag_market(("000010",), start="2021-01-04", days=260)
    strategy = auth_client.post("/api/v1/strategies", spec(dates), format="json").json()
    # the last window (from the 3rd month after the test start on) loses its candles
    last = walkforward.windows_of(spec(dates))[-1]
    Candle.objects.filter(time__gte=dt.datetime.combine(last.test_start, dt.time(), tzinfo=SEOUL)).delete()
    response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/walk-forward")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == services.NO_CANDLES.format(
        period=services.WINDOW_PERIOD.format(index=last.index, period=services.PERIOD_TEST),
        start=last.test_start,
        end=last.test_end,
        codes="000010",
    )


# --- a real walk-forward run ----------------------------------------------------------------------------


def _walk(auth_client, strategy_id, capture):
    with capture(execute=True):
        response = auth_client.post(f"/api/v1/strategies/{strategy_id}/walk-forward")
    assert response.status_code == 202, response.json()
    assert response.json()["kind"] == "walk_forward"
    run = auth_client.get(f"/api/v1/strategies/runs/{response.json()['id']}").json()
    assert run["status"] == "succeeded", run["error"]
    return run


@pytest.mark.slow
@pytest.mark.django_db
def test_walk_forward_trains_before_each_window_and_stitches_one_continuous_curve(
    auth_client, dates_for_walk, django_capture_on_commit_callbacks
):
    dates = dates_for_walk
    strategy = auth_client.post("/api/v1/strategies", spec(dates), format="json").json()
    first = _walk(auth_client, strategy["id"], django_capture_on_commit_callbacks)
    windows = first["windows"]
    assert [w["index"] for w in windows] == [1, 2, 3]
    assert windows[0]["test_start"] == dates[120] and windows[-1]["test_end"] == dates[-1]

    # The tests meet without overlapping; each model saw nothing after its training (+ validation) end.
    for window in windows:
        assert window["trained_through"] <= window["validation_end"] < window["test_start"]
        assert window["train_end"] < window["validation_start"]
        assert window["test_start"] <= window["first_day"] <= window["last_day"] <= window["test_end"]
    for before, after in zip(windows, windows[1:], strict=False):
        assert D(before["test_end"]) + dt.timedelta(days=1) == D(after["test_start"])
        assert before["last_day"] < after["first_day"]
        # rolling: the training period moved along by the test window, keeping its length
        assert D(after["train_start"]) - D(before["train_start"]) == D(after["test_start"]) - D(before["test_start"])

    # One curve: every test day once, in order; each window starts where the previous one ended.
    curve = first["equity_curve"]
    test_days = [d for d in dates if d >= dates[120]]
    assert [p["date"] for p in curve] == test_days
    assert curve[0]["equity"] == 10_000_000
    by_date = {p["date"]: p["equity"] for p in curve}
    for before, after in zip(windows, windows[1:], strict=False):
        assert after["start_equity"] == before["end_equity"] == by_date[before["last_day"]]
    assert curve[-1]["equity"] == windows[-1]["end_equity"]
    assert sum(w["trades"] for w in windows) == len(first["trades"]) > 0
    assert {p["date"] for p in curve} == set(test_days) and all("benchmark" in p and "baseline" in p for p in curve)

    # The metrics are the stitched curve's.
    equity = [p["equity"] for p in curve]
    assert first["metrics"]["period"] == "walk_forward" and first["metrics"]["windows"] == 3
    assert first["metrics"]["days"] == len(test_days) and first["metrics"]["trades"] == len(first["trades"])
    assert first["metrics"]["cumulative_return"] == pytest.approx(metrics.cumulative_return(equity), abs=1e-6)
    assert first["metrics"]["max_drawdown"] == pytest.approx(metrics.max_drawdown(equity), abs=1e-6)
    assert len(first["daily_returns"]) == len(test_days) - 1
    assert Job.objects.get(pk=first["job"]).message == "워크포워드을(를) 마쳤습니다."

    # Deterministic for a seed: the same spec and data give the same windows, models and curve.
    again = _walk(auth_client, strategy["id"], django_capture_on_commit_callbacks)
    assert [_without_path(w) for w in again["windows"]] == [_without_path(w) for w in windows]
    assert again["equity_curve"] == curve and again["metrics"] == first["metrics"]
    assert again["trades"] == first["trades"]

    # No look-ahead: change every bar after the first window's training end; its model is the same
    # model (it never saw them), the next window's (trained on them) is not.
    cut = dt.datetime.combine(D(windows[0]["validation_end"]) + dt.timedelta(days=1), dt.time(), tzinfo=SEOUL)
    changed = Candle.objects.filter(time__gte=cut).update(
        open=F("open") * 2, high=F("high") * 2, low=F("low") * 2, close=F("close") * 2, volume=F("volume") * 3
    )
    assert changed > 0
    after = _walk(auth_client, strategy["id"], django_capture_on_commit_callbacks)["windows"]
    assert after[0]["data_sha256"] == windows[0]["data_sha256"]
    assert after[0]["model_sha256"] == windows[0]["model_sha256"]
    assert after[1]["data_sha256"] != windows[1]["data_sha256"]
    assert after[1]["model_sha256"] != windows[1]["model_sha256"]
    assert after[0]["end_equity"] != windows[0]["end_equity"]  # its test (after the cut) did change


def _without_path(window):
    return {k: v for k, v in window.items() if k != "model_path"}


@pytest.fixture
def dates_for_walk():
    # ~a year of weekdays: training 90 days, validation 30, then three 3-month windows (the last short)
    return zigzag_market(("000010",), start="2021-01-04", days=260)
