import datetime as dt

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from historical.models import Candle
from historical.sources.base import day_start


@admin.register(Candle)
class CandleAdmin(admin.ModelAdmin):
    """Candles: search by symbol code or name, or by a date (YYYY-MM-DD) for that day's bars."""

    list_display = ["symbol", "timeframe", "time", "open", "high", "low", "close", "volume", "value", "source"]
    list_filter = ["timeframe", "source", ("time", admin.DateFieldListFilter)]
    search_fields = ["symbol__code", "symbol__name"]
    search_help_text = "Symbol code or name, or a date (YYYY-MM-DD)."
    list_select_related = ["symbol"]
    raw_id_fields = ["symbol"]
    ordering = ["-time", "symbol"]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Candle], search_term: str
    ) -> tuple[QuerySet[Candle], bool]:
        try:
            day = dt.date.fromisoformat(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(time__gte=day_start(day), time__lt=day_start(day + dt.timedelta(days=1))), False
