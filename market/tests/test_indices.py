"""The KOSPI/KOSDAQ index header: the one definition (market.indices), GET /api/v1/market/indices, the
`market.indices` pushes on the quote streams and the simulated day's close stored as the next base."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import InMemoryChannelLayer
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from historical.models import IndexCandle
from historical.services import index_candles_upsert
from historical.sources.base import IndexBar, day_start
from market import events, indices, selectors
from market.feeds.publisher import Publisher
from market.indices import IndexClose, index_level, live_index, stored_index
from market.models import Symbol
from market.state import Quote, store
from market.timetable import SEOUL

DAY = dt.date(2024, 6, 12)  # a Wednesday; the stored bars are of the day before
BEFORE = dt.date(2024, 6, 11)
T = dt.datetime(2024, 6, 12, 10, 30, tzinfo=SEOUL)

# KOSPI: +5%, -5%, +2% → mean relative 3.02 / 3; KOSDAQ: -5%.
PRICES = {
    "900001": ("KOSPI", 10_000, 10_500),
    "900002": ("KOSPI", 20_000, 19_000),
    "900003": ("KOSPI", 50_000, 51_000),
    "900004": ("KOSDAQ", 8_000, 7_600),
}


def _quote(code: str, prev_close: int, price: int, *, time: dt.datetime = T, open_: int | None = None) -> Quote:
    return Quote(
        code=code,
        price=price,
        open=open_ if open_ is not None else prev_close,
        high=max(price, prev_close),
        low=min(price, prev_close),
        prev_close=prev_close,
        volume=10,
        value=price * 10,
        best_bid=price,
        best_ask=price + 10,
        time=time,
    )


def _list_symbols() -> None:
    for code, (market, prev_close, _) in PRICES.items():
        Symbol.objects.create(code=code, name=code, market=market, prev_close=prev_close)
    Symbol.objects.create(code="900005", name="KONEX", market="KONEX", prev_close=1_000)
    Symbol.objects.create(code="900006", name="상장폐지", market="KOSPI", prev_close=1_000, is_active=False)


def _publish_quotes() -> None:
    for code, (_, prev_close, price) in PRICES.items():
        store().put(quote=_quote(code, prev_close, price))
    # neither counts: KONEX is in no index, and an inactive symbol is not listed
    store().put(quote=_quote("900005", 1_000, 2_000))
    store().put(quote=_quote("900006", 1_000, 2_000))


def _store_close(index: str, day: dt.date, close: str, *, simulated: bool = True) -> None:
    level = Decimal(close)
    bar = IndexBar(time=day_start(day), open=level, high=level, low=level, close=level)
    index_candles_upsert(index=index, bars=[bar], source="synthetic" if simulated else "fdr", simulated=simulated)


# --- the definition -------------------------------------------------------------------------------


def test_the_level_is_the_previous_close_times_the_mean_price_relative():
    # 2500 × (1.05 + 0.95 + 1.02) / 3 = 2516.666… → 2516.67
    assert index_level(Decimal("2500"), [(10_500, 10_000), (19_000, 20_000), (51_000, 50_000)]) == Decimal("2516.67")
    assert index_level(Decimal("1000"), [(7_600, 8_000)]) == Decimal("950.00")
    assert index_level(Decimal("1000"), []) is None
    assert index_level(Decimal("1000"), [(0, 8_000), (7_600, 0)]) is None  # no usable pair


def test_a_live_index_scales_from_the_stored_close_and_says_so():
    quotes = [
        _quote(code, prev, price, open_=prev + prev // 100) for code, (m, prev, price) in PRICES.items() if m == "KOSPI"
    ]
    value = live_index(
        index="KS11", quotes=quotes, previous=IndexClose(day=BEFORE, close=Decimal("2500.00"), simulated=False)
    )
    assert (value.value, value.change, value.change_rate) == (Decimal("2516.67"), Decimal("16.67"), Decimal("0.67"))
    assert value.open == Decimal("2525.00")  # every symbol opened 1% up
    assert (value.prev_close, value.prev_close_date, value.symbols, value.time) == (Decimal("2500.00"), BEFORE, 3, T)
    assert value.simulated and value.kind == "live" and value.name == "KOSPI"


def test_without_a_stored_close_the_live_index_starts_from_the_base():
    value = live_index(index="KQ11", quotes=[_quote("900004", 8_000, 7_600)], previous=None)
    assert value.prev_close == indices.SIMULATED_INDEX_BASE == Decimal("1000")
    assert (value.value, value.change, value.change_rate) == (Decimal("950.00"), Decimal("-50.00"), Decimal("-5.00"))
    assert value.prev_close_date is None


def test_without_quotes_the_live_index_is_null():
    value = live_index(index="KS11", quotes=[], previous=IndexClose(day=BEFORE, close=Decimal("2500"), simulated=True))
    assert (value.value, value.change, value.change_rate, value.time, value.symbols) == (None, None, None, None, 0)
    assert value.prev_close == Decimal("2500")


def test_a_stored_close_and_its_change_from_the_one_before():
    closes = [
        IndexClose(day=DAY, close=Decimal("2612.35"), simulated=False),
        IndexClose(day=BEFORE, close=Decimal("2599.95"), simulated=False),
    ]
    value = stored_index(index="KS11", closes=closes)
    assert (value.kind, value.value, value.change, value.change_rate) == (
        "close",
        Decimal("2612.35"),
        Decimal("12.40"),
        Decimal("0.48"),
    )
    assert value.time == dt.datetime(2024, 6, 12, tzinfo=SEOUL) and not value.simulated
    only = stored_index(index="KQ11", closes=[])
    assert (only.value, only.change, only.time) == (None, None, None)


# --- reading it -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_simulated_market_index_from_its_quotes_and_the_stored_close():
    _list_symbols()
    _publish_quotes()
    _store_close("KS11", BEFORE, "2500.00", simulated=False)
    _store_close("KS11", dt.date(2024, 6, 10), "2400.00")
    _store_close("KS11", DAY, "9999.99")  # the quotes' own day is not their previous close
    values, note = selectors.market_indices()
    kospi, kosdaq = values
    assert (kospi.index, kospi.value, kospi.prev_close, kospi.prev_close_date, kospi.symbols) == (
        "KS11",
        Decimal("2516.67"),
        Decimal("2500.00"),
        BEFORE,
        3,
    )
    assert (kosdaq.index, kosdaq.value, kosdaq.prev_close, kosdaq.symbols) == (
        "KQ11",
        Decimal("950.00"),
        Decimal("1000"),
        1,
    )
    assert kospi.simulated and kosdaq.simulated  # scaled from a real close, but computed from synthetic quotes
    assert note == str(selectors.INDICES_SIMULATED)


@pytest.mark.django_db
def test_quotes_left_from_an_earlier_day_do_not_count():
    _list_symbols()
    _publish_quotes()
    store().put(quote=_quote("900003", 50_000, 99_000, time=T - dt.timedelta(days=1)))
    kospi, _ = selectors.market_indices()[0]
    # 1000 × (1.05 + 0.95) / 2
    assert (kospi.value, kospi.symbols) == (Decimal("1000.00"), 2)


@pytest.mark.django_db
def test_with_the_kis_feed_the_last_stored_close(settings, practice_clock):
    settings.MARKET_FEED = "kis"
    _list_symbols()
    _publish_quotes()
    today = practice_clock.today()
    _store_close("KS11", today - dt.timedelta(days=3), "2599.95", simulated=False)
    _store_close("KS11", today, "2612.35", simulated=False)
    _store_close("KS11", today + dt.timedelta(days=1), "1.00", simulated=False)  # not yet, on the market clock
    (kospi, kosdaq), note = selectors.market_indices()
    assert (kospi.kind, kospi.value, kospi.change, kospi.change_rate) == (
        "close",
        Decimal("2612.35"),
        Decimal("12.40"),
        Decimal("0.48"),
    )
    assert not kospi.simulated and kospi.symbols == 0
    assert (kosdaq.kind, kosdaq.value, kosdaq.time) == ("close", None, None)
    assert note == str(selectors.INDICES_STORED_CLOSE)


def _kospi_reported(time: dt.datetime = T) -> Quote:
    """KOSPI as the KIS feed reports it (its H0UPCNT0 record, market.feeds.kis.index_from_record)."""
    return indices.index_quote(
        index="KS11", value=Decimal("2612.35"), prev_close=Decimal("2599.95"), open_=Decimal("2601.00"),
        high=Decimal("2615.20"), low=Decimal("2598.70"), time=time, extra={"feed": "kis"},
    )  # fmt: skip


def test_a_reported_index_is_the_live_real_index():
    quote = _kospi_reported()
    assert (quote.code, quote.price, quote.prev_close, quote.open) == ("KS11", 261_235, 259_995, 260_100)
    closes = [IndexClose(day=dt.date(2024, 6, 10), close=Decimal("2590.00"), simulated=False)]
    value = indices.kis_index(index="KS11", quote=quote, closes=closes)
    assert (value.kind, value.value, value.open, value.prev_close) == (
        "live", Decimal("2612.35"), Decimal("2601.00"), Decimal("2599.95"),
    )  # fmt: skip
    assert (value.change, value.change_rate) == (Decimal("12.40"), Decimal("0.48"))
    assert (value.prev_close_date, value.time, value.symbols, value.simulated) == (BEFORE, T, 0, False)


def test_a_reported_index_older_than_the_stored_close_gives_way_to_it():
    closes = [IndexClose(day=DAY, close=Decimal("2620.00"), simulated=False)]
    stale = _kospi_reported(T - dt.timedelta(days=1))  # left in the store from the day before
    assert indices.kis_index(index="KS11", quote=stale, closes=closes) == stored_index(index="KS11", closes=closes)
    assert indices.kis_index(index="KS11", quote=None, closes=closes).kind == "close"
    assert indices.kis_index(index="KS11", quote=_kospi_reported(), closes=closes).kind == "live"  # the same day


@pytest.mark.django_db
def test_with_the_kis_feed_the_reported_index_else_the_stored_close(settings, practice_clock):
    settings.MARKET_FEED = "kis"
    _list_symbols()
    _publish_quotes()  # the symbols' quotes are not averaged: the real index is reported
    today = practice_clock.today()
    _store_close("KS11", today - dt.timedelta(days=3), "2599.95", simulated=False)
    _store_close("KQ11", today - dt.timedelta(days=3), "850.00", simulated=False)
    store().put(quote=_kospi_reported(practice_clock.now()))
    (kospi, kosdaq), note = selectors.market_indices()
    assert (kospi.kind, kospi.value, kospi.change, kospi.simulated) == (
        "live",
        Decimal("2612.35"),
        Decimal("12.40"),
        False,
    )
    assert (kosdaq.kind, kosdaq.value) == ("close", Decimal("850.00"))  # nothing reported yet
    assert note == str(selectors.INDICES_KIS_LIVE)


# --- the endpoint ---------------------------------------------------------------------------------


def test_the_indices_need_a_login(api_client, db):
    assert api_client.get("/api/v1/market/indices").status_code in (401, 403)


def test_the_indices_endpoint(auth_client):
    _list_symbols()
    _publish_quotes()
    _store_close("KS11", BEFORE, "2500.00")
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.get("/api/v1/market/indices")
    assert response.status_code == 200
    body = response.json()
    assert body["note"] == str(selectors.INDICES_SIMULATED)
    assert [index["name"] for index in body["indices"]] == ["KOSPI", "KOSDAQ"]
    kospi = body["indices"][0]
    assert kospi == {
        "index": "KS11",
        "name": "KOSPI",
        "kind": "live",
        "value": 2516.67,
        "change": 16.67,
        "change_rate": 0.67,
        "prev_close": 2500.0,
        "prev_close_date": "2024-06-11",
        "time": "2024-06-12T10:30:00+09:00",
        "symbols": 3,
        "simulated": True,
    }
    assert body["indices"][1]["value"] == 950.0 and body["indices"][1]["prev_close_date"] is None
    # the symbols' markets, then one stored close per index
    assert len(queries) <= 3, [q["sql"] for q in queries]


def test_before_any_quote_the_indices_answer_nulls(auth_client):
    _list_symbols()
    _store_close("KQ11", dt.date(2020, 1, 2), "640.00")
    response = auth_client.get("/api/v1/market/indices")
    assert response.status_code == 200
    kospi, kosdaq = response.json()["indices"]
    for index in (kospi, kosdaq):
        assert (index["value"], index["change"], index["change_rate"], index["time"], index["symbols"]) == (
            None,
            None,
            None,
            None,
            0,
        )
        assert index["simulated"] is True
    assert kospi["prev_close"] == 1000.0 and kosdaq["prev_close"] == 640.0


def test_the_note_is_in_the_language_asked(auth_client):
    body = auth_client.get("/api/v1/market/indices", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["note"].startswith("A simulated index")


def test_the_indices_are_in_the_schema(auth_client):
    schema = auth_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/market/indices"]["get"]
    assert operation["operationId"] == "v1_market_indices"
    index = schema["components"]["schemas"]["IndexOutput"]
    assert set(index["required"]) >= {"value", "change", "change_rate", "time", "simulated", "kind"}
    assert index["properties"]["value"]["nullable"] is True


# --- pushes and the day's close ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_quote_sockets_get_the_indices_as_they_move():
    await sync_to_async(_list_symbols)()
    await sync_to_async(_publish_quotes)()
    layer = InMemoryChannelLayer()
    listener = await layer.new_channel()
    await layer.group_add(events.STATUS_GROUP, listener)
    publisher = Publisher(channel_layer=layer, send_signals=False, index_interval=0.05)
    stop = asyncio.Event()
    loop = asyncio.create_task(publisher.index_loop(stop))
    try:
        first = await asyncio.wait_for(layer.receive(listener), 3)
        assert first["type"] == "market.indices"
        message = first["message"]
        assert message["type"] == "market.indices" and [i["value"] for i in message["indices"]] == [1006.67, 950.0]
        # a new quote time without a move sends nothing; a move sends the new levels
        await sync_to_async(store().put)(quote=_quote("900004", 8_000, 7_600, time=T + dt.timedelta(seconds=5)))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(listener), 0.3)
        await sync_to_async(store().put)(quote=_quote("900004", 8_000, 8_400, time=T + dt.timedelta(seconds=6)))
        moved = await asyncio.wait_for(layer.receive(listener), 3)
        assert moved["message"]["indices"][1]["value"] == 1050.0
    finally:
        stop.set()
        await loop
        await sync_to_async(publisher.close)()
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_a_simulated_days_close_becomes_the_next_days_base():
    await sync_to_async(_list_symbols)()
    await sync_to_async(_publish_quotes)()
    await sync_to_async(_store_close)("KS11", BEFORE, "2500.00")
    await sync_to_async(_store_close)("KQ11", DAY, "700.00", simulated=False)  # a real bar is never replaced
    publisher = Publisher(send_signals=True)
    try:
        await publisher.new_session({code: price for code, (_, _, price) in PRICES.items()}, closed_day=DAY)
    finally:
        await sync_to_async(publisher.close)()

    def stored() -> dict[str, tuple[Decimal, Decimal, bool]]:
        rows = IndexCandle.objects.filter(time=day_start(DAY)).values_list("index", "open", "close", "simulated")
        return {index: (open_, close, simulated) for index, open_, close, simulated in rows}

    assert await sync_to_async(stored)() == {
        "KS11": (Decimal("2500.00"), Decimal("2516.67"), True),  # the quotes opened at their previous close
        "KQ11": (Decimal("700.00"), Decimal("700.00"), False),
    }
    assert (await sync_to_async(Symbol.objects.get)(code="900001")).prev_close == 10_500

    # The next day's quotes start from those closes, and so does the index.
    next_day = dt.datetime(2024, 6, 13, 9, 30, tzinfo=SEOUL)
    await sync_to_async(store().put)(quote=_quote("900001", 10_500, 11_550, time=next_day))
    (kospi, _), _ = await sync_to_async(selectors.market_indices)()
    assert (kospi.prev_close, kospi.prev_close_date, kospi.value, kospi.symbols) == (
        Decimal("2516.67"),
        DAY,
        Decimal("2768.34"),  # 2516.67 × 1.1 = 2768.337
        1,
    )
    await sync_to_async(connections.close_all)()
