import datetime as dt

import pytest
from rest_framework.test import APIClient

from historical import services
from historical.selectors import START_AFTER_END, TOO_MANY_BARS, UNKNOWN_SYMBOL
from historical.sources.base import Bar, day_start
from historical.sources.synthetic import synthetic_bars
from jobs.enums import JobStatus
from jobs.models import Job

pytestmark = pytest.mark.django_db

URL = "/api/v1/historical/candles"

# (day, open, high, low, close, volume, value): two January weeks and the first days of February.
DAILY = [
    (dt.date(2024, 1, 2), 100, 110, 95, 105, 10, 1000),
    (dt.date(2024, 1, 3), 105, 120, 100, 115, 20, None),
    (dt.date(2024, 1, 4), 115, 118, 90, 92, 30, 3000),
    (dt.date(2024, 1, 5), 92, 99, 91, 98, 40, 4000),
    (dt.date(2024, 1, 8), 98, 130, 97, 125, 50, 5000),
    (dt.date(2024, 1, 9), 125, 126, 110, 111, 60, 6000),
    (dt.date(2024, 2, 1), 200, 210, 190, 205, 70, 7000),
    (dt.date(2024, 2, 2), 205, 206, 150, 160, 80, 8000),
]


def candle(time: str, o: int, h: int, lo: int, c: int, v: int, value: int | None) -> dict:
    return {"time": time, "open": o, "high": h, "low": lo, "close": c, "volume": v, "value": value}


@pytest.fixture
def daily(samsung):
    bars = [
        Bar(time=day_start(d), open=o, high=h, low=lo, close=c, volume=v, value=val) for d, o, h, lo, c, v, val in DAILY
    ]
    services.candles_upsert(symbol_id=samsung.pk, bars=bars[::-1], source="fdr")
    return samsung


@pytest.fixture
def staff_client(django_user_model) -> APIClient:
    staff = django_user_model.objects.create_user(username="ops", password="correct-horse-battery", is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    return client


def test_daily_candles(auth_client, daily, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = auth_client.get(URL, {"symbol": "005930", "start": "2024-01-04", "end": "2024-01-08"})
    assert response.status_code == 200
    assert response.json() == {
        "symbol": "005930",
        "timeframe": "1d",
        "simulated": False,
        "candles": [
            candle("2024-01-04", 115, 118, 90, 92, 30, 3000),
            candle("2024-01-05", 92, 99, 91, 98, 40, 4000),
            candle("2024-01-08", 98, 130, 97, 125, 50, 5000),
        ],
    }


def test_weekly_candles_are_aggregated_by_the_database(auth_client, daily):
    response = auth_client.get(URL, {"symbol": "005930", "timeframe": "1w"})
    assert response.status_code == 200
    assert response.json()["candles"] == [
        candle("2024-01-01", 100, 120, 90, 98, 100, 8000),
        candle("2024-01-08", 98, 130, 97, 111, 110, 11000),
        candle("2024-01-29", 200, 210, 150, 160, 150, 15000),
    ]
    # A range cutting a week aggregates only the days inside it.
    response = auth_client.get(URL, {"symbol": "005930", "timeframe": "1w", "start": "2024-01-03", "end": "2024-01-08"})
    assert response.json()["candles"] == [
        candle("2024-01-01", 105, 120, 90, 98, 90, 7000),
        candle("2024-01-08", 98, 130, 97, 125, 50, 5000),
    ]


def test_monthly_candles_are_aggregated_by_the_database(auth_client, daily, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = auth_client.get(URL, {"symbol": "005930", "timeframe": "1M"})
    assert response.json()["candles"] == [
        candle("2024-01-01", 100, 130, 90, 111, 210, 19000),
        candle("2024-02-01", 200, 210, 150, 160, 150, 15000),
    ]


def test_synthetic_bars_are_flagged_simulated(auth_client, samsung):
    bars = synthetic_bars(code="005930", start=dt.date(2024, 1, 1), end=dt.date(2024, 2, 29))
    services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="synthetic")
    for timeframe in ("1d", "1w", "1M"):
        body = auth_client.get(URL, {"symbol": "005930", "timeframe": timeframe}).json()
        assert body["simulated"] is True and body["candles"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "symbol"),
        ({"symbol": "005930", "start": "2024-13-01"}, "start"),
        ({"symbol": "005930", "end": "yesterday"}, "end"),
        ({"symbol": "005930", "timeframe": "3m"}, "timeframe"),
        ({"symbol": "5930"}, "symbol"),
        ({"symbol": ""}, "symbol"),
    ],
)
def test_bad_parameters_are_400_with_the_field(auth_client, daily, params, field):
    response = auth_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_start_after_the_end_keeps_to_the_schema_and_is_refused_with_422(auth_client, daily):
    response = auth_client.get(URL, {"symbol": "005930", "start": "2024-02-01", "end": "2024-01-01"})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid",
        "message": START_AFTER_END,
        "fields": {"start": [START_AFTER_END]},
    }


def test_unknown_symbol_is_404(auth_client, db):
    response = auth_client.get(URL, {"symbol": "999999"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == UNKNOWN_SYMBOL.format(code="999999")
    assert UNKNOWN_SYMBOL.format(code="999999") == "999999 종목을 찾을 수 없습니다."


def test_result_size_is_bounded(auth_client, daily, settings):
    settings.HISTORICAL_MAX_BARS = 5
    response = auth_client.get(URL, {"symbol": "005930"})
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "too_many_bars",
        "message": TOO_MANY_BARS.format(limit=5),
        "fields": {},
    }
    assert auth_client.get(URL, {"symbol": "005930", "timeframe": "1M"}).status_code == 200


def test_candles_need_a_login(api_client, daily):
    assert api_client.get(URL, {"symbol": "005930"}).status_code in (401, 403)


def test_coverage_reports_missing_trading_days_as_gaps(auth_client, samsung):
    days = [dt.date(2024, 1, 2), dt.date(2024, 1, 3), dt.date(2024, 1, 8), dt.date(2024, 1, 12), dt.date(2024, 2, 13)]
    bars = [Bar(time=day_start(d), open=10, high=10, low=10, close=10, volume=1) for d in days]
    services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="csv")
    response = auth_client.get("/api/v1/historical/coverage", {"symbol": "005930"})
    assert response.status_code == 200
    assert response.json() == {
        "symbol": "005930",
        "timeframe": "1d",
        "first": "2024-01-02",
        "last": "2024-02-13",
        "bars": 5,
        "gaps": [
            {"start": "2024-01-04", "end": "2024-01-05"},
            {"start": "2024-01-09", "end": "2024-01-11"},
            # 2024-02-09..12 are the Seollal holidays: not gaps.
            {"start": "2024-01-15", "end": "2024-02-08"},
        ],
    }


def test_coverage_of_a_symbol_without_bars(auth_client, samsung):
    body = auth_client.get("/api/v1/historical/coverage", {"symbol": "005930"}).json()
    assert (body["first"], body["last"], body["bars"], body["gaps"]) == (None, None, 0, [])
    assert auth_client.get("/api/v1/historical/coverage", {"symbol": "123456"}).status_code == 404
    assert auth_client.get("/api/v1/historical/coverage").status_code == 400


def test_backfill_is_for_staff_only(auth_client, samsung):
    response = auth_client.post(
        "/api/v1/historical/backfills", {"symbols": ["005930"], "start": "2024-01-01"}, format="json"
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_staff_starts_a_backfill_job(staff_client, samsung, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/api/v1/historical/backfills",
            {"symbols": ["005930"], "start": "2024-01-01", "end": "2024-01-31", "source": "synthetic"},
            format="json",
        )
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == services.JOB_KIND_BACKFILL
    assert body["params"] == {"symbols": ["005930"], "start": "2024-01-01", "end": "2024-01-31", "source": "synthetic"}
    job = Job.objects.get(pk=body["id"])
    assert job.status == JobStatus.SUCCEEDED and job.result["rows_written"] == 22


@pytest.mark.parametrize(
    ("payload", "status", "field", "message"),
    [
        (
            {"symbols": ["005930", "999999", "888888"], "start": "2024-01-01"},
            404,
            "symbols",
            services.UNKNOWN_SYMBOLS.format(codes="999999, 888888"),
        ),
        ({"symbols": ["005930"], "start": "2024-01-01", "source": "csv"}, 422, "source", services.CSV_NOT_BY_API),
        ({"symbols": ["005930"], "start": "2024-02-01", "end": "2024-01-01"}, 422, "start", services.START_AFTER_END),
        ({"symbols": ["5930"], "start": "2024-01-01"}, 400, "symbols", None),
        ({"symbols": [], "start": "2024-01-01"}, 400, "symbols", None),
        ({"symbols": ["005930"], "start": "2024-01-01", "source": "yahoo"}, 400, "source", None),
    ],
)
def test_backfill_validation(staff_client, samsung, payload, status, field, message):
    response = staff_client.post("/api/v1/historical/backfills", payload, format="json")
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]
    if message is not None:
        assert response.json()["error"]["message"] == message
    assert not Job.objects.exists()
