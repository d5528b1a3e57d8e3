"""Back office for paper accounts. Money only moves through the services (the ledger stays whole)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from config.exceptions import DomainError
from orders import services
from orders.models import Account, CashEntry, Order, Position, Trade


class AccountActionForm(ActionForm):
    amount = forms.IntegerField(
        required=False, min_value=0, help_text="Deposit: the amount. Reset: the new initial cash (empty = keep)."
    )


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    can_delete = False
    readonly_fields = [
        "symbol",
        "quantity",
        "reserved_quantity",
        "cost_basis",
        "avg_cost",
        "realized_pnl",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "owner",
        "cash",
        "reserved_cash",
        "initial_cash",
        "total_deposits",
        "created_at",
        "reset_at",
    ]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    readonly_fields = ["cash", "reserved_cash", "initial_cash", "total_deposits", "created_at", "reset_at"]
    inlines = [PositionInline]
    action_form = AccountActionForm
    actions = ["deposit", "reset"]

    def _amount(self, request: HttpRequest) -> int | None:
        raw = (request.POST.get("amount") or "").strip()
        return int(raw) if raw.isdigit() else None

    @admin.action(description="Deposit the amount into the selected accounts")
    def deposit(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        amount = self._amount(request)
        if not amount:
            self.message_user(request, "Enter a positive amount to deposit.", messages.ERROR)
            return
        for account in queryset:
            try:
                services.account_deposit(account_id=account.pk, amount=amount)
            except DomainError as exc:
                self.message_user(request, f"{account}: {exc.message}", messages.ERROR)
                return
        self.message_user(request, f"Deposited {amount:,} won into {queryset.count()} account(s).")

    @admin.action(description="Reset the selected accounts (cancel orders, drop positions, restore cash)")
    def reset(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        amount = self._amount(request)
        for account in queryset:
            services.account_reset(account_id=account.pk, initial_cash=amount)
        self.message_user(request, f"Reset {queryset.count()} account(s).")

    def save_model(self, request: HttpRequest, obj: Account, form: forms.Form, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "owner"])
        else:
            created = services.account_create(owner=obj.owner, name=obj.name, initial_cash=obj.initial_cash or None)
            obj.pk = created.pk

    def get_readonly_fields(self, request: HttpRequest, obj: Account | None = None) -> list[str]:
        if obj is None:  # adding: the opening balance goes through account_create
            return ["cash", "reserved_cash", "total_deposits", "created_at", "reset_at"]
        return self.readonly_fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "account",
        "symbol",
        "side",
        "type",
        "time_in_force",
        "quantity",
        "price",
        "status",
        "filled_quantity",
        "avg_fill_price",
        "created_at",
    ]
    list_filter = ["status", "side", "type", "time_in_force"]
    list_select_related = ["account", "symbol"]
    search_fields = ["symbol__code", "client_order_id", "account__name"]
    actions = ["cancel"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None  # the changelist (for the cancel action), no editing

    @admin.action(description="Cancel the selected open orders")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            if order.is_open:
                services.order_cancel(order_id=order.pk)
                done += 1
        self.message_user(request, f"Cancelled {done} order(s).")


@admin.register(Trade)
class TradeAdmin(ReadOnlyAdmin):
    list_display = ["id", "time", "account", "symbol", "side", "quantity", "price", "commission", "tax", "order"]
    list_filter = ["side"]
    list_select_related = ["account", "symbol"]
    search_fields = ["symbol__code"]


@admin.register(CashEntry)
class CashEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "time", "account", "kind", "amount", "balance_after", "order", "trade", "note"]
    list_filter = ["kind"]
    list_select_related = ["account"]
    search_fields = ["account__name", "account__owner__username"]
