"""KOSPI/KOSDAQ as stored daily index candles: from FinanceDataReader's index cache (a local fake speaking
its CSV format) and, for the demo, computed from the synthetic market and marked simulated."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from historical import selectors, services
from historical.models import IndexCandle
from historical.sources.base import Bar, SourceError, day_start
from market.models import Symbol

pytestmark = pytest.mark.django_db

HEADER = "Date,Close,UpDown,Comp,Change,Open,High,Low,Volume,Amount,MarCap\n"
KS11_2024 = (
    HEADER + "2024-12-27,2404.77,2,-24.99,-0.0103,2425.19,2435.32,2399.92,403118345,8237101934440,1.97e15\n"
    "2024-12-30,2399.49,2,-5.28,-0.0022,2404.04,2407.63,2389.54,353412113,6520357654103,1.96e15\n"
)
KS11_2025 = HEADER + "2025-01-02,2398.94,2,-0.55,-0.0002,2400.2,2409.12,2390.11,416398762,7960015466240,1.96e15\n"


@pytest.fixture
def index_cache(settings) -> Iterator[dict]:
    state = {"files": {"ks11/2024.csv": KS11_2024, "ks11/2025.csv": KS11_2025}, "paths": [], "fail": False}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            state["paths"].append(self.path)
            if state["fail"]:
                self.send_response(503)
                self.end_headers()
                return
            prefix = "/FinanceData/fdr_krx_data_cache/refs/heads/master/data/index/year_"
            body = state["files"].get(self.path.removeprefix(prefix)) if self.path.startswith(prefix) else None
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.HISTORICAL_FDR_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.HISTORICAL_FDR_TIMEOUT = 2
    yield state
    server.shutdown()
    server.server_close()


def test_kospi_loads_from_finance_data_reader_index_cache(index_cache):
    written = services.index_candles_load(index="KS11", start=dt.date(2024, 12, 27), end=dt.date(2025, 1, 2))
    assert written == 3
    bars = list(IndexCandle.objects.filter(index="KS11").order_by("time"))
    assert [b.time for b in bars] == [
        day_start(dt.date(2024, 12, 27)),
        day_start(dt.date(2024, 12, 30)),
        day_start(dt.date(2025, 1, 2)),
    ]
    assert bars[0].close == Decimal("2404.77") and bars[0].open == Decimal("2425.19") and not bars[0].simulated
    assert any(path.endswith("year_ks11/2024.csv") for path in index_cache["paths"])
    ((name, closes, simulated),) = selectors.index_closes(start=dt.date(2024, 12, 1), end=dt.date(2025, 1, 31))
    assert name == "KOSPI" and not simulated and closes["2025-01-02"] == pytest.approx(2398.94)
    # a rerun replaces the same days
    assert services.index_candles_load(index="KS11", start=dt.date(2024, 12, 27), end=dt.date(2025, 1, 2)) == 3
    assert IndexCandle.objects.count() == 3


def test_a_failing_index_source_is_an_error_not_a_gap(index_cache):
    index_cache["fail"] = True
    with pytest.raises(SourceError):
        services.index_candles_load(index="KQ11", start=dt.date(2024, 1, 2), end=dt.date(2024, 12, 30))
    assert not IndexCandle.objects.exists()


def test_the_demo_index_follows_the_synthetic_market_and_is_marked_simulated():
    a = Symbol.objects.create(code="900001", name="A", market="KOSPI")
    b = Symbol.objects.create(code="900002", name="B", market="KOSPI")
    days = [dt.date(2024, 3, 4), dt.date(2024, 3, 5), dt.date(2024, 3, 6)]
    closes = {a.pk: [1000, 1100, 1210], b.pk: [2000, 2000, 1800]}
    loads = [
        (
            pk,
            [
                Bar(time=day_start(d), open=c, high=c, low=c, close=c, volume=10)
                for d, c in zip(days, values, strict=True)
            ],
        )
        for pk, values in closes.items()
    ]
    services.candles_upsert_many(loads=loads, source="synthetic")
    written = services.index_candles_simulate(start=days[0], end=days[-1])
    assert written["KS11"] == 3 and written["KQ11"] == 0
    levels = [
        float(c) for c in IndexCandle.objects.filter(index="KS11").order_by("time").values_list("close", flat=True)
    ]
    # day 2: mean(+10%, 0%) = +5%; day 3: mean(+10%, -10%) = 0%
    assert levels == pytest.approx([1000.0, 1050.0, 1050.0])
    ((_, _, simulated),) = selectors.index_closes(start=days[0], end=days[-1])
    assert simulated


def test_backfill_indices_command(index_cache, capsys):
    call_command("backfill_indices", "--start", "2024-12-27", "--end", "2025-01-02", "--index", "KS11")
    assert "KS11: 3 daily bars" in capsys.readouterr().out
