from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import BackOfficeAdmin, ReadOnlyAdmin
from market import services
from market.models import MarketClockState, Quote, Symbol


@admin.register(Symbol)
class SymbolAdmin(BackOfficeAdmin):
    list_display = [
        "code",
        "name",
        "market",
        "sector",
        "prev_close",
        "is_kospi200",
        "is_active",
        "is_tradable",
        "updated_at",
    ]
    list_filter = ["market", "is_kospi200", "is_active", "is_tradable"]
    search_fields = ["code", "name", "name_en", "sector"]
    list_editable = ["is_active", "is_tradable"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["code"]
    won_fields = ["prev_close"]
    actions = ["deactivate", "activate", "suspend_trading", "resume_trading"]

    def get_readonly_fields(self, request: HttpRequest, obj: Symbol | None = None) -> list[Any]:
        # the code is the symbol's identity everywhere (orders, candles, streams): fixed once created
        names = [*self.readonly_fields, "code"] if obj else list(self.readonly_fields)
        return self.formatted(names)

    def get_fields(self, request: HttpRequest, obj: Symbol | None = None) -> list[Any]:
        fields = super().get_fields(request, obj)
        return sorted(fields, key=lambda name: name != "code")  # the code first, editable or not

    def _set(self, request: HttpRequest, queryset: QuerySet[Symbol], verb: str, **flags: bool) -> None:
        for symbol in queryset:
            services.symbol_update(code=symbol.code, **flags)
        self.message_user(request, f"종목 {queryset.count()}개를 {verb}.", messages.SUCCESS)

    @admin.action(description="상장·표시 해제 (목록과 시세에서 숨김)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "숨겼습니다", is_active=False)

    @admin.action(description="상장·표시")
    def activate(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "다시 표시했습니다", is_active=True)

    @admin.action(description="거래 정지 (새 주문 거부)")
    def suspend_trading(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "거래 정지했습니다", is_tradable=False)

    @admin.action(description="거래 재개")
    def resume_trading(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "거래 재개했습니다", is_tradable=True)


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    """Snapshots written by the feed runner: read-only here."""

    list_display = ["symbol", "price", "open", "high", "low", "prev_close", "volume", "value", "time"]
    list_select_related = ["symbol"]
    search_fields = ["symbol__code", "symbol__name"]
    ordering = ["symbol__code"]
    won_fields = ["price", "open", "high", "low", "prev_close", "best_bid", "best_ask"]
    large_won_fields = ["value"]
    share_fields = ["volume"]


@admin.register(MarketClockState)
class MarketClockStateAdmin(ReadOnlyAdmin):
    """The shared practice clock, read-only: it is the feed process's to move. To start it again
    elsewhere, change PAPERTRADE_CLOCK_START (or its speed, PAPERTRADE_CLOCK_SPEED) and restart."""

    list_display = ["anchor_market_at", "anchor_wall_at", "speed", "start_setting", "updated_at"]
