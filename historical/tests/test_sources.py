import datetime as dt
import time

import pytest

from historical.calendar import trading_days
from historical.sources.base import SourceError, day_start
from historical.sources.csv import CsvSource
from historical.sources.fdr import FdrSource
from historical.sources.synthetic import SyntheticSource, synthetic_bars
from market.rules import is_on_tick, price_limit_band
from market.timetable import SEOUL

ROWS = [
    ("20240102", 78200, 79800, 78200, 79600, 17142847),
    ("20240103", 78500, 78800, 77000, 77000, 21753644),
    ("20240104", 76100, 77300, 76100, 76600, 15324439),
    ("20240105", 76700, 77100, 76400, 76600, 11304316),
]


def test_fdr_reads_the_real_library_against_the_fake_chart_server(naver_chart):
    naver_chart.rows["005930"] = ROWS
    bars = FdrSource().fetch(code="005930", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 5))

    assert [(b.time, b.open, b.high, b.low, b.close, b.volume, b.value) for b in bars] == [
        (day_start(dt.date(2024, 1, 3)), 78500, 78800, 77000, 77000, 21753644, None),
        (day_start(dt.date(2024, 1, 4)), 76100, 77300, 76100, 76600, 15324439, None),
        (day_start(dt.date(2024, 1, 5)), 76700, 77100, 76400, 76600, 11304316, None),
    ]
    assert bars[0].time.tzinfo == SEOUL and bars[0].time.hour == 0
    # The library's own request went out, only the host was redirected.
    assert naver_chart.requests == ["/sise.nhn?timeframe=day&count=6000&requestType=0&symbol=005930"]


def test_fdr_unknown_code_gives_no_bars(naver_chart):
    assert FdrSource().fetch(code="999999", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31)) == []


def test_fdr_http_error_is_a_source_error(naver_chart):
    naver_chart.rows["005930"] = ROWS
    naver_chart.fail_next = 1
    with pytest.raises(SourceError, match="503"):
        FdrSource().fetch(code="005930", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))


def test_fdr_requests_time_out(naver_chart, settings):
    naver_chart.rows["005930"] = ROWS
    naver_chart.delay = 1.5
    settings.HISTORICAL_FDR_TIMEOUT = 0.3
    started = time.monotonic()
    with pytest.raises(SourceError, match="timed out"):
        FdrSource().fetch(code="005930", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))
    assert time.monotonic() - started < 1.2


def test_csv_reads_documented_columns_and_reports_bad_rows_by_line(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Volume,Value\n"
        "2024-01-02,78200,79800,78200,79600,17142847,1355000000000\n"
        "2024-01-03,78500,78800,77000,77000,21753644,\n"
        "2024-13-01,1,1,1,1,1,\n"
        "20240105,76700,77100,76400,abc,11304316,\n"
        '2024-01-08,"77,000",77500,76400,76500,1000.5\n'
        "2024-01-09,1,2\n",
        encoding="utf-8",
    )
    source = CsvSource(path=path)
    bars = source.fetch(code="005930", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))

    assert [(b.time.date(), b.close, b.value, b.line) for b in bars] == [
        (dt.date(2024, 1, 2), 79600, 1355000000000, 2),
        (dt.date(2024, 1, 3), 77000, None, 3),
    ]
    assert [(e.line, e.message) for e in source.errors] == [
        (4, "date '2024-13-01' is not YYYY-MM-DD"),
        (5, "close 'abc' is not a number"),
        (6, "volume '1000.5' is not a whole number"),
        (7, "expected 7 fields, found 3"),
    ]


def test_csv_without_required_columns_is_refused(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text("date,open,close\n2024-01-02,1,1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="high, low, volume"):
        CsvSource(path=path).fetch(code="005930", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))


def test_synthetic_bars_are_on_the_tick_grid_inside_the_band_on_trading_days():
    start, end = dt.date(2021, 1, 1), dt.date(2024, 12, 31)
    bars = SyntheticSource(seed=7).fetch(code="005930", start=start, end=end)

    assert [b.time.date() for b in bars] == list(trading_days(start, end))
    assert dt.date(2024, 2, 9) not in {b.time.date() for b in bars}  # Seollal holiday
    previous_close = synthetic_bars(code="005930", start=dt.date(2020, 12, 30), end=dt.date(2020, 12, 30), seed=7)[
        0
    ].close
    for bar in bars:
        lower, upper = price_limit_band(previous_close)
        for price in (bar.open, bar.high, bar.low, bar.close):
            assert is_on_tick(price)
            assert lower <= price <= upper
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
        assert bar.volume > 0
        previous_close = bar.close


def test_synthetic_bars_do_not_depend_on_the_requested_range():
    whole = synthetic_bars(code="000660", start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    tail = synthetic_bars(code="000660", start=dt.date(2023, 7, 1), end=dt.date(2023, 12, 31))
    assert tail == [b for b in whole if b.time.date() >= dt.date(2023, 7, 1)]
    assert synthetic_bars(code="005930", start=dt.date(2023, 1, 1), end=dt.date(2023, 1, 31)) != whole[:20]


def test_anchored_synthetic_bars_end_at_the_anchor_on_the_grid_inside_the_band():
    start, end = dt.date(2022, 1, 3), dt.date(2024, 12, 30)
    bars = synthetic_bars(code="005380", start=start, end=end, origin=start, anchor_close=231_500)
    assert bars[-1].close == 231_500
    assert [b.time.date() for b in bars] == list(trading_days(start, end))
    for previous, bar in zip(bars, bars[1:], strict=False):
        lower, upper = price_limit_band(previous.close)
        assert all(is_on_tick(p) and lower <= p <= upper for p in (bar.open, bar.high, bar.low, bar.close))
        assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high
