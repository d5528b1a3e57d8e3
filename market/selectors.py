"""Every read the market API and streams need."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError, NotFound
from market import indices
from market.cache import symbol_cached
from market.clock import market_clock
from market.enums import Market
from market.models import Symbol
from market.services import SYMBOL_NOT_FOUND, symbol_code_validate
from market.state import OrderBook, Quote, store
from market.timetable import SEOUL

MARKET_UNKNOWN = _("{market!r}은(는) 알 수 없는 시장입니다. KOSPI, KOSDAQ, KONEX 중 하나를 입력해 주세요.")
TOO_MANY_CODES = _("종목코드는 한 번에 {limit}개까지 조회할 수 있습니다.")
NO_CODES = _("종목코드를 하나 이상 입력해 주세요(예: codes=005930,000660).")
NO_QUOTE_YET = _("{code} 종목은 아직 시세가 없습니다: 시세 피드가 아직 이 종목의 시세를 보내지 않았습니다.")
NO_BOOK_YET = _("{code} 종목은 아직 호가가 없습니다: 시세 피드가 아직 이 종목의 호가를 보내지 않았습니다.")
INDICES_SIMULATED = _(
    "모의 시장의 시세로 계산한 모의 지수입니다: 시장마다 종목의 전일 종가 대비 등락을 같은 비중으로 평균해 "
    "지수의 전일 종가에 곱합니다. 실제 코스피·코스닥 지수가 아닙니다."
)
INDICES_STORED_CLOSE = _(
    "실시간 지수는 받지 않습니다: 저장된 마지막 일별 종가와 그 전 종가 대비 등락입니다(backfill_indices로 불러옵니다)."
)
INDICES_KIS_LIVE = _(
    "한국투자증권의 실시간 지수(H0UPCNT0)로 받은 실제 코스피·코스닥 지수입니다. 아직 받지 못한 지수는 저장된 "
    "마지막 일별 종가입니다."
)
MAX_QUOTE_CODES = 100
OVERVIEW_SIZE = 10


def symbol_list(*, search: str = "", market: str = "", sector: str = "") -> QuerySet[Symbol]:
    """Active symbols; `search` matches the code (prefix) or the Korean or English name."""
    qs = Symbol.objects.filter(is_active=True)
    search = search.strip()
    if search:
        qs = qs.filter(Q(code__startswith=search.upper()) | Q(name__icontains=search) | Q(name_en__icontains=search))
    if market:
        if market.upper() not in Market.values:
            raise DomainError(MARKET_UNKNOWN.format(market=market), field="market")
        qs = qs.filter(market=market.upper())
    if sector:
        qs = qs.filter(sector=sector)
    return qs.order_by("code")


def symbol_get(*, code: str) -> Symbol:
    symbol_code_validate(code)
    symbol = symbol_cached(code=code)  # (a quote or a book is read far more often than symbols change)
    if symbol is None:
        raise NotFound(SYMBOL_NOT_FOUND.format(code=code))
    return symbol


def codes_parse(raw: str) -> list[str]:
    """`005930,000660` → validated, de-duplicated codes in the given order."""
    codes = list(dict.fromkeys(c.strip() for c in raw.split(",") if c.strip()))
    if not codes:
        raise DomainError(NO_CODES, field="codes")
    if len(codes) > MAX_QUOTE_CODES:
        raise DomainError(TOO_MANY_CODES.format(limit=MAX_QUOTE_CODES), field="codes")
    for code in codes:
        symbol_code_validate(code)
    return codes


def symbol_names(codes: list[str]) -> dict[str, str]:
    return dict(Symbol.objects.filter(code__in=codes).values_list("code", "name"))


def quotes_for(*, codes: list[str]) -> tuple[dict[str, str], dict[str, Quote]]:
    """(names, quotes) of known codes; an unknown code is a 404 naming it."""
    names = symbol_names(codes)
    unknown = [c for c in codes if c not in names]
    if unknown:
        raise NotFound(SYMBOL_NOT_FOUND.format(code=", ".join(unknown)))
    return names, store().quotes(codes)


def quote_get(*, code: str) -> tuple[Symbol, Quote]:
    symbol = symbol_get(code=code)
    quote = store().quote(code)
    if quote is None:
        raise NotFound(NO_QUOTE_YET.format(code=code))
    return symbol, quote


def orderbook_get(*, code: str) -> OrderBook:
    symbol_get(code=code)
    book = store().book(code)
    if book is None:
        raise NotFound(NO_BOOK_YET.format(code=code))
    return book


def market_overview(*, size: int = OVERVIEW_SIZE) -> tuple[dict[str, str], dict[str, list[Quote]]]:
    """Movers up and down (by change rate) and the most traded (by value) among active symbols."""
    quotes = store().all_quotes()
    names = dict(Symbol.objects.filter(is_active=True, code__in=list(quotes)).values_list("code", "name"))
    live = [q for code, q in quotes.items() if code in names]
    gainers = sorted((q for q in live if q.change > 0), key=lambda q: (-q.change_rate, q.code))[:size]
    losers = sorted((q for q in live if q.change < 0), key=lambda q: (q.change_rate, q.code))[:size]
    most_traded = sorted((q for q in live if q.volume > 0), key=lambda q: (-q.value, q.code))[:size]
    return names, {"gainers": gainers, "losers": losers, "most_traded": most_traded}


def live_indices(quotes: dict[str, Quote], *, day: dt.date | None = None) -> list[indices.IndexValue]:
    """KOSPI and KOSDAQ computed from `quotes` (market.indices): each over its market's active symbols
    quoted on `day` (default: the day of the latest quote), from the stored close before that day."""
    markets = dict(
        Symbol.objects.filter(is_active=True, market__in=indices.INDEX_MARKETS.values()).values_list("code", "market")
    )
    listed = [q for code, q in quotes.items() if code in markets]
    day = day or indices.quotes_day(listed) or market_clock().status().trading_day
    listed = [q for q in listed if q.time.astimezone(SEOUL).date() == day]
    previous = indices.stored_closes(before=day)
    return [
        indices.live_index(
            index=index,
            quotes=[q for q in listed if markets[q.code] == market],
            previous=(previous.get(index) or [None])[0],
        )
        for index, market in indices.INDEX_MARKETS.items()
    ]


def market_indices() -> tuple[list[indices.IndexValue], str]:
    """(KOSPI and KOSDAQ, what they are): computed live from the simulated market's quotes, or with the
    KIS feed the index quotes it reported, else the last stored daily closes (see market.indices)."""
    if settings.MARKET_FEED == "kis":
        closes = indices.stored_closes(before=market_clock().today() + dt.timedelta(days=1), count=2)
        reported = store().quotes(list(indices.INDEX_MARKETS))
        values = [
            indices.kis_index(index=index, quote=reported.get(index), closes=closes.get(index, []))
            for index in indices.INDEX_MARKETS
        ]
        live = any(value.kind == "live" for value in values)
        return values, str(INDICES_KIS_LIVE if live else INDICES_STORED_CLOSE)
    return live_indices(store().all_quotes()), str(INDICES_SIMULATED)
