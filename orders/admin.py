"""Back office for paper accounts. Money only moves through the services (the ledger stays whole):
orders, fills, the ledger, positions and conditional orders are read-only screens; accounts take
deposits and resets, orders and conditions cancels, all through the services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.admin import (
    BackOfficeAdmin,
    ReadOnlyAdmin,
    ReadOnlyTabularInline,
    change_link,
    related_list_url,
    won,
)
from config.exceptions import DomainError
from orders import conditions, selectors, services
from orders.models import Account, CashEntry, Condition, Order, Position, Trade


class AccountActionForm(ActionForm):
    amount = forms.IntegerField(
        label="금액",
        required=False,
        min_value=0,
        help_text="입금: 입금할 금액. 초기화: 새 초기 자금 (비우면 그대로).",
    )


class PositionInline(ReadOnlyTabularInline):
    model = Position
    classes = ["bo-positions"]  # admin.css hides each row's caption (Position.__str__: "<symbol id> × <quantity>")
    fields = readonly_fields = [
        "symbol",
        "quantity",
        "reserved_quantity",
        "avg_cost",
        "cost_basis",
        "realized_pnl",
        "updated_at",
    ]
    won_fields = ["avg_cost", "cost_basis"]
    signed_won_fields = ["realized_pnl"]
    share_fields = ["quantity", "reserved_quantity"]


def _account_lists(account: Account, *, counts: bool) -> list[tuple[str, str]]:
    """(url, label) of the lists of one account's rows."""
    lists = [
        (Order, "주문", account.orders),
        (CashEntry, "현금 원장", account.cash_entries),
        (Trade, "체결", account.trades),
        (Position, "보유 종목", account.positions),
        (Condition, "감시주문", account.conditions),
    ]
    out = []
    for model, label, rows in lists:
        text = f"{label} {rows.count():,}건" if counts else label
        out.append((related_list_url(model, account=account.pk), text))
    return out


@admin.register(Account)
class AccountAdmin(BackOfficeAdmin):
    list_display = [
        "id",
        "name",
        "owner",
        "cash",
        "reserved_cash",
        "available",
        "total_deposits",
        "created_at",
        "lists",
    ]
    list_display_links = ["id", "name"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    won_fields = ["cash", "reserved_cash", "initial_cash", "total_deposits"]
    inlines = [PositionInline]
    action_form = AccountActionForm
    actions = ["deposit", "reset"]

    fields = [
        "name",
        "owner",
        "related_lists",
        "cash",
        "reserved_cash",
        "available",
        "initial_cash",
        "total_deposits",
        "ledger_check",
        "created_at",
        "reset_at",
    ]
    readonly_fields = fields[2:]

    @admin.display(description="주문가능금액")
    def available(self, account: Account) -> SafeString:
        return format_html('<span class="bo-num">{}</span>', won(account.available_cash))

    @admin.display(description="바로가기")
    def lists(self, account: Account) -> SafeString:
        return format_html_join(" · ", '<a href="{}">{}</a>', _account_lists(account, counts=False)[:3])

    @admin.display(description="내역")
    def related_lists(self, account: Account) -> SafeString:
        return format_html_join(" · ", '<a href="{}">{}</a>', _account_lists(account, counts=True))

    @admin.display(description="원장 점검")
    def ledger_check(self, account: Account) -> str:
        off = selectors.accounts_off_ledger().filter(pk=account.pk).first()
        if off is None:
            return "정상: 현금 = 원장 합계, 예약금 = 미체결 주문 예약금 합계, 매도 주문 수량 일치"
        problems = []
        if off.cash != off.ledger_cash:
            problems.append(f"현금 {won(off.cash)} ≠ 원장 합계 {won(off.ledger_cash)}")
        if off.reserved_cash != off.open_orders_reserved:
            problems.append(f"예약금 {won(off.reserved_cash)} ≠ 미체결 주문 예약금 {won(off.open_orders_reserved)}")
        if off.shares_off:
            problems.append("보유 종목의 매도 주문 수량 ≠ 미체결 매도 수량")
        return "불일치: " + "; ".join(problems)

    def _amount(self, request: HttpRequest) -> int | None:
        raw = (request.POST.get("amount") or "").strip()
        return int(raw) if raw.isdigit() else None

    @admin.action(description="선택한 계좌에 금액 입금")
    def deposit(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        amount = self._amount(request)
        if not amount:
            self.message_user(request, "입금할 금액을 입력하세요.", messages.ERROR)
            return
        for account in queryset:
            try:
                services.account_deposit(account_id=account.pk, amount=amount)
            except DomainError as exc:
                self.message_user(request, f"{account}: {exc.message}", messages.ERROR)
                return
        self.message_user(request, f"계좌 {queryset.count()}개에 {amount:,}원을 입금했습니다.")

    @admin.action(description="선택한 계좌 초기화 (주문 취소, 보유 종목 정리, 현금 복원)")
    def reset(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        amount = self._amount(request)
        for account in queryset:
            services.account_reset(account_id=account.pk, initial_cash=amount)
        self.message_user(request, f"계좌 {queryset.count()}개를 초기화했습니다.")

    def save_model(self, request: HttpRequest, obj: Account, form: forms.Form, change: bool) -> None:
        if change:
            obj.save(update_fields=["name", "owner"])
        else:
            created = services.account_create(owner=obj.owner, name=obj.name, initial_cash=obj.initial_cash or None)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        return False  # it would take the account's orders, fills and ledger with it; reset it instead

    def get_fields(self, request: HttpRequest, obj: Account | None = None) -> list[Any]:
        if obj is None:  # adding: the opening balance goes through account_create
            return ["owner", "name", "initial_cash"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Account | None = None) -> list[Any]:
        return [] if obj is None else super().get_readonly_fields(request, obj)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "account_link",
        "symbol",
        "side",
        "type",
        "quantity",
        "price",
        "filled_quantity",
        "avg_fill_price",
        "status",
    ]
    list_filter = ["status", "side", "type", "time_in_force", "session"]
    list_select_related = ["account", "symbol"]
    search_fields = ["symbol__code", "symbol__name", "client_order_id", "account__name", "account__owner__username"]
    won_fields = ["price", "avg_fill_price", "filled_amount", "reserved_cash"]
    share_fields = ["quantity", "filled_quantity"]
    readonly_fields = [
        "id",
        "account",
        "symbol",
        "side",
        "type",
        "time_in_force",
        "session",
        "status",
        "quantity",
        "price",
        "filled_quantity",
        "avg_fill_price",
        "filled_amount",
        "fills",
        "reserved_cash",
        "reject_reason",
        "client_order_id",
        "condition",
        "queue_key",
        "created_at",
        "updated_at",
    ]
    actions = ["cancel"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, order: Order) -> SafeString | str:
        return change_link(order.account)

    @admin.display(description="체결 내역")
    def fills(self, order: Order) -> SafeString:
        count = order.trades.count()
        return format_html(
            '<a href="{}">체결 {}건</a> · <a href="{}">현금 원장</a>',
            related_list_url(Trade, order=order.pk),
            f"{count:,}",
            related_list_url(CashEntry, order=order.pk),
        )

    @admin.action(description="선택한 미체결 주문 취소")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            if not order.is_open:
                continue
            try:
                services.order_cancel(order_id=order.pk)
            except DomainError as exc:
                self.message_user(request, f"주문 #{order.pk}: {exc.message}", messages.WARNING)
                continue
            done += 1
        self.message_user(request, f"주문 {done}건을 취소했습니다.")


@admin.register(Trade)
class TradeAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "time",
        "account_link",
        "symbol",
        "side",
        "quantity",
        "price",
        "commission",
        "tax",
        "realized_pnl",
        "order_link",
    ]
    list_filter = ["side"]
    list_select_related = ["account", "symbol", "order"]
    search_fields = ["symbol__code", "symbol__name", "account__name", "account__owner__username"]
    won_fields = ["price", "commission", "tax"]
    signed_won_fields = ["realized_pnl"]
    share_fields = ["quantity"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, trade: Trade) -> SafeString | str:
        return change_link(trade.account)

    @admin.display(description="주문", ordering="order")
    def order_link(self, trade: Trade) -> SafeString | str:
        return change_link(trade.order, f"#{trade.order_id}")


@admin.register(CashEntry)
class CashEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "time", "account_link", "kind", "amount", "balance_after", "order_link", "note"]
    list_filter = ["kind"]
    list_select_related = ["account", "order"]
    search_fields = ["account__name", "account__owner__username", "note"]
    signed_won_fields = ["amount"]
    won_fields = ["balance_after"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, entry: CashEntry) -> SafeString | str:
        return change_link(entry.account)

    @admin.display(description="주문", ordering="order")
    def order_link(self, entry: CashEntry) -> SafeString | str:
        return change_link(entry.order, f"#{entry.order_id}")


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "account_link",
        "symbol",
        "quantity",
        "reserved_quantity",
        "avg_cost",
        "cost_basis",
        "realized_pnl",
        "updated_at",
    ]
    list_select_related = ["account", "symbol"]
    search_fields = ["symbol__code", "symbol__name", "account__name", "account__owner__username"]
    won_fields = ["avg_cost", "cost_basis"]
    signed_won_fields = ["realized_pnl"]
    share_fields = ["quantity", "reserved_quantity"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, position: Position) -> SafeString | str:
        return change_link(position.account)


@admin.register(Condition)
class ConditionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "account_link",
        "symbol",
        "side",
        "trigger",
        "trigger_price",
        "quantity",
        "order_type",
        "status",
    ]
    list_filter = ["status", "trigger", "side"]
    list_select_related = ["account", "symbol"]
    search_fields = ["symbol__code", "symbol__name", "account__name", "account__owner__username", "oco_group"]
    won_fields = ["trigger_price", "trail_amount", "extreme", "limit_price"]
    share_fields = ["quantity"]
    actions = ["cancel"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, condition: Condition) -> SafeString | str:
        return change_link(condition.account)

    @admin.action(description="선택한 감시주문 취소")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Condition]) -> None:
        done = 0
        for condition in queryset:
            try:
                conditions.condition_cancel(condition_id=condition.pk)
            except DomainError as exc:
                self.message_user(request, f"감시주문 #{condition.pk}: {exc.message}", messages.WARNING)
                continue
            done += 1
        self.message_user(request, f"감시주문 {done}건을 취소했습니다.")
