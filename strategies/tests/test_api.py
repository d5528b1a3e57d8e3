"""The strategies API: specs checked up front, runs private to their owner, train → backtest → results."""

from pathlib import Path

import pytest
from django.conf import settings

from jobs.models import Job
from strategies import services
from strategies.models import StrategyRun
from strategies.tests.factories import zigzag_market

pytestmark = pytest.mark.django_db

TINY_PPO = {"total_timesteps": 256, "n_steps": 64, "batch_size": 32, "n_epochs": 2, "net_arch": [16]}


def spec(dates, **overrides):
    body = {
        "name": "zigzag",
        "algorithm": "PPO",
        "symbols": ["000010", "000020"],
        "train_start": dates[0],
        "train_end": dates[99],
        "test_start": dates[100],
        "test_end": dates[-1],
        "indicators": ["close_2_sma", "rsi_6"],
        "hyperparameters": TINY_PPO,
        "initial_cash": 10_000_000,
        "seed": 3,
    }
    body.update(overrides)
    return body


@pytest.fixture
def dates():
    return zigzag_market()


def create(client, body):
    response = client.post("/api/v1/strategies", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_and_read_a_strategy(auth_client, dates):
    created = create(auth_client, spec(dates))
    assert created["symbols"] == ["000010", "000020"]
    assert created["is_trained"] is False and created["deployment"] is None
    listed = auth_client.get("/api/v1/strategies").json()
    assert [s["id"] for s in listed["results"]] == [created["id"]]
    assert auth_client.get(f"/api/v1/strategies/{created['id']}").json()["indicators"] == ["close_2_sma", "rsi_6"]


def test_default_indicators_are_finrls(auth_client, dates):
    body = spec(dates)
    del body["indicators"]
    assert create(auth_client, body)["indicators"][:3] == ["macd", "boll_ub", "boll_lb"]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"symbols": ["000010", "999999"]}, "symbols", "Unknown symbol(s): 999999"),
        ({"algorithm": "DQN"}, "algorithm", "DQN"),
        ({"train_start": "2019-01-01", "train_end": "2019-12-31"}, "train_start", "No daily candles"),
        ({"test_end": "2030-12-31", "test_start": "2030-01-02"}, "test_start", "No daily candles"),
        ({"indicators": ["macd", "magic_7"]}, "indicators", "Unknown indicator 'magic_7'"),
        ({"hyperparameters": {"n_steps": 64, "buffer_size": 10}}, "hyperparameters", "PPO has no hyperparameter"),
        ({"algorithm": "SAC", "hyperparameters": {"n_steps": 5}}, "hyperparameters", "SAC has no hyperparameter"),
        ({"hyperparameters": {"learning_rate": -1}}, "hyperparameters", "learning_rate must be between"),
    ],
)
def test_bad_specs_are_refused_with_the_reason(auth_client, dates, overrides, field, fragment):
    response = auth_client.post("/api/v1/strategies", spec(dates, **overrides), format="json")
    # An algorithm outside the schema's enum is a 400; the rest keep to the schema and are 422s.
    assert response.status_code == (400 if field == "algorithm" else 422)
    error = response.json()["error"]
    assert field in error["fields"]
    assert fragment in error["message"]


def test_overlapping_periods_are_refused(auth_client, dates):
    response = auth_client.post("/api/v1/strategies", spec(dates, test_start=dates[50]), format="json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == services.PERIODS_OVERLAP


def test_backtest_before_training_is_refused(auth_client, dates):
    strategy = create(auth_client, spec(dates))
    response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/backtest")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == services.NOT_TRAINED
    assert not StrategyRun.objects.exists()


def test_strategies_and_runs_are_private(auth_client, api_client, other_user, dates):
    strategy = create(auth_client, spec(dates))
    api_client.force_authenticate(other_user)
    assert api_client.get("/api/v1/strategies").json()["count"] == 0
    for method, url in [
        ("get", f"/api/v1/strategies/{strategy['id']}"),
        ("post", f"/api/v1/strategies/{strategy['id']}/train"),
        ("get", f"/api/v1/strategies/{strategy['id']}/runs"),
        ("delete", f"/api/v1/strategies/{strategy['id']}"),
    ]:
        assert getattr(api_client, method)(url).status_code == 404


@pytest.mark.slow
def test_create_train_backtest_and_read_results(auth_client, dates, django_capture_on_commit_callbacks):
    strategy = create(auth_client, spec(dates))
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/train")
    assert response.status_code == 202
    train = StrategyRun.objects.get(pk=response.json()["id"])
    assert train.status == "succeeded", train.error
    job = Job.objects.get(pk=train.job_id)
    assert job.status == "succeeded" and job.progress == 100
    assert job.result["timesteps_total"] == 256 and job.result["timesteps_done"] > 0
    assert len(train.model_sha256) == 64 and (Path(settings.ARTIFACTS_DIR) / train.model_path).exists()
    assert auth_client.get(f"/api/v1/strategies/{strategy['id']}").json()["is_trained"] is True

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/backtest")
    assert response.status_code == 202
    run = auth_client.get(f"/api/v1/strategies/runs/{response.json()['id']}").json()
    assert run["status"] == "succeeded", run["error"]
    test_days = len(dates) - 100
    assert len(run["equity_curve"]) == test_days and len(run["daily_returns"]) == test_days - 1
    first = run["equity_curve"][0]
    assert first["date"] == dates[100] and set(first) == {"date", "equity", "benchmark", "baseline"}
    for block in ("metrics", "benchmark_metrics", "baseline_metrics"):
        assert {"cumulative_return", "sharpe", "max_drawdown", "win_rate", "turnover"} <= set(run[block])
    assert run["benchmark_metrics"]["trades"] == 2  # one buy per symbol, held
    assert run["metrics"]["cumulative_return"] == pytest.approx(
        run["equity_curve"][-1]["equity"] / 10_000_000 - 1, abs=1e-6
    )
    runs = auth_client.get(f"/api/v1/strategies/{strategy['id']}/runs").json()
    assert [r["kind"] for r in runs["results"]] == ["backtest", "train"]

    # Changing what the model was trained on makes it stale: a backtest needs a new training.
    response = auth_client.patch(f"/api/v1/strategies/{strategy['id']}", {"seed": 4}, format="json")
    assert response.status_code == 200 and response.json()["is_trained"] is False
    assert auth_client.post(f"/api/v1/strategies/{strategy['id']}/backtest").status_code == 422


@pytest.mark.slow
def test_same_data_seed_and_parameters_give_the_same_metrics(auth_client, dates, django_capture_on_commit_callbacks):
    results = []
    for name in ("first", "second"):
        strategy = create(auth_client, spec(dates, name=name))
        with django_capture_on_commit_callbacks(execute=True):
            auth_client.post(f"/api/v1/strategies/{strategy['id']}/train")
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/backtest")
        run = auth_client.get(f"/api/v1/strategies/runs/{response.json()['id']}").json()
        assert run["status"] == "succeeded", run["error"]
        results.append(run)
    assert results[0]["metrics"] == results[1]["metrics"]
    assert results[0]["metrics"]["model_sha256"] == results[1]["metrics"]["model_sha256"]  # the same model file
    assert results[0]["data_sha256"] == results[1]["data_sha256"] and len(results[0]["data_sha256"]) == 64
    assert results[0]["trades"] == results[1]["trades"]
    assert results[0]["equity_curve"] == results[1]["equity_curve"]


def test_a_cancelled_queued_training_never_runs(auth_client, user, dates, django_capture_on_commit_callbacks):
    from jobs.services import job_cancel
    from strategies.rl.runs import execute_run

    strategy = create(auth_client, spec(dates))
    with django_capture_on_commit_callbacks(execute=False):
        response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/train")
    run = StrategyRun.objects.get(pk=response.json()["id"])
    job_cancel(job_id=run.job_id)
    execute_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "cancelled" and run.model_path == ""
    assert auth_client.get(f"/api/v1/strategies/{strategy['id']}").json()["is_trained"] is False


def test_demo_seed_creates_one_untrained_strategy_once(user):
    import io

    from strategies import demo
    from strategies.models import Strategy
    from strategies.tests.factories import random_walk_market

    random_walk_market(tuple(demo.DEMO_SYMBOLS), start="2023-01-02", days=500)
    out = io.StringIO()
    demo.seed(user=user, stdout=out)
    demo.seed(user=user, stdout=out)
    strategy = Strategy.objects.get(owner=user)
    assert strategy.name == demo.DEMO_STRATEGY_NAME and not strategy.is_trained
    assert "exists" in out.getvalue()


def test_deleting_a_strategy_cancels_its_queued_run(auth_client, dates, django_capture_on_commit_callbacks):
    strategy = create(auth_client, spec(dates))
    with django_capture_on_commit_callbacks(execute=False):
        run = auth_client.post(f"/api/v1/strategies/{strategy['id']}/train").json()
    assert auth_client.delete(f"/api/v1/strategies/{strategy['id']}").status_code == 204
    assert not StrategyRun.objects.filter(pk=run["id"]).exists()
    assert Job.objects.get(pk=run["job"]).status == "cancelled"
    assert auth_client.get(f"/api/v1/strategies/{strategy['id']}").status_code == 404
