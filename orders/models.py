"""Simulated cash accounts, orders, fills, positions and the cash ledger.

Money is integer won (BigIntegerField); only averages are Decimal. The database enforces the
invariants the services keep (cash ≥ 0, reserved ≤ cash, quantities ≥ 0, reserved ≤ held,
filled ≤ ordered), so a bug in the engine fails loudly instead of losing or creating money.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from market.fields import MarketTimeField
from orders.enums import (
    CashEntryKind,
    ConditionStatus,
    ConditionTrigger,
    OrderSession,
    OrderSide,
    OrderStatus,
    OrderType,
    SnapshotTimeframe,
    TimeInForce,
)


class Account(models.Model):
    """A simulated KRW cash account. A user may hold several."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trading_accounts", verbose_name=_("소유자")
    )
    name = models.CharField(_("계좌명"), max_length=100)
    initial_cash = models.BigIntegerField(_("초기 자금"))
    cash = models.BigIntegerField(_("현금"), default=0)
    # Cash held by open buy orders (limit price × remaining quantity + its commission).
    reserved_cash = models.BigIntegerField(_("주문 예약금"), default=0)
    # Deposits since the last reset, so the return is measured on the money actually put in.
    total_deposits = models.BigIntegerField(_("입금 합계"), default=0)
    created_at = MarketTimeField(_("개설 시각"), auto_now_add=True)
    reset_at = models.DateTimeField(_("초기화 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("계좌")
        verbose_name_plural = _("계좌")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(cash__gte=0), name="orders_account_cash_gte_0"),
            models.CheckConstraint(condition=Q(reserved_cash__gte=0), name="orders_account_reserved_gte_0"),
            models.CheckConstraint(condition=Q(reserved_cash__lte=F("cash")), name="orders_account_reserved_lte_cash"),
            models.CheckConstraint(condition=Q(initial_cash__gte=0), name="orders_account_initial_cash_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"

    @property
    def available_cash(self) -> int:
        return self.cash - self.reserved_cash


class Order(models.Model):
    # No single-column indexes on the two keys: (account, -id) and (symbol, status) lead with them.
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="orders", db_index=False, verbose_name=_("계좌")
    )
    symbol = models.ForeignKey(
        "market.Symbol", on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("종목")
    )
    side = models.CharField(_("매매"), max_length=4, choices=OrderSide.choices)
    type = models.CharField(_("주문 유형"), max_length=11, choices=OrderType.choices)
    time_in_force = models.CharField(_("체결 조건"), max_length=3, choices=TimeInForce.choices, default=TimeInForce.DAY)
    session = models.CharField(_("세션"), max_length=12, choices=OrderSession.choices, default=OrderSession.REGULAR)
    quantity = models.BigIntegerField(_("주문 수량"))
    price = models.BigIntegerField(
        _("주문 가격"), null=True, blank=True, help_text=_("지정가 주문의 가격; 시장가 주문은 비워 둡니다.")
    )
    status = models.CharField(_("상태"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.NEW)
    reject_reason = models.CharField(_("거부 사유"), max_length=300, blank=True, default="")
    filled_quantity = models.BigIntegerField(_("체결 수량"), default=0)
    avg_fill_price = models.DecimalField(_("평균 체결가"), max_digits=20, decimal_places=4, null=True, blank=True)
    # Σ price × quantity over the fills: the exact numerator of avg_fill_price.
    filled_amount = models.BigIntegerField(_("체결 금액"), default=0)
    client_order_id = models.CharField(_("클라이언트 주문 ID"), max_length=64, blank=True, default="")
    # Cash this order still holds on its account (buy limit orders only).
    reserved_cash = models.BigIntegerField(_("예약금"), default=0)
    # Its place in the exchange's time priority ("<venue epoch>:<event seq>", set when the exchange
    # accepts it and when a 정정 loses priority): a restarted exchange re-enters orders in this order.
    queue_key = models.CharField(_("시간 우선순위 키"), max_length=40, blank=True, default="")
    # The conditional order whose trigger placed this one (orders.conditions).
    condition = models.ForeignKey(
        "orders.Condition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("감시주문"),
    )
    created_at = MarketTimeField(_("주문 시각"), auto_now_add=True)
    updated_at = MarketTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("주문")
        verbose_name_plural = _("주문")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["symbol", "status"], name="orders_order_symbol_status"),
            models.Index(fields=["account", "-id"], name="orders_order_account_id"),
            # The matcher's query on every tick: only resting limit orders, usually very few.
            models.Index(
                fields=["symbol", "side", "price"],
                condition=Q(status__in=["new", "partially_filled"], type="limit"),
                name="orders_order_resting",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "client_order_id"],
                condition=~Q(client_order_id=""),
                name="orders_order_unique_client_order_id",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_order_quantity_gt_0"),
            models.CheckConstraint(condition=Q(filled_quantity__gte=0), name="orders_order_filled_gte_0"),
            models.CheckConstraint(
                condition=Q(filled_quantity__lte=F("quantity")), name="orders_order_filled_lte_quantity"
            ),
            models.CheckConstraint(condition=Q(reserved_cash__gte=0), name="orders_order_reserved_gte_0"),
            models.CheckConstraint(condition=Q(price__isnull=True) | Q(price__gt=0), name="orders_order_price_gt_0"),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.get_side_display()} {self.quantity:,} {self.symbol_id}"
            f" {self.get_type_display()} {self.get_status_display()}"
        )

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.filled_quantity

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class Trade(models.Model):
    """One fill of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="trades", verbose_name=_("주문"))
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="trades", db_index=False, verbose_name=_("계좌")
    )
    symbol = models.ForeignKey("market.Symbol", on_delete=models.PROTECT, related_name="+", verbose_name=_("종목"))
    side = models.CharField(_("매매"), max_length=4, choices=OrderSide.choices)
    quantity = models.BigIntegerField(_("체결 수량"))
    price = models.BigIntegerField(_("체결가"))
    commission = models.BigIntegerField(_("수수료"), default=0)
    tax = models.BigIntegerField(_("거래세"), default=0)
    time = models.DateTimeField(_("체결 시각"))
    # The exchange's execution this fill books (market.venue: owner start, code, board, sequence):
    # a redelivered execution is booked once.
    exec_id = models.CharField(_("거래소 체결 ID"), max_length=64, blank=True, default="")
    # What booking it changed its position's realized_pnl by (orders.ledger.Ledger.apply_fill), so
    # the fills' sum since a reset is the positions' realized_pnl.
    realized_pnl = models.BigIntegerField(
        _("실현손익"),
        default=0,
        help_text=_(
            "이 체결로 확정된 실현손익(원, 비용 차감): 매도는 매도금액 − 평균단가로 덜어낸 매입금액"
            " − 수수료 − 세금, 매수는 −수수료."
        ),
    )

    class Meta:
        verbose_name = _("체결")
        verbose_name_plural = _("체결")
        ordering = ["-id"]
        # Every index is written on every fill: only those a query uses ((account, -id) also
        # serves the account key).
        indexes = [models.Index(fields=["account", "-id"], name="orders_trade_account_id")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_trade_quantity_gt_0"),
            models.CheckConstraint(condition=Q(price__gt=0), name="orders_trade_price_gt_0"),
            models.CheckConstraint(condition=Q(commission__gte=0) & Q(tax__gte=0), name="orders_trade_costs_gte_0"),
            models.UniqueConstraint(
                fields=["order", "exec_id"], condition=~Q(exec_id=""), name="orders_trade_exec_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.quantity:,} {self.symbol_id} @ {self.price:,}"

    @property
    def amount(self) -> int:
        return self.price * self.quantity


class Position(models.Model):
    """Shares of one symbol in one account.

    `cost_basis` is the exact integer won paid for the shares still held (prices only, commissions
    are expensed); `avg_cost` = cost_basis / quantity. `realized_pnl` is net of every cost:
    Σ (proceeds − released cost basis − commission − tax) over sells − Σ commission over buys, so
    an account's realised + unrealised P&L (market value − cost basis) is its total P&L.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="positions", verbose_name=_("계좌"))
    symbol = models.ForeignKey("market.Symbol", on_delete=models.PROTECT, related_name="+", verbose_name=_("종목"))
    quantity = models.BigIntegerField(_("보유 수량"), default=0)
    reserved_quantity = models.BigIntegerField(
        _("매도 주문 수량"), default=0, help_text=_("미체결 매도 주문에 묶인 수량.")
    )
    cost_basis = models.BigIntegerField(_("매입 금액"), default=0)
    avg_cost = models.DecimalField(_("평균 단가"), max_digits=20, decimal_places=4, default=Decimal("0"))
    realized_pnl = models.BigIntegerField(_("실현손익"), default=0)
    updated_at = MarketTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("보유 종목")
        verbose_name_plural = _("보유 종목")
        ordering = ["account_id", "symbol_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "symbol"], name="orders_position_unique_account_symbol"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="orders_position_quantity_gte_0"),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="orders_position_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved_quantity__lte=F("quantity")), name="orders_position_reserved_lte_quantity"
            ),
            models.CheckConstraint(condition=Q(cost_basis__gte=0), name="orders_position_cost_basis_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol_id} × {self.quantity}"


class Condition(models.Model):
    """A conditional order the platform holds until its trigger (자동감시주문, 스톱지정가): when the
    last price crosses it, it places an ordinary order (`order`, whose `condition` points back).

    stop         buy when last ≥ trigger_price, sell when last ≤ trigger_price
    take_profit  sell when last ≥ trigger_price, buy when last ≤ trigger_price
    trailing     sell when last ≤ extreme − trail (extreme: the highest price since it was armed;
                 a buy mirrors it with the lowest); trail is `trail_amount` won or `trail_percent` %

    Legs of one `oco_group` are one-cancels-other: the first to trigger cancels the rest. A leg with
    a `parent_order` (a bracket on an entry order) waits until that order fills and then watches
    the quantity it filled."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("계좌"))
    symbol = models.ForeignKey("market.Symbol", on_delete=models.PROTECT, related_name="+", verbose_name=_("종목"))
    side = models.CharField(_("매매"), max_length=4, choices=OrderSide.choices)
    quantity = models.BigIntegerField(_("수량"))
    trigger = models.CharField(_("감시 조건"), max_length=12, choices=ConditionTrigger.choices)
    trigger_price = models.BigIntegerField(_("감시 가격"), null=True, blank=True)
    trail_amount = models.BigIntegerField(_("추적 폭(원)"), null=True, blank=True)
    trail_percent = models.DecimalField(_("추적 폭(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    extreme = models.BigIntegerField(
        _("추적 기준가"), null=True, blank=True, help_text=_("추적 주문: 감시를 시작한 뒤 가장 유리했던 가격.")
    )
    # The order it places: market, or limit at limit_price.
    order_type = models.CharField(_("주문 유형"), max_length=11, choices=OrderType.choices, default=OrderType.MARKET)
    limit_price = models.BigIntegerField(_("지정가"), null=True, blank=True)
    oco_group = models.CharField(_("OCO 그룹"), max_length=32, blank=True, default="")
    parent_order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="brackets",
        db_index=False,
        verbose_name=_("진입 주문"),
    )
    status = models.CharField(_("상태"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE)
    message = models.CharField(_("메시지"), max_length=300, blank=True, default="")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("낸 주문")
    )
    created_at = MarketTimeField(_("생성 시각"), auto_now_add=True)
    triggered_at = models.DateTimeField(_("발동 시각"), null=True, blank=True)
    updated_at = MarketTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("감시주문")
        verbose_name_plural = _("감시주문")
        ordering = ["-id"]
        indexes = [
            # What each print of a symbol looks at: its live conditions, usually very few.
            models.Index(
                fields=["symbol", "status"],
                condition=Q(status__in=["waiting", "active", "triggered"]),
                name="orders_condition_live",
            ),
            models.Index(fields=["account", "-id"], name="orders_condition_account_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_condition_quantity_gt_0"),
            models.CheckConstraint(
                condition=~Q(trigger="trailing") | Q(trail_amount__gt=0) | Q(trail_percent__gt=0),
                name="orders_condition_trailing_has_trail",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"#{self.pk} {self.get_trigger_display()} {self.get_side_display()} {self.quantity:,}"
            f" {self.symbol_id} {self.get_status_display()}"
        )

    def trail(self, extreme: int) -> int:
        """The trailing stop's distance from `extreme`, in won."""
        if self.trail_amount:
            return self.trail_amount
        return int(extreme * self.trail_percent / 100)


class CashEntry(models.Model):
    """One movement of cash: the account's cash always equals the sum of its entries."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="cash_entries", db_index=False, verbose_name=_("계좌")
    )
    kind = models.CharField(_("구분"), max_length=12, choices=CashEntryKind.choices)
    amount = models.BigIntegerField(_("금액"), help_text=_("부호 있는 금액: +는 계좌로 들어온 돈, −는 나간 돈."))
    balance_after = models.BigIntegerField(_("잔액"))
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("주문")
    )
    trade = models.ForeignKey(
        Trade, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("체결")
    )
    note = models.CharField(_("메모"), max_length=200, blank=True, default="")
    time = models.DateTimeField(_("시각"))

    class Meta:
        verbose_name = _("현금 원장")
        verbose_name_plural = _("현금 원장")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="orders_cashentry_account_id")]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="orders_cashentry_balance_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:+,} → {self.balance_after:,}"


class AccountSnapshot(models.Model):
    """An account's value at one moment, as `selectors.account_value` computed it then.

    One `1D` row per account and trading day (rewritten until the day ends, so it holds the close)
    and one `1Min` row per account and minute for today's chart (older minutes are pruned).
    `invested` is the money put in since the last reset, so P&L = equity − invested.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="snapshots", db_index=False)
    timeframe = models.CharField(max_length=4, choices=SnapshotTimeframe.choices)
    # The start of the bucket: 00:00 Asia/Seoul of the day, or the minute.
    time = models.DateTimeField()
    equity = models.BigIntegerField()
    cash = models.BigIntegerField()
    market_value = models.BigIntegerField()
    invested = models.BigIntegerField()
    realized_pnl = models.BigIntegerField(default=0)
    # The reset the P&L counts from: a change between two rows means the account started over.
    reset_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField()

    class Meta:
        verbose_name = _("계좌 스냅샷")
        verbose_name_plural = _("계좌 스냅샷")
        ordering = ["account_id", "timeframe", "time"]
        constraints = [
            models.UniqueConstraint(fields=["account", "timeframe", "time"], name="orders_snapshot_unique_bucket"),
        ]
        indexes = [models.Index(fields=["timeframe", "time"], name="orders_snapshot_timeframe_time")]

    def __str__(self) -> str:
        return f"#{self.account_id} {self.timeframe} {self.time:%Y-%m-%d %H:%M} {self.equity:,}"

    @property
    def profit_loss(self) -> int:
        return self.equity - self.invested
