import datetime as dt

import pytest

from historical import services
from historical.sources.base import Bar, day_start

pytestmark = pytest.mark.django_db

URL = "/admin/historical/candle/"


@pytest.fixture
def bars(samsung, hynix):
    for symbol, close in ((samsung, 71_000), (hynix, 180_000)):
        rows = [
            Bar(time=day_start(dt.date(2024, 1, d)), open=close, high=close, low=close, close=close, volume=1)
            for d in (2, 3)
        ]
        services.candles_upsert(symbol_id=symbol.pk, bars=rows, source="csv")


def test_candles_are_searchable_by_symbol_and_date(admin_client, bars):
    page = admin_client.get(URL, {"q": "하이닉스"}).content.decode()
    assert "180,000원" in page and "71,000원" not in page
    page = admin_client.get(URL, {"q": "005930"}).content.decode()
    assert "71,000원" in page and "180,000원" not in page
    response = admin_client.get(URL, {"q": "2024-01-03"})
    assert [c.time for c in response.context["cl"].result_list] == [day_start(dt.date(2024, 1, 3))] * 2


def test_candles_filter_by_timeframe_and_source(admin_client, bars):
    assert admin_client.get(URL, {"source": "csv", "timeframe": "1d"}).context["cl"].result_count == 4
    assert admin_client.get(URL, {"source": "synthetic"}).context["cl"].result_count == 0
