import datetime as dt

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.admin import ReadOnlyAdmin, seoul_time
from historical.enums import Timeframe
from historical.models import Candle
from historical.sources.base import day_start


@admin.register(Candle)
class CandleAdmin(ReadOnlyAdmin):
    """Candles (written by ingestion and the feed's trades): search by symbol code or name, or by a
    date (YYYY-MM-DD) for that day's bars."""

    list_display = ["symbol", "timeframe", "bar_time", "open", "high", "low", "close", "volume", "value", "source"]
    list_filter = ["timeframe", "source", ("time", admin.DateFieldListFilter)]
    search_fields = ["symbol__code", "symbol__name"]
    search_help_text = "종목코드나 종목명, 또는 날짜 (YYYY-MM-DD)."
    list_select_related = ["symbol"]
    ordering = ["-time", "symbol"]
    show_full_result_count = False
    won_fields = ["open", "high", "low", "close"]
    large_won_fields = ["value"]
    share_fields = ["volume"]

    @admin.display(description="시각", ordering="time")
    def bar_time(self, candle: Candle) -> SafeString:
        # a daily bar is stamped at 00:00 of its trading day: the day is what it means
        if candle.timeframe == Timeframe.DAY:
            return format_html('<span class="bo-time">{}</span>', (seoul_time(candle.time) or "")[:10])
        return format_html('<span class="bo-time">{}</span>', seoul_time(candle.time))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Candle], search_term: str
    ) -> tuple[QuerySet[Candle], bool]:
        try:
            day = dt.date.fromisoformat(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(time__gte=day_start(day), time__lt=day_start(day + dt.timedelta(days=1))), False
