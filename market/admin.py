from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from market import services
from market.models import MarketClockState, Quote, Symbol


@admin.register(Symbol)
class SymbolAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "name_en",
        "market",
        "sector",
        "prev_close",
        "typical_daily_value",
        "is_kospi200",
        "is_active",
        "is_tradable",
    ]
    list_filter = ["market", "is_kospi200", "is_active", "is_tradable"]
    search_fields = ["code", "name", "name_en", "sector"]
    list_editable = ["is_active", "is_tradable"]
    readonly_fields = ["created_at", "updated_at"]
    ordering = ["code"]
    actions = ["deactivate", "activate", "suspend_trading", "resume_trading"]

    def get_readonly_fields(self, request: HttpRequest, obj: Symbol | None = None) -> list[str]:
        # the code is the symbol's identity everywhere (orders, candles, streams): fixed once created
        return [*self.readonly_fields, "code"] if obj else list(self.readonly_fields)

    def _set(self, request: HttpRequest, queryset: QuerySet[Symbol], verb: str, **flags: bool) -> None:
        for symbol in queryset:
            services.symbol_update(code=symbol.code, **flags)
        self.message_user(request, f"{queryset.count()} symbol(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Deactivate (hide from lists and the feed)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "deactivated", is_active=False)

    @admin.action(description="Activate")
    def activate(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "activated", is_active=True)

    @admin.action(description="Suspend trading (no new orders)")
    def suspend_trading(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "suspended", is_tradable=False)

    @admin.action(description="Resume trading")
    def resume_trading(self, request: HttpRequest, queryset: QuerySet[Symbol]) -> None:
        self._set(request, queryset, "resumed", is_tradable=True)


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    """Snapshots written by the feed runner: read-only here."""

    list_display = ["symbol", "price", "open", "high", "low", "prev_close", "volume", "time"]
    list_select_related = ["symbol"]
    search_fields = ["symbol__code", "symbol__name"]
    ordering = ["symbol__code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Quote | None = None) -> bool:
        return False


@admin.register(MarketClockState)
class MarketClockStateAdmin(admin.ModelAdmin):
    """The shared practice clock, read-only: it is the feed process's to move. To start it again
    elsewhere, change PAPERTRADE_CLOCK_START (or its speed, PAPERTRADE_CLOCK_SPEED) and restart."""

    list_display = ["anchor_market_at", "anchor_wall_at", "speed", "start_setting", "updated_at"]
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MarketClockState | None = None) -> bool:
        return False
