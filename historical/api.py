import orjson
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import JsonInput, QueryInput, code_field
from historical import selectors, services
from historical.enums import INTRADAY_TIMEFRAMES, CandleSource, Timeframe
from jobs.api import JobOutput


class CandleOutput(serializers.Serializer):
    time = serializers.CharField(
        help_text="Daily bars: YYYY-MM-DD (weekly: the Monday, monthly: the 1st). Minute bars (1m, 5m, 15m, 60m): "
        "the ISO 8601 start of the bar in Asia/Seoul, e.g. 2024-06-12T09:05:00+09:00."
    )
    open = serializers.IntegerField()
    high = serializers.IntegerField()
    low = serializers.IntegerField()
    close = serializers.IntegerField()
    volume = serializers.IntegerField()
    value = serializers.IntegerField(allow_null=True)


class CandleSeriesOutput(serializers.Serializer):
    symbol = serializers.CharField()
    timeframe = serializers.CharField()
    simulated = serializers.BooleanField(help_text="True when any bar is synthetic (simulated) data.")
    candles = CandleOutput(many=True)


class CandleListApi(APIView):
    # A start after the end keeps to the schema; the selector refuses it (422).
    class Input(QueryInput):
        symbol = code_field()
        timeframe = serializers.ChoiceField(
            choices=[*INTRADAY_TIMEFRAMES, Timeframe.DAY, Timeframe.WEEK, Timeframe.MONTH],
            default=Timeframe.DAY,
            help_text="1m/5m/15m/60m: minute bars built from the market's trades; 1d/1w/1M: daily, weekly, monthly.",
        )
        start = serializers.DateField(
            required=False,
            input_formats=["iso-8601"],
            help_text="First trading day (Asia/Seoul). Without start and end, minute bars begin 7 days (1m, 5m) "
            "or 31 days (15m, 60m) before the last stored bar.",
        )
        end = serializers.DateField(required=False, input_formats=["iso-8601"], help_text="Last trading day.")

    @extend_schema(parameters=[Input], responses=CandleSeriesOutput)
    def get(self, request: Request) -> HttpResponse:
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        symbol = selectors.symbol_get(code=data["symbol"])
        series = selectors.candle_series(
            symbol=symbol, timeframe=data["timeframe"], start=data.get("start"), end=data.get("end")
        )
        # Thousands of bars: orjson renders them several times faster than the json module.
        return HttpResponse(orjson.dumps(series), content_type="application/json")


class CoverageOutput(serializers.Serializer):
    symbol = serializers.CharField()
    timeframe = serializers.CharField()
    first = serializers.DateField(allow_null=True)
    last = serializers.DateField(allow_null=True)
    bars = serializers.IntegerField()
    gaps = inline_serializer(
        "CoverageGap", {"start": serializers.DateField(), "end": serializers.DateField()}, many=True
    )


class CoverageApi(APIView):
    class Input(QueryInput):
        symbol = code_field(help_text="KRX code, e.g. 005930")

    @extend_schema(parameters=[Input], responses=CoverageOutput)
    def get(self, request: Request) -> Response:
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        symbol = selectors.symbol_get(code=params.validated_data["symbol"])
        return Response(selectors.candle_coverage(symbol=symbol))


class BackfillCreateApi(APIView):
    permission_classes = [permissions.IsAdminUser]

    # A start after the end keeps to the schema; the service refuses it (422).
    class Input(JsonInput):
        symbols = serializers.ListField(child=code_field(), min_length=1, max_length=5000)
        start = serializers.DateField(input_formats=["iso-8601"])
        end = serializers.DateField(required=False, allow_null=True, input_formats=["iso-8601"])
        source = serializers.ChoiceField(choices=CandleSource.choices, default=CandleSource.FDR)

    @extend_schema(request=Input, responses={202: JobOutput})
    def post(self, request: Request) -> Response:
        params = self.Input(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        job = services.backfill_job_create(
            codes=data["symbols"], start=data["start"], end=data.get("end"), source=data["source"], owner=request.user
        )
        job.refresh_from_db()
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
