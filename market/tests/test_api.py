import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market import selectors, services
from market.models import Symbol
from market.state import BookLevel, OrderBook, Quote, store

pytestmark = pytest.mark.django_db
T = dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.UTC)


def _symbol(code, name, market="KOSPI", sector="전기전자", prev_close=10_000, name_en="", **kw):
    return Symbol.objects.create(
        code=code, name=name, name_en=name_en, market=market, sector=sector, prev_close=prev_close, **kw
    )


def _quote(code, price, prev_close, volume=100, value=None):
    return Quote(
        code=code,
        price=price,
        open=prev_close,
        high=max(price, prev_close),
        low=min(price, prev_close),
        prev_close=prev_close,
        volume=volume,
        value=value if value is not None else price * volume,
        best_bid=price,
        best_ask=price + 100,
        time=T,
    )


@pytest.fixture
def listed(db):
    _symbol("005930", "삼성전자", name_en="Samsung Electronics", prev_close=71_000)
    _symbol("000660", "SK하이닉스", name_en="SK hynix", prev_close=198_000)
    _symbol("247540", "에코프로비엠", market="KOSDAQ", sector="일반전기전자", name_en="EcoPro BM", prev_close=111_200)
    _symbol("035720", "카카오", sector="서비스업", name_en="Kakao", prev_close=41_950)
    _symbol("999990", "상장폐지", is_active=False)


def test_symbols_need_login(api_client):
    assert api_client.get("/api/v1/market/symbols").status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("", ["000660", "005930", "035720", "247540"]),
        ("?search=0059", ["005930"]),
        ("?search=삼성", ["005930"]),
        ("?search=hynix", ["000660"]),
        ("?search=KAKAO", ["035720"]),
        ("?market=KOSDAQ", ["247540"]),
        ("?market=KOSPI&sector=서비스업", ["035720"]),
        ("?search=없는회사", []),
    ],
)
def test_symbol_search_and_filters(auth_client, listed, query, codes):
    response = auth_client.get(f"/api/v1/market/symbols{query}")
    assert response.status_code == 200
    assert [s["code"] for s in response.json()["results"]] == codes


def test_symbol_list_is_paginated_with_quotes_in_a_fixed_number_of_queries(auth_client, listed):
    for i in range(60):
        _symbol(f"1{i:05d}", f"종목{i}")
    store().put(quote=_quote("005930", 72_000, 71_000))
    with CaptureQueriesContext(connection) as queries:
        response = auth_client.get("/api/v1/market/symbols?page_size=50")
    assert response.status_code == 200
    assert len(queries) == 2  # count + page, whatever the page size
    body = response.json()
    assert body["count"] == 64 and len(body["results"]) == 50 and body["next"]
    samsung = next(s for s in body["results"] if s["code"] == "005930")
    assert samsung["quote"]["price"] == 72_000 and samsung["quote"]["change"] == 1_000
    assert samsung["quote"]["name"] == "삼성전자"
    assert next(s for s in body["results"] if s["code"] == "000660")["quote"] is None
    assert set(samsung) == {
        "code",
        "name",
        "name_en",
        "market",
        "sector",
        "is_active",
        "is_tradable",
        "prev_close",
        "quote",
    }


@pytest.mark.parametrize("market", ["NYSE", "kospi", ""])
def test_a_market_outside_the_schema_enum_is_a_400(auth_client, listed, market):
    response = auth_client.get(f"/api/v1/market/symbols?market={market}")
    assert response.status_code == 400
    assert "market" in response.json()["error"]["fields"]


def test_symbol_detail_has_tick_size_and_price_limits(auth_client, listed):
    body = auth_client.get("/api/v1/market/symbols/005930").json()
    assert body["tick_size"] == 100 and body["price_limits"] == {"lower": 49_700, "upper": 92_300}
    assert body["quote"] is None
    store().put(quote=_quote("005930", 49_900, 71_000))
    body = auth_client.get("/api/v1/market/symbols/005930").json()
    assert body["tick_size"] == 50  # the tick of the current price
    assert body["quote"]["price"] == 49_900


@pytest.mark.parametrize("path", ["symbols", "quotes", "orderbook"])
def test_unknown_and_malformed_codes(auth_client, listed, path):
    unknown = auth_client.get(f"/api/v1/market/{path}/123456")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == services.SYMBOL_NOT_FOUND.format(code="123456")
    malformed = auth_client.get(f"/api/v1/market/{path}/59x")
    assert malformed.status_code == 400
    assert malformed.json()["error"]["message"] == services.SYMBOL_CODE_MALFORMED.format(code="59x")


def test_quotes_by_codes(auth_client, listed):
    store().put(quote=_quote("005930", 72_000, 71_000))
    store().put(quote=_quote("000660", 190_000, 198_000))
    body = auth_client.get("/api/v1/market/quotes?codes=000660,005930,247540").json()
    assert [q["code"] for q in body] == ["000660", "005930"]  # 247540 has no quote yet
    assert body[0] == {
        "code": "000660",
        "name": "SK하이닉스",
        "price": 190_000,
        "open": 198_000,
        "high": 198_000,
        "low": 190_000,
        "prev_close": 198_000,
        "change": -8_000,
        "change_rate": -4.04,
        "volume": 100,
        "value": 19_000_000,
        "best_bid": 190_000,
        "best_ask": 190_100,
        "time": "2024-06-12T10:00:00+09:00",
        "phase": "continuous",
        "session": None,
        "expected_price": None,
        "expected_quantity": None,
        "vi": None,
        "upper_limit": None,
        "lower_limit": None,
    }
    unknown = auth_client.get("/api/v1/market/quotes?codes=005930,123456,654321")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == services.SYMBOL_NOT_FOUND.format(code="123456, 654321")
    assert auth_client.get("/api/v1/market/quotes?codes=").status_code == 400
    assert auth_client.get("/api/v1/market/quotes?codes=abc").status_code == 400
    assert auth_client.get("/api/v1/market/quotes?codes=005930,,000660").status_code == 400
    many = ",".join(f"{i:06d}" for i in range(101))
    too_many = auth_client.get(f"/api/v1/market/quotes?codes={many}")
    assert too_many.status_code == 400 and "codes" in too_many.json()["error"]["fields"]


def test_quote_and_orderbook(auth_client, listed):
    assert auth_client.get("/api/v1/market/quotes/005930").json()["error"]["message"] == selectors.NO_QUOTE_YET.format(
        code="005930"
    )
    store().put(quote=_quote("005930", 72_000, 71_000))
    assert auth_client.get("/api/v1/market/quotes/005930").json()["change_rate"] == 1.41
    asks = tuple(BookLevel(72_100 + 100 * i, 10 + i) for i in range(10))
    bids = tuple(BookLevel(72_000 - 100 * i, 20 + i) for i in range(10))
    store().put(book=OrderBook(code="005930", asks=asks, bids=bids, time=T))
    book = auth_client.get("/api/v1/market/orderbook/005930").json()
    assert book["asks"][0] == {"price": 72_100, "quantity": 10} and len(book["asks"]) == 10
    assert book["bids"][9] == {"price": 71_100, "quantity": 29}
    no_book = auth_client.get("/api/v1/market/orderbook/000660")
    assert no_book.status_code == 404
    assert no_book.json()["error"]["message"] == selectors.NO_BOOK_YET.format(code="000660")


def test_the_selectors_refuse_in_korean(listed):
    from config.exceptions import DomainError

    with pytest.raises(DomainError) as market:
        selectors.symbol_list(market="NYSE")
    assert market.value.message == selectors.MARKET_UNKNOWN.format(market="NYSE")
    assert market.value.message.startswith("'NYSE'은(는) 알 수 없는 시장입니다.")
    with pytest.raises(DomainError) as none:
        selectors.codes_parse(" , ")
    assert none.value.message == selectors.NO_CODES
    with pytest.raises(DomainError) as many:
        selectors.codes_parse(",".join(f"{i:06d}" for i in range(selectors.MAX_QUOTE_CODES + 1)))
    assert many.value.message == selectors.TOO_MANY_CODES.format(limit=selectors.MAX_QUOTE_CODES)


def test_overview_movers_and_most_traded(auth_client, listed):
    store().put(quote=_quote("005930", 72_000, 71_000, volume=1000))  # +1.41%
    store().put(quote=_quote("000660", 190_000, 198_000, volume=10))  # -4.04%
    store().put(quote=_quote("247540", 120_000, 111_200, volume=5))  # +7.91%
    store().put(quote=_quote("035720", 41_950, 41_950, volume=0))  # unchanged, untraded
    store().put(quote=_quote("999990", 20_000, 10_000, volume=5))  # inactive: not shown
    body = auth_client.get("/api/v1/market/overview").json()
    assert [q["code"] for q in body["gainers"]] == ["247540", "005930"]
    assert [q["code"] for q in body["losers"]] == ["000660"]
    assert [q["code"] for q in body["most_traded"]] == ["005930", "000660", "247540"]
    assert body["gainers"][0]["name"] == "에코프로비엠"


def test_market_status_on_the_practice_clock(auth_client, practice_clock):
    body = auth_client.get("/api/v1/market/status").json()
    status = practice_clock.status()
    assert body["clock"] == "practice" and body["speed"] == 1.0
    assert body["phase"] == "continuous" and body["session"] is None
    assert body["trading_day"] == status.trading_day.isoformat()
    assert body["next_phase"] == "closing_auction"
    assert body["next_phase_at"] == status.next_phase_at.isoformat()
    assert dt.datetime.fromisoformat(body["now"]).utcoffset() == dt.timedelta(hours=9)


def test_market_status_after_hours_and_on_the_krx_clock(auth_client):
    from market import clock, timetable

    day = timetable.next_trading_day(dt.date(2024, 6, 11))
    evening = dt.datetime.combine(day, dt.time(16, 5), tzinfo=timetable.SEOUL)
    clock.set_market_clock(clock.PracticeClock.starting(evening, speed=60))
    body = auth_client.get("/api/v1/market/status").json()
    assert (body["phase"], body["session"], body["speed"]) == ("after_hours", "single_price", 60.0)
    assert (body["next_phase"], body["next_phase_at"]) == ("closed", "2024-06-12T18:00:00+09:00")
    clock.set_market_clock(clock.KrxClock())
    body = auth_client.get("/api/v1/market/status").json()
    assert body["clock"] == "krx" and body["speed"] == 1.0
    assert abs(dt.datetime.fromisoformat(body["now"]) - dt.datetime.now(tz=dt.UTC)) < dt.timedelta(seconds=5)


def test_market_status_needs_a_login(api_client, db):
    assert api_client.get("/api/v1/market/status").status_code in (401, 403)


def test_market_status_is_in_the_schema_with_its_enums(auth_client):
    schema = auth_client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    output = components["MarketStatusOutput"]
    assert set(output["properties"]) == {
        "clock", "now", "trading_day", "phase", "session", "next_phase", "next_phase_at", "speed"
    }  # fmt: skip
    assert "/api/v1/market/status" in schema["paths"]

    def enum_of(prop: dict) -> set:
        ref = (prop.get("allOf") or prop.get("oneOf") or [prop])[0].get("$ref", "")
        return set(components[ref.rsplit("/", 1)[-1]]["enum"]) - {None} if ref else set(prop.get("enum", []))

    phases = {"closed", "pre_open", "continuous", "closing_auction", "after_hours"}
    assert enum_of(output["properties"]["phase"]) == phases
    assert enum_of(output["properties"]["clock"]) == {"krx", "practice"}
