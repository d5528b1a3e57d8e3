import datetime as dt
import threading
import time

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from config.exceptions import DomainError, NotFound
from historical import services
from historical.enums import RejectReason
from historical.models import Candle
from historical.sources.base import Bar, day_start
from historical.sources.fdr import FdrSource
from historical.sources.synthetic import SyntheticSource, synthetic_bars
from market.models import Symbol

pytestmark = pytest.mark.django_db


def bar(day: int, o: int, h: int, lo: int, c: int, v: int = 1000, value: int | None = None) -> Bar:
    return Bar(time=day_start(dt.date(2024, 1, day)), open=o, high=h, low=lo, close=c, volume=v, value=value)


def stored(symbol: Symbol) -> list[tuple]:
    return list(
        Candle.objects.filter(symbol=symbol)
        .order_by("time")
        .values_list("time", "open", "high", "low", "close", "volume", "value", "source")
    )


def test_bars_failing_sanity_are_rejected_with_reasons_and_never_stored(samsung):
    bars = [
        bar(2, 100, 110, 90, 105),
        bar(3, 100, 90, 95, 92),  # high below low
        bar(4, 100, 105, 95, 108),  # high below close
        bar(5, 100, 110, 101, 105),  # low above open
        bar(8, 0, 110, 90, 105),  # zero price
        bar(9, 100, 110, 90, 105, v=-1),  # negative volume
        bar(10, 100, 110, 90, 106),
    ]
    report = services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="csv")

    assert (report.written, report.rejected) == (2, 5)
    assert dict(report.reasons) == {
        RejectReason.HIGH_BELOW_LOW: 1,
        RejectReason.HIGH_BELOW_OPEN_CLOSE: 1,
        RejectReason.LOW_ABOVE_OPEN_CLOSE: 1,
        RejectReason.NON_POSITIVE_PRICE: 1,
        RejectReason.NEGATIVE_VOLUME: 1,
    }
    assert [r.as_dict()["date"] for r in report.rejections] == [
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
        "2024-01-08",
        "2024-01-09",
    ]
    assert [row[0] for row in stored(samsung)] == [day_start(dt.date(2024, 1, 2)), day_start(dt.date(2024, 1, 10))]


def test_upsert_twice_stores_the_same_rows_and_later_loads_update(samsung):
    bars = synthetic_bars(code=samsung.code, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    first = services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="synthetic")
    rows = stored(samsung)
    ids = list(Candle.objects.order_by("time").values_list("id", flat=True))
    second = services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="synthetic")

    assert first.written == second.written == len(bars) == len(rows) == 245
    assert stored(samsung) == rows
    assert list(Candle.objects.order_by("time").values_list("id", flat=True)) == ids

    corrected = Bar(time=bars[-1].time, open=70000, high=71000, low=69000, close=70500, volume=5, value=None)
    services.candles_upsert(symbol_id=samsung.pk, bars=[corrected], source="fdr")
    last = Candle.objects.get(symbol=samsung, time=bars[-1].time)
    assert (last.open, last.high, last.low, last.close, last.volume, last.value, last.source) == (
        70000,
        71000,
        69000,
        70500,
        5,
        None,
        "fdr",
    )
    assert Candle.objects.count() == 245


def test_duplicate_times_in_one_load_keep_the_last_row(samsung):
    report = services.candles_upsert(
        symbol_id=samsung.pk, bars=[bar(2, 100, 110, 90, 105), bar(2, 100, 120, 90, 115)], source="csv"
    )
    assert (report.written, report.rejected, dict(report.reasons)) == (1, 1, {RejectReason.DUPLICATE: 1})
    assert stored(samsung)[0][4] == 115


def test_a_failing_load_leaves_nothing_behind(samsung):
    bars = synthetic_bars(code=samsung.code, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    too_big = Bar(time=day_start(dt.date(2024, 1, 2)), open=2**63, high=2**63, low=2**63, close=2**63, volume=1)
    with pytest.raises((DatabaseError, OverflowError)), transaction.atomic():
        services.candles_upsert(symbol_id=samsung.pk, bars=[*bars, too_big], source="synthetic")
    assert Candle.objects.count() == 0


def test_upsert_uses_copy_on_postgresql_and_bulk_create_elsewhere(samsung):
    bars = [bar(2, 100, 110, 90, 105), bar(3, 105, 115, 100, 110)]
    with CaptureQueriesContext(connection) as first:
        services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="csv")
    with CaptureQueriesContext(connection) as second:
        services.candles_upsert(symbol_id=samsung.pk, bars=[bar(3, 105, 116, 100, 111)], source="csv")
    new_rows = " ".join(q["sql"] for q in first.captured_queries)
    overlap = " ".join(q["sql"] for q in second.captured_queries)
    if connection.vendor == "postgresql":
        # Bars new to the table are copied straight in (COPY is not in Django's query log, so the
        # sign is the absence of staging and merge); bars that may exist merge through staging.
        assert "historical_candle_stage" not in new_rows and "ON CONFLICT" not in new_rows
        assert "historical_candle_stage" in overlap and "ON CONFLICT" in overlap
    else:
        assert "historical_candle_stage" not in new_rows + overlap and "ON CONFLICT" in overlap
    assert [(row[2], row[4]) for row in stored(samsung)] == [(110, 105), (116, 111)]


@pytest.mark.services
def test_copy_path_merges_many_symbols_in_one_statement(samsung, hynix):
    assert connection.vendor == "postgresql"
    start, end = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
    loads = [(s.pk, synthetic_bars(code=s.code, start=start, end=end)) for s in (samsung, hynix)]
    report = services.candles_upsert_many(loads=loads, source="synthetic")

    def tuple_ids() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM historical_candle ORDER BY id")
            return [row[0] for row in cursor.fetchall()]

    before = tuple_ids()
    again = services.candles_upsert_many(loads=loads, source="synthetic")
    assert report.written == again.written == sum(len(b) for _, b in loads) == Candle.objects.count()
    # The merge skipped every unchanged row: an update would have written new tuple versions.
    assert tuple_ids() == before


def test_ingest_sets_prev_close_from_the_latest_daily_bar(samsung):
    report = services.candles_ingest(
        code="005930", source=SyntheticSource(), start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 29)
    )
    samsung.refresh_from_db()
    last = Candle.objects.filter(symbol=samsung).order_by("-time").first()
    assert report.last == dt.date(2024, 3, 29) == last.time.astimezone(day_start(dt.date(2024, 1, 1)).tzinfo).date()
    assert samsung.prev_close == last.close


def test_ingest_from_fdr_dry_run_writes_nothing(samsung, naver_chart):
    naver_chart.rows["005930"] = [("20240102", 78200, 79800, 78200, 79600, 17142847)]
    report = services.candles_ingest(
        code="005930", source=FdrSource(), start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31), dry_run=True
    )
    assert (report.written, report.dry_run, Candle.objects.count()) == (1, True, 0)


def test_ingest_unknown_symbol_is_not_found(db):
    with pytest.raises(NotFound) as refused:
        services.candles_ingest(
            code="123456", source=SyntheticSource(), start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 2)
        )
    assert refused.value.message == "123456 종목을 찾을 수 없습니다."


def test_a_load_without_a_start_is_refused_in_korean(samsung):
    with pytest.raises(DomainError) as refused:
        services.candles_load_symbol(code="005930", source_name="synthetic", start=None, end=None, resume=False)
    assert (refused.value.message, refused.value.field) == (services.START_REQUIRED, "start")


def test_resume_starts_from_the_last_stored_bar(samsung):
    services.candles_ingest(
        code="005930", source=SyntheticSource(), start=dt.date(2024, 1, 2), end=dt.date(2024, 3, 29)
    )
    assert services.candles_resume_start(code="005930", start=dt.date(2024, 1, 2)) == dt.date(2024, 3, 29)
    assert services.candles_resume_start(code="005930", start=None) == dt.date(2024, 3, 29)
    # Asking for older history than stored starts where asked.
    assert services.candles_resume_start(code="005930", start=dt.date(2023, 1, 2)) == dt.date(2023, 1, 2)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_load_racing_another_loader_for_new_bars_falls_back_to_the_merge(samsung):
    """The fast path checks for stored bars, then COPYs. Another loader's bar that is not yet
    committed at the check makes the COPY wait on the unique index and then fail once it commits;
    the load must fall back to the staging merge and store every bar exactly once."""
    assert connection.vendor == "postgresql"
    bars = [bar(2, 100, 110, 90, 105), bar(3, 105, 115, 100, 110), bar(4, 110, 120, 105, 115)]
    other = connections.create_connection("default")
    other.ensure_connection()
    other.set_autocommit(False)
    with other.cursor() as cursor:  # the racing loader: bar 3 with other prices, not committed yet
        cursor.execute(
            "INSERT INTO historical_candle (symbol_id, timeframe, time, open, high, low, close, volume, source) "
            "VALUES (%s, '1d', %s, 1, 9, 1, 9, 1, 'fdr')",
            [samsung.pk, bars[1].time],
        )
    outcome: dict[str, object] = {}

    def load() -> None:
        try:
            outcome["report"] = services.candles_upsert(symbol_id=samsung.pk, bars=bars, source="csv")
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            connection.close()

    loader = threading.Thread(target=load)
    loader.start()
    try:
        deadline = time.monotonic() + 20
        with connection.cursor() as cursor:  # wait until our COPY is blocked on the other's row
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY%%'"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
            else:
                pytest.fail("the load never reached the COPY that waits for the racing insert")
        other.commit()
    finally:
        other.close()
        loader.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["report"].written == 3
    # Each bar once; the racing row was merged over with this load's prices.
    assert [(row[1], row[2], row[4], row[7]) for row in stored(samsung)] == [
        (100, 110, 105, "csv"),
        (105, 115, 110, "csv"),
        (110, 120, 115, "csv"),
    ]
