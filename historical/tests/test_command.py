import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from historical import services
from historical.models import Candle
from historical.sources.base import day_start

pytestmark = pytest.mark.django_db


def backfill(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("backfill_candles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_synthetic_backfill_with_progress_bar_and_restart(samsung, hynix):
    out, err = backfill(
        "--symbols", "005930,000660", "--start", "2024-01-01", "--end", "2024-03-29", "--source", "synthetic"
    )
    assert "2/2 symbols: 122 rows written, 0 rejected." in out
    assert "100%" in err and "2/2" in err  # tqdm's bar
    assert Candle.objects.count() == 122
    # A rerun resumes each symbol from its last stored bar and duplicates nothing.
    out, _ = backfill(
        "--symbols", "005930,000660", "--start", "2024-01-01", "--end", "2024-03-29", "--source", "synthetic"
    )
    assert "2/2 symbols: 2 rows written" in out
    assert Candle.objects.count() == 122
    samsung.refresh_from_db()
    assert samsung.prev_close == Candle.objects.filter(symbol=samsung).latest("time").close


def test_dry_run_stores_nothing(samsung):
    out, _ = backfill(
        "--symbols", "005930", "--start", "2024-01-01", "--end", "2024-01-31", "--source", "synthetic", "--dry-run"
    )
    assert "1/1 symbols: 22 rows would write, 0 rejected; dry run, nothing was stored." in out
    assert Candle.objects.count() == 0


def test_fdr_backfill_against_the_fake_source(samsung, naver_chart):
    naver_chart.rows["005930"] = [
        ("20240102", 78200, 79800, 78200, 79600, 17142847),
        ("20240103", 78500, 78800, 77000, 77000, 21753644),
    ]
    out, _ = backfill("--symbols", "005930", "--start", "2024-01-01", "--end", "2024-01-31")
    assert "1/1 symbols: 2 rows written, 0 rejected." in out
    assert list(Candle.objects.order_by("time").values_list("close", flat=True)) == [79600, 77000]


def test_csv_import_reports_rejected_rows_with_line_numbers(samsung, tmp_path):
    path = tmp_path / "samsung.csv"
    path.write_text(
        "date,open,high,low,close,volume\n"
        "2024-01-02,78200,79800,78200,79600,17142847\n"
        "2024-01-03,78500,77000,78800,77000,21753644\n"
        "2024-01-04,x,77300,76100,76600,15324439\n"
        "2024-01-05,76700,77100,76400,76600,-5\n",
        encoding="utf-8",
    )
    out, _ = backfill("--symbols", "005930", "--source", "csv", "--file", str(path))
    assert "005930 line 3: rejected (high_below_low)" in out
    assert "005930 line 4: rejected (unreadable_row) open 'x' is not a number" in out
    assert "005930 line 5: rejected (negative_volume)" in out
    assert "1/1 symbols: 1 rows written, 3 rejected" in out
    assert Candle.objects.get().time == day_start(dt.date(2024, 1, 2))


def test_source_failures_are_reported_and_the_command_fails(samsung, naver_chart):
    naver_chart.fail_next = 10
    with pytest.raises(CommandError, match="1 symbol\\(s\\) failed"):
        backfill("--symbols", "005930", "--start", "2024-01-01", "--end", "2024-01-31")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbols", "123456", "--start", "2024-01-01"], re.escape(services.UNKNOWN_SYMBOLS.format(codes="123456"))),
        (["--symbols", "005930"], "--start is required"),
        (["--symbols", "005930", "--start", "2024-02-30"], "is not a date"),
        (["--symbols", "005930", "--source", "csv"], "needs --file"),
        (["--symbols", "005930", "--start", "2024-02-01", "--end", "2024-01-01"], "--start must not be after --end"),
    ],
)
def test_bad_arguments(samsung, args, message):
    with pytest.raises(CommandError, match=message):
        backfill(*args)
