"""Market REST API (docs/api.md, "market"): symbols, quotes, order books, the overview, the status and
the KOSPI/KOSDAQ index header."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import CODE_INVALID, QueryInput
from config.pagination import PageInput, Pagination
from market import events, rules, selectors
from market.clock import market_clock
from market.enums import Market, MarketIndex, SessionPhase
from market.models import CODE_PATTERN, Symbol
from market.state import Quote, store


class ViOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["static", "dynamic"])
    reference_price = serializers.IntegerField()
    trigger_price = serializers.IntegerField()
    ends_at = serializers.DateTimeField()


class QuoteOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.IntegerField()
    open = serializers.IntegerField()
    high = serializers.IntegerField()
    low = serializers.IntegerField()
    prev_close = serializers.IntegerField()
    change = serializers.IntegerField()
    change_rate = serializers.FloatField()
    volume = serializers.IntegerField()
    value = serializers.IntegerField()
    best_bid = serializers.IntegerField(allow_null=True)
    best_ask = serializers.IntegerField(allow_null=True)
    time = serializers.DateTimeField()
    phase = serializers.ChoiceField(choices=SessionPhase.choices, help_text="The regular board's session phase.")
    session = serializers.ChoiceField(
        choices=["close_price", "single_price"], allow_null=True, help_text="The after-hours session running, if any."
    )
    expected_price = serializers.IntegerField(allow_null=True, help_text="예상체결가 during a call auction.")
    expected_quantity = serializers.IntegerField(allow_null=True, help_text="예상체결수량 during a call auction.")
    vi = ViOutput(allow_null=True, help_text="The volatility interruption in force, if any.")
    upper_limit = serializers.IntegerField(allow_null=True, help_text="상한가")
    lower_limit = serializers.IntegerField(allow_null=True, help_text="하한가")


class SymbolOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    market = serializers.ChoiceField(choices=Market.choices)
    sector = serializers.CharField()
    is_active = serializers.BooleanField()
    is_tradable = serializers.BooleanField()
    prev_close = serializers.IntegerField(allow_null=True)
    quote = QuoteOutput(allow_null=True)


class PriceLimitsOutput(serializers.Serializer):
    lower = serializers.IntegerField()
    upper = serializers.IntegerField()


class SymbolDetailOutput(SymbolOutput):
    tick_size = serializers.IntegerField(allow_null=True)
    price_limits = PriceLimitsOutput(allow_null=True)


class BookLevelOutput(serializers.Serializer):
    price = serializers.IntegerField()
    quantity = serializers.IntegerField()


class OrderBookOutput(serializers.Serializer):
    code = serializers.CharField()
    asks = BookLevelOutput(many=True)
    bids = BookLevelOutput(many=True)
    time = serializers.DateTimeField()


class OverviewOutput(serializers.Serializer):
    gainers = QuoteOutput(many=True)
    losers = QuoteOutput(many=True)
    most_traded = QuoteOutput(many=True)


def _symbol_dict(symbol: Symbol, quote: Quote | None) -> dict[str, Any]:
    return {
        "code": symbol.code,
        "name": symbol.name,
        "name_en": symbol.name_en,
        "market": symbol.market,
        "sector": symbol.sector,
        "is_active": symbol.is_active,
        "is_tradable": symbol.is_tradable,
        "prev_close": symbol.prev_close,
        "quote": events.quote_payload(quote, symbol.name) if quote else None,
    }


class SymbolPageOutput(serializers.Serializer):
    """The paginated envelope of the symbol list (the view paginates by hand)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SymbolOutput(many=True)


CODE_PARAMETER = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, pattern=CODE_PATTERN, description="KRX short code, e.g. 005930"
)


class SymbolListApi(APIView):
    class FilterInput(QueryInput):
        search = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=100,
            default="",
            help_text="Code prefix or part of the Korean or English name",
        )
        market = serializers.ChoiceField(choices=Market.choices, required=False, default="")
        sector = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")

    @extend_schema(
        parameters=[FilterInput, PageInput],
        responses=SymbolPageOutput,
        operation_id="v1_market_symbols_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.symbol_list(**filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        quotes = store().quotes([s.code for s in page])
        return paginator.get_paginated_response([_symbol_dict(s, quotes.get(s.code)) for s in page])


class SymbolDetailApi(APIView):
    @extend_schema(parameters=[CODE_PARAMETER], responses=SymbolDetailOutput)
    def get(self, request: Request, code: str) -> Response:
        symbol = selectors.symbol_get(code=code)
        quote = store().quote(code)
        data = _symbol_dict(symbol, quote)
        reference = quote.price if quote else symbol.prev_close
        data["tick_size"] = rules.tick_size_for(reference) if reference else None
        base = quote.prev_close if quote else symbol.prev_close
        if base:
            lower, upper = rules.price_limit_band(base)
            data["price_limits"] = {"lower": lower, "upper": upper}
        else:
            data["price_limits"] = None
        return Response(data)


class QuoteListApi(APIView):
    class Input(QueryInput):
        codes = serializers.RegexField(
            rf"^[0-9A-Z]{{6}}(,[0-9A-Z]{{6}}){{0,{selectors.MAX_QUOTE_CODES - 1}}}\Z",
            trim_whitespace=False,
            error_messages={"invalid": CODE_INVALID},
            help_text=f"Comma-separated, e.g. 005930,000660 (at most {selectors.MAX_QUOTE_CODES})",
        )

    @extend_schema(parameters=[Input], responses=QuoteOutput(many=True))
    def get(self, request: Request) -> Response:
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        codes = selectors.codes_parse(params.validated_data["codes"])
        names, quotes = selectors.quotes_for(codes=codes)
        return Response([events.quote_payload(quotes[c], names[c]) for c in codes if c in quotes])


class QuoteDetailApi(APIView):
    @extend_schema(parameters=[CODE_PARAMETER], responses=QuoteOutput)
    def get(self, request: Request, code: str) -> Response:
        symbol, quote = selectors.quote_get(code=code)
        return Response(events.quote_payload(quote, symbol.name))


class OrderBookApi(APIView):
    @extend_schema(parameters=[CODE_PARAMETER], responses=OrderBookOutput)
    def get(self, request: Request, code: str) -> Response:
        return Response(events.book_payload(selectors.orderbook_get(code=code)))


class OverviewApi(APIView):
    @extend_schema(responses=OverviewOutput)
    def get(self, request: Request) -> Response:
        names, groups = selectors.market_overview()
        return Response(
            {key: [events.quote_payload(q, names.get(q.code, "")) for q in quotes] for key, quotes in groups.items()}
        )


class MarketStatusOutput(serializers.Serializer):
    clock = serializers.ChoiceField(choices=["krx", "practice"], help_text="krx: Seoul wall time; practice: simulated.")
    now = serializers.DateTimeField(help_text="The market clock's time (Asia/Seoul).")
    trading_day = serializers.DateField(help_text="The trading day in progress, or the next one while closed.")
    phase = serializers.ChoiceField(choices=SessionPhase.choices, help_text="The regular board's session phase.")
    session = serializers.ChoiceField(
        choices=["close_price", "single_price"],
        allow_null=True,
        help_text="The off-board session running: 시간외 종가 (close_price) or 시간외 단일가 (single_price).",
    )
    next_phase = serializers.ChoiceField(choices=SessionPhase.choices)
    next_phase_at = serializers.DateTimeField(help_text="When `phase` next changes (market clock time).")
    speed = serializers.FloatField(help_text="Market seconds per wall second (1 on the krx clock).")


class MarketStatusApi(APIView):
    """Where the market stands on the market clock; the quote streams push each change."""

    @extend_schema(responses=MarketStatusOutput, operation_id="v1_market_status")
    def get(self, request: Request) -> Response:
        clock = market_clock()
        return Response(events.status_payload(clock.status(), clock=clock.kind, speed=clock.speed))


class IndexOutput(serializers.Serializer):
    index = serializers.ChoiceField(choices=MarketIndex.choices, help_text="KS11 (KOSPI) or KQ11 (KOSDAQ).")
    name = serializers.CharField(help_text="KOSPI or KOSDAQ.")
    kind = serializers.ChoiceField(
        choices=["live", "close"],
        help_text=(
            "live: now, computed from the simulated market's quotes or (KIS) KRX's real-time index; close: the"
            " last stored daily close (KIS, until a real-time value arrives)."
        ),
    )
    value = serializers.FloatField(allow_null=True, help_text="Index points (0.01); null while no symbol is quoted.")
    change = serializers.FloatField(allow_null=True, help_text="Points from `prev_close`.")
    change_rate = serializers.FloatField(allow_null=True, help_text="Percent from `prev_close`, like a quote's.")
    prev_close = serializers.FloatField(
        allow_null=True, help_text="What `change` counts from: the close stored for `prev_close_date`, else 1000."
    )
    prev_close_date = serializers.DateField(
        allow_null=True, help_text="The day of the stored close `prev_close` is; null for the base."
    )
    time = serializers.DateTimeField(
        allow_null=True, help_text="live: the latest quote's time (market clock); close: the day of the close."
    )
    symbols = serializers.IntegerField(help_text="How many symbols the live value averages (0 for a stored close).")
    simulated = serializers.BooleanField(help_text="True when not the real index: computed, or from simulated bars.")


class IndicesOutput(serializers.Serializer):
    indices = IndexOutput(many=True, help_text="KOSPI, then KOSDAQ.")
    note = serializers.CharField(help_text="What these numbers are, in the request's language.")


class MarketIndicesApi(APIView):
    """KOSPI and KOSDAQ for the index header; the quote streams push `market.indices` as they move."""

    @extend_schema(responses=IndicesOutput, operation_id="v1_market_indices")
    def get(self, request: Request) -> Response:
        values, note = selectors.market_indices()
        return Response({"indices": [events.index_payload(value) for value in values], "note": note})
