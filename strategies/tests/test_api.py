"""The strategies API: specs checked up front, runs private to their owner, train → backtest → results."""

from pathlib import Path

import pytest
from django.conf import settings

from jobs.models import Job
from orders import services as order_services
from strategies import selectors, services, specs
from strategies.models import StrategyRun
from strategies.tests.factories import zigzag_market

pytestmark = pytest.mark.django_db

TINY_PPO = {"total_timesteps": 256, "n_steps": 64, "batch_size": 32, "n_epochs": 2, "net_arch": [16]}
PPO_ALLOWED = ", ".join(sorted(specs.HYPERPARAMETERS["PPO"]))
SAC_ALLOWED = ", ".join(sorted(specs.HYPERPARAMETERS["SAC"]))


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
        ({"symbols": ["000010", "999999"]}, "symbols", services.UNKNOWN_SYMBOLS.format(codes="999999")),
        ({"algorithm": "DQN"}, "algorithm", "DQN"),
        (
            {"train_start": "2019-01-01", "train_end": "2019-12-31"},
            "train_start",
            services.NO_CANDLES.format(
                period=services.PERIOD_TRAIN, start="2019-01-01", end="2019-12-31", codes="000010, 000020"
            ),
        ),
        (
            {"test_end": "2030-12-31", "test_start": "2030-01-02"},
            "test_start",
            services.NO_CANDLES.format(
                period=services.PERIOD_TEST, start="2030-01-02", end="2030-12-31", codes="000010, 000020"
            ),
        ),
        ({"indicators": ["macd", "magic_7"]}, "indicators", specs.INDICATOR_UNKNOWN.format(name="magic_7")),
        ({"indicators": ["rsi_6", "rsi_6"]}, "indicators", services.INDICATOR_REPEATED.format(names="rsi_6")),
        ({"indicators": ["rsi_1"]}, "indicators", specs.INDICATOR_WINDOW.format(name="rsi_1")),
        (
            {"hyperparameters": {"n_steps": 64, "buffer_size": 10}},
            "hyperparameters",
            specs.HYPERPARAMETER_UNKNOWN.format(algorithm="PPO", name="buffer_size", allowed=PPO_ALLOWED),
        ),
        (
            {"algorithm": "SAC", "hyperparameters": {"n_steps": 5}},
            "hyperparameters",
            specs.HYPERPARAMETER_UNKNOWN.format(algorithm="SAC", name="n_steps", allowed=SAC_ALLOWED),
        ),
        (
            {"hyperparameters": {"learning_rate": -1}},
            "hyperparameters",
            specs.HYPERPARAMETER_RANGE.format(name="learning_rate", low=1e-7, high=1.0),
        ),
        (
            {"hyperparameters": {"n_steps": 16, "batch_size": 32}},
            "hyperparameters",
            specs.PPO_BATCH_TOO_LARGE.format(batch_size=32, n_steps=16),
        ),
        (
            {"validation_start": "2030-01-01"},
            "validation_end",
            services.VALIDATION_BOTH,
        ),
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


def test_too_few_trading_days_are_refused_with_the_count(auth_client, dates):
    response = auth_client.post("/api/v1/strategies", spec(dates, train_end=dates[9]), format="json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == services.TOO_FEW_DAYS.format(
        period=services.PERIOD_TRAIN, start=dates[0], end=dates[9], count=10, minimum=services.MIN_TRAIN_BARS
    )


def test_refusals_reach_the_client_in_korean(auth_client, user, dates):
    """The words a person reads, as the SPA shows them: a refused spec and deploying an untrained strategy."""
    response = auth_client.post("/api/v1/strategies", spec(dates, indicators=["magic_7"]), format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == (
        "'magic_7'은(는) 지원하지 않는 지표입니다. macd, boll_ub, rsi_30, cci_30, close_30_sma 같은 "
        "stockstats 지표 이름을 사용해 주세요."
    )
    assert error["fields"] == {"indicators": [error["message"]]}

    response = auth_client.post("/api/v1/strategies", spec(dates, test_start=dates[50]), format="json")
    assert response.json()["error"]["message"] == (
        "테스트 기간은 학습 기간이 끝난 뒤에 시작해야 합니다(두 기간은 겹칠 수 없습니다)."
    )

    strategy = create(auth_client, spec(dates))
    account = order_services.account_create(owner=user, name="bot", initial_cash=1_000_000)
    response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/deploy", {"account": account.pk}, format="json")
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "not_trained",
        "message": "백테스트하거나 배포하려면 먼저 전략을 학습해 주세요.",
        "fields": {},
    }

    response = auth_client.post(f"/api/v1/strategies/{strategy['id']}/undeploy")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "이 전략은 배포되어 있지 않습니다."
    response = auth_client.get("/api/v1/strategies/999999")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == selectors.STRATEGY_NOT_FOUND == "전략을 찾을 수 없습니다."
    response = auth_client.get("/api/v1/strategies/runs/999999")
    assert response.status_code == 404 and response.json()["error"]["message"] == selectors.RUN_NOT_FOUND


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


def test_a_finished_run_cannot_be_cancelled(auth_client, dates, django_capture_on_commit_callbacks):
    from config.exceptions import Conflict

    strategy = create(auth_client, spec(dates))
    with django_capture_on_commit_callbacks(execute=False):
        run = auth_client.post(f"/api/v1/strategies/{strategy['id']}/train").json()
    services.run_cancel(run_id=run["id"])
    with pytest.raises(Conflict) as refused:
        services.run_cancel(run_id=run["id"])
    assert refused.value.message == services.RUN_FINISHED


def test_service_refusals_name_the_value(user, dates):
    from config.exceptions import DomainError

    base = {k: v for k, v in spec(dates).items() if k != "hyperparameters"}
    with pytest.raises(DomainError) as refused:
        services.strategy_create(owner=user, **{**base, "initial_cash": 50_000})
    assert refused.value.message == services.INITIAL_CASH_TOO_LOW == "초기 자금은 100,000원 이상으로 입력해 주세요."
    with pytest.raises(DomainError) as refused:
        services.strategy_create(owner=user, **{**base, "train_start": "31/01/2024"})
    assert refused.value.message == services.BAD_DATE.format(field="train_start")
    with pytest.raises(DomainError) as refused:
        services.strategy_create(owner=user, **{**base, "indicators": "macd"})
    assert refused.value.message == services.INDICATORS_NOT_LIST
    strategy = services.strategy_create(owner=user, **base)
    with pytest.raises(DomainError) as refused:
        services.strategy_update(strategy_id=strategy.pk, owner=user)
    assert refused.value.message == services.CANNOT_CHANGE.format(fields="owner")
    account = order_services.account_create(owner=user, name="bot", initial_cash=1_000_000)
    strategy.trained_run = StrategyRun.objects.create(strategy=strategy, kind="train", status="succeeded")
    strategy.save()
    with pytest.raises(DomainError) as refused:
        services.strategy_deploy(strategy_id=strategy.pk, owner=user, account_id=account.pk, interval_seconds=1)
    assert refused.value.message == services.BAD_INTERVAL
