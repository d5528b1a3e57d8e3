import datetime as dt
import time
from io import StringIO

import pytest

from historical import demo
from historical.calendar import last_trading_day_before
from historical.models import Candle
from market.models import Symbol
from market.timetable import SEOUL, is_trading_day

pytestmark = pytest.mark.django_db


def test_seed_loads_three_years_of_simulated_bars_and_sets_prev_close(samsung, hynix):
    Symbol.objects.create(code="035720", name="카카오", market="KOSPI", is_active=False)
    Symbol.objects.filter(pk=samsung.pk).update(prev_close=71_000)
    out = StringIO()
    is_trading_day(dt.date.today())  # the XKRX calendar loads once per process (seconds), not per seed
    started = time.monotonic()
    demo.seed(user=None, stdout=out)
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed
    rows = list(Candle.objects.order_by("symbol", "time").values_list("symbol_id", "time", "close", "source"))

    last_day = last_trading_day_before(dt.date.today())
    for symbol in (samsung, hynix):
        mine = [row for row in rows if row[0] == symbol.pk]
        assert 700 < len(mine) < 760
        assert mine[-1][1].astimezone(SEOUL).date() == last_day
        assert {row[3] for row in mine} == {"synthetic"}
        symbol.refresh_from_db()
        assert symbol.prev_close == mine[-1][2]
    samsung.refresh_from_db()
    assert samsung.prev_close == 71_000  # the walk ends at the close the symbol already had
    assert not Candle.objects.filter(symbol__code="035720").exists()
    assert "synthetic daily bars for 2 symbols" in out.getvalue()

    demo.seed(user=None, stdout=StringIO())
    assert list(Candle.objects.order_by("symbol", "time").values_list("symbol_id", "time", "close", "source")) == rows
