"""REST endpoints of the order engine (docs/api.md, "orders"). Thin: selectors read, services write."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import JsonInput, QueryInput, code_field, id_field
from config.throttling import AtomicScopedRateThrottle
from market.clock import market_clock, market_now
from market.enums import Market
from orders import conditions, costs, history, selectors, services
from orders.enums import (
    ActivityType,
    ConditionStatus,
    ConditionTrigger,
    HistoryPeriod,
    HistoryTimeframe,
    OrderSession,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
)
from orders.events import order_payload
from orders.messages import MAX_CASH, MAX_QUANTITY
from orders.models import Account, Condition, Order, Position, Trade

# --- serializers ----------------------------------------------------------------------------------


class AccountOutput(serializers.ModelSerializer):
    available_cash = serializers.IntegerField(read_only=True)
    settled_cash = serializers.IntegerField(
        source="balances.settled", read_only=True, help_text="예수금: cash whose trades have settled (T+2)."
    )
    d1_cash = serializers.IntegerField(
        source="balances.d1", read_only=True, help_text="D+1 예수금: after the next trading day's settlements."
    )
    d2_cash = serializers.IntegerField(
        source="balances.d2", read_only=True, help_text="D+2 예수금: after every pending settlement (= cash)."
    )
    orderable_cash = serializers.IntegerField(
        source="balances.orderable",
        read_only=True,
        help_text="주문가능금액: cash less open buy orders' reservations (sale proceeds count at once).",
    )
    market_value = serializers.IntegerField(source="value.market_value", read_only=True)
    equity = serializers.IntegerField(source="value.equity", read_only=True)
    realized_pnl = serializers.IntegerField(source="value.realized_pnl", read_only=True)
    unrealized_pnl = serializers.IntegerField(source="value.unrealized_pnl", read_only=True)
    total_pnl = serializers.IntegerField(source="value.total_pnl", read_only=True)
    return_rate = serializers.FloatField(source="value.return_rate", read_only=True, help_text="Percent.")

    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "initial_cash",
            "cash",
            "reserved_cash",
            "available_cash",
            "settled_cash",
            "d1_cash",
            "d2_cash",
            "orderable_cash",
            "market_value",
            "equity",
            "realized_pnl",
            "unrealized_pnl",
            "total_pnl",
            "return_rate",
            "created_at",
            "reset_at",
        ]


class AccountCreateInput(JsonInput):
    name = serializers.CharField(max_length=100)
    initial_cash = serializers.IntegerField(required=False, min_value=1, max_value=MAX_CASH)


class AccountResetInput(JsonInput):
    initial_cash = serializers.IntegerField(required=False, min_value=1, max_value=MAX_CASH)


class AccountDepositInput(JsonInput):
    amount = serializers.IntegerField(
        min_value=1, max_value=MAX_CASH, help_text="Won; the cash after it may not pass 10^15 either."
    )


class OrderOutput(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)
    symbol_name = serializers.CharField(source="symbol.name", read_only=True)
    queue_ahead = serializers.SerializerMethodField(
        help_text="Shares ahead of the order at its price while it rests in the book (GET of one order)."
    )
    condition = serializers.IntegerField(
        source="condition_id", read_only=True, allow_null=True, help_text="The conditional order that placed it."
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "account",
            "symbol",
            "symbol_name",
            "side",
            "type",
            "time_in_force",
            "session",
            "quantity",
            "price",
            "status",
            "reject_reason",
            "filled_quantity",
            "avg_fill_price",
            "client_order_id",
            "queue_ahead",
            "condition",
            "created_at",
            "updated_at",
        ]

    def get_queue_ahead(self, order: Order) -> int | None:
        return getattr(order, "queue_ahead", None)


class OrderInput(JsonInput):
    account = id_field()
    symbol = code_field()
    side = serializers.ChoiceField(choices=OrderSide.choices)
    type = serializers.ChoiceField(choices=OrderType.choices)
    time_in_force = serializers.ChoiceField(choices=TimeInForce.choices, default=TimeInForce.DAY)
    session = serializers.ChoiceField(choices=OrderSession.choices, default=OrderSession.REGULAR)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    price = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_CASH,
        help_text="Won, on the tick grid and inside today's band; required for limit and conditional orders, "
        "null for market, best and priority.",
    )
    client_order_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class TradeOutput(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)
    symbol_name = serializers.CharField(source="symbol.name", read_only=True, max_length=100)
    realized_pnl = serializers.IntegerField(
        read_only=True,
        help_text="Won: what this fill changed its position's realized_pnl by, net of costs as that counts them: "
        "a sale's price × quantity − the cost basis it released (average cost) − commission − tax; a buy's "
        "−commission (expensed when it fills). The fills' sum since a reset is the positions' realized_pnl.",
    )

    class Meta:
        model = Trade
        fields = [
            "id",
            "order",
            "account",
            "symbol",
            "symbol_name",
            "side",
            "quantity",
            "price",
            "commission",
            "tax",
            "realized_pnl",
            "time",
        ]


class PositionOutput(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)
    symbol_name = serializers.CharField(source="symbol.name", read_only=True)
    last_price = serializers.IntegerField(source="value.last_price", read_only=True, allow_null=True)
    market_value = serializers.IntegerField(source="value.market_value", read_only=True)
    unrealized_pnl = serializers.IntegerField(source="value.unrealized_pnl", read_only=True)
    unrealized_pnl_rate = serializers.FloatField(source="value.unrealized_pnl_rate", read_only=True)

    class Meta:
        model = Position
        fields = [
            "account",
            "symbol",
            "symbol_name",
            "quantity",
            "reserved_quantity",
            "avg_cost",
            "realized_pnl",
            "last_price",
            "market_value",
            "unrealized_pnl",
            "unrealized_pnl_rate",
        ]


class CostsOutput(serializers.Serializer):
    commission_rate = serializers.CharField()
    sell_tax_rate = serializers.CharField(help_text="KOSPI's rate for a sale made today (by its T+2 settlement).")
    market_tax_rates = serializers.DictField(child=serializers.CharField())


def _valued_accounts(accounts: list[Account]) -> list[Account]:
    prices = selectors.account_prices(accounts)
    balances = selectors.account_balances(accounts, market_now())
    for account in accounts:
        account.value = selectors.account_value(account, prices)
        account.balances = balances[account.pk]
    return accounts


def _account_response(user: Any, account_id: int, code: int = status.HTTP_200_OK) -> Response:
    account = selectors.account_get(user=user, account_id=account_id)
    return Response(AccountOutput(_valued_accounts([account])[0]).data, status=code)


# --- accounts ---------------------------------------------------------------------------------------


class AccountListCreateApi(generics.ListAPIView):
    serializer_class = AccountOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Account.objects.none()
        return selectors.account_list(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AccountOutput(_valued_accounts(list(page)), many=True).data)

    @extend_schema(request=AccountCreateInput, responses={201: AccountOutput})
    def post(self, request: Request) -> Response:
        data = AccountCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_create(owner=request.user, **data.validated_data)
        return _account_response(request.user, account.pk, status.HTTP_201_CREATED)


class AccountDetailApi(APIView):
    @extend_schema(responses={200: AccountOutput})
    def get(self, request: Request, pk: int) -> Response:
        return _account_response(request.user, pk)


class AccountResetApi(APIView):
    @extend_schema(request=AccountResetInput, responses={200: AccountOutput})
    def post(self, request: Request, pk: int) -> Response:
        account = selectors.account_get(user=request.user, account_id=pk)
        data = AccountResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_reset(account_id=account.pk, **data.validated_data)
        return _account_response(request.user, pk)


class AccountDepositApi(APIView):
    @extend_schema(request=AccountDepositInput, responses={200: AccountOutput})
    def post(self, request: Request, pk: int) -> Response:
        account = selectors.account_get(user=request.user, account_id=pk)
        data = AccountDepositInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_deposit(account_id=account.pk, amount=data.validated_data["amount"])
        return _account_response(request.user, pk)


# --- orders -------------------------------------------------------------------------------------------


BAD_TIME = _("ISO 8601 날짜·시각으로 보내 주세요 (예: 2026-01-02T09:00:00+09:00).")


class AccountQuery(QueryInput):
    account = id_field(required=False, help_text="Only this account's rows.")


class OrderQuery(AccountQuery):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    symbol = code_field(required=False)


def _query(request: Request, query: type[QueryInput]) -> dict[str, Any]:
    """The request's query parameters, validated: a bad parameter is a 400 naming it."""
    params = query(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _filtered(request: Request, query: type[QueryInput], rows: Any, filters: dict[str, Any] | None = None) -> Any:
    """Rows of the request's query (`filters`: that query already validated)."""
    if filters is None:
        filters = _query(request, query)
    if "account" in filters:
        selectors.account_check_owned(user=request.user, account_id=filters["account"])
        rows = rows.filter(account_id=filters["account"])
    if "status" in filters:
        rows = rows.filter(status=filters["status"])
    if "symbol" in filters:
        rows = rows.filter(symbol__code=filters["symbol"])
    return rows


class ThrottledPost:
    """A list that also creates: only the POST (placing) is rate-limited, reading it is not."""

    throttle_scope = "orders"

    def get_throttles(self):
        return [AtomicScopedRateThrottle()] if self.request.method == "POST" else []


@extend_schema_view(get=extend_schema(parameters=[OrderQuery]))
class OrderListCreateApi(ThrottledPost, generics.ListAPIView):
    serializer_class = OrderOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        return _filtered(self.request, OrderQuery, selectors.order_list(user=self.request.user))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The blotter is polled on every screen: OrderOutput's shape built by hand, as for POST;
        # the open orders' places in the queue asked of the exchange in one batch.
        page = self.paginate_queryset(self.get_queryset())
        services.orders_queue_ahead(orders=page)
        tz = timezone.get_current_timezone()
        return self.get_paginated_response([order_payload(order, tz) for order in page])

    @extend_schema(request=OrderInput, responses={201: OrderOutput, 200: OrderOutput})
    def post(self, request: Request) -> Response:
        data = OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        order, created = services.order_place(account_id=values.pop("account"), owner_id=request.user.pk, **values)
        # OrderOutput's shape, built by hand as for /ws/orders (a test holds the two equal): a
        # ModelSerializer builds its fields anew for every instance, a millisecond per order here.
        body = order_payload(order)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderDetailApi(APIView):
    @extend_schema(responses={200: OrderOutput})
    def get(self, request: Request, pk: int) -> Response:
        order = selectors.order_get(user=request.user, order_id=pk)
        order.queue_ahead = services.order_queue_ahead(order=order)
        return Response(order_payload(order))


class OrderCancelInput(JsonInput):
    quantity = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text="Shares to cancel (a partial cancel keeps the order's time priority); empty: all that is open.",
    )


class OrderCancelApi(APIView):
    @extend_schema(request=OrderCancelInput, responses={200: OrderOutput})
    def post(self, request: Request, pk: int) -> Response:
        order = selectors.order_get(user=request.user, order_id=pk)
        data = OrderCancelInput(data=request.data)  # no body: cancel it all; a JSON null is refused
        data.is_valid(raise_exception=True)
        return Response(order_payload(services.order_cancel(order_id=order.pk, **data.validated_data)))


class OrderModifyInput(JsonInput):
    price = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CASH)
    quantity = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text="The new open quantity: a larger one loses time priority, a smaller one keeps it.",
    )


class OrderModifyApi(APIView):
    """정정: a new price and/or open quantity for an open order."""

    @extend_schema(request=OrderModifyInput, responses={200: OrderOutput})
    def post(self, request: Request, pk: int) -> Response:
        order = selectors.order_get(user=request.user, order_id=pk)
        data = OrderModifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(order_payload(services.order_modify(order_id=order.pk, **data.validated_data)))


class OrderCostsApi(APIView):
    @extend_schema(responses={200: CostsOutput})
    def get(self, request: Request) -> Response:
        today = market_clock().today()
        rates = {market.value: str(costs.sell_tax_rate_for_trade(market.value, today)) for market in Market}
        return Response(
            CostsOutput(
                {
                    "commission_rate": str(costs.commission_rate()),
                    "sell_tax_rate": rates[Market.KOSPI.value],
                    "market_tax_rates": rates,
                }
            ).data
        )


# --- positions and trades -------------------------------------------------------------------------------


@extend_schema_view(get=extend_schema(parameters=[AccountQuery]))
class PositionListApi(generics.ListAPIView):
    serializer_class = PositionOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Position.objects.none()
        return _filtered(self.request, AccountQuery, selectors.position_list(user=self.request.user))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        positions = list(self.paginate_queryset(self.get_queryset()))
        prices = selectors.last_prices([p.symbol.code for p in positions])
        for position in positions:
            position.value = selectors.position_value(position, prices)
        return self.get_paginated_response(PositionOutput(positions, many=True).data)


class TradeQuery(AccountQuery):
    symbol = code_field(required=False)
    after = serializers.DateTimeField(
        required=False,
        help_text="Only fills after this moment (ISO 8601; without an offset, Seoul time). Earlier than until, "
        "else 422.",
        error_messages={"invalid": BAD_TIME},
    )
    until = serializers.DateTimeField(
        required=False,
        help_text="Only fills at or before this moment (ISO 8601; without an offset, Seoul time).",
        error_messages={"invalid": BAD_TIME},
    )


@extend_schema_view(get=extend_schema(parameters=[TradeQuery]))
class TradeListApi(generics.ListAPIView):
    """The user's fills, newest first; `after` < time ≤ `until` when given."""

    serializer_class = TradeOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Trade.objects.none()
        filters = _query(self.request, TradeQuery)
        trades = selectors.trade_list(user=self.request.user, after=filters.get("after"), until=filters.get("until"))
        return _filtered(self.request, TradeQuery, trades, filters)


# --- history and activities ---------------------------------------------------------------------

BAD_PERIOD = _("period는 {choices} 중 하나여야 합니다.")
BAD_TIMEFRAME = _("timeframe은 {choices} 중 하나여야 합니다.")
BAD_ACTIVITY_TYPE = _("type은 쉼표로 구분한 {choices} 중에서 골라 주세요.")
BAD_PAGE_SIZE = _("page_size는 1에서 500 사이의 정수여야 합니다.")


def _choices_text(choices: type) -> str:
    return ", ".join(choices.values)


class HistoryInput(QueryInput):
    period = serializers.ChoiceField(
        choices=HistoryPeriod.choices,
        required=False,
        help_text="Default 1M; 1D is today.",
        error_messages={"invalid_choice": format_lazy(BAD_PERIOD, choices=_choices_text(HistoryPeriod))},
    )
    timeframe = serializers.ChoiceField(
        choices=HistoryTimeframe.choices,
        required=False,
        help_text=(
            "Default 1D, or 1Min with period=1D. Intraday points cover the days whose minutes are kept"
            " (today and yesterday)."
        ),
        error_messages={"invalid_choice": format_lazy(BAD_TIMEFRAME, choices=_choices_text(HistoryTimeframe))},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        period = attrs.get("period", HistoryPeriod.MONTH)
        default = HistoryTimeframe.MINUTE if period == HistoryPeriod.DAY else HistoryTimeframe.DAY
        return {"period": period, "timeframe": attrs.get("timeframe", default)}


class HistoryPointOutput(serializers.Serializer):
    time = serializers.DateTimeField(help_text="Start of the day (00:00 KST) or of the intraday bucket.")
    equity = serializers.IntegerField(help_text="Cash + market value, won.")
    cash = serializers.IntegerField()
    market_value = serializers.IntegerField()
    invested = serializers.IntegerField(help_text="Initial cash + deposits since the last reset.")
    profit_loss = serializers.IntegerField(help_text="equity − invested.")
    return_rate = serializers.FloatField(help_text="profit_loss / invested, percent.")
    period_profit_loss = serializers.IntegerField(help_text="Change of profit_loss since the previous point.")
    period_return_rate = serializers.FloatField(help_text="period_profit_loss over the money at work, percent.")


class HistoryOutput(serializers.Serializer):
    account = serializers.IntegerField(source="account_id")
    period = serializers.ChoiceField(choices=HistoryPeriod.choices)
    timeframe = serializers.ChoiceField(choices=HistoryTimeframe.choices)
    base_value = serializers.IntegerField(help_text="Equity before the first point (its previous close).")
    points = HistoryPointOutput(many=True)


class AccountHistoryApi(APIView):
    @extend_schema(parameters=[HistoryInput], responses={200: HistoryOutput})
    def get(self, request: Request, pk: int) -> Response:
        account = selectors.account_get(user=request.user, account_id=pk)
        params = HistoryInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(HistoryOutput(history.account_history(account=account, **params.validated_data)).data)


_TYPES_PATTERN = "^({0})(,({0}))*$".format("|".join(ActivityType.values))


class ActivityTypesField(serializers.CharField):
    def to_internal_value(self, data: Any) -> list[str]:
        text = super().to_internal_value(data)
        if not re.fullmatch(_TYPES_PATTERN, text):
            raise serializers.ValidationError(BAD_ACTIVITY_TYPE.format(choices=_choices_text(ActivityType)))
        return list(dict.fromkeys(text.split(",")))


class ActivitiesInput(QueryInput):
    type = ActivityTypesField(
        required=False, trim_whitespace=False, help_text="Comma-separated activity types; all by default."
    )
    after = serializers.DateTimeField(
        required=False, help_text="Only activities after this moment.", error_messages={"invalid": BAD_TIME}
    )
    until = serializers.DateTimeField(
        required=False, help_text="Only activities at or before this moment.", error_messages={"invalid": BAD_TIME}
    )
    page_token = serializers.CharField(required=False, max_length=200, help_text="The page_token of the previous page.")
    page_size = serializers.IntegerField(
        required=False,
        default=50,
        min_value=1,
        max_value=500,
        error_messages={key: BAD_PAGE_SIZE for key in ("invalid", "min_value", "max_value", "max_string_length")},
    )


class ActivityOutput(serializers.Serializer):
    id = serializers.CharField(help_text="Unique per account: fill:<trade>, cash:<entry> or settlement:<trade date>.")
    type = serializers.ChoiceField(choices=ActivityType.choices)
    time = serializers.DateTimeField()
    amount = serializers.IntegerField(help_text="Signed cash effect, won (a fill: −price×quantity for a buy).")
    balance_after = serializers.IntegerField(allow_null=True)
    symbol = serializers.CharField(allow_null=True)
    symbol_name = serializers.CharField(allow_null=True)
    side = serializers.ChoiceField(choices=OrderSide.choices, allow_null=True)
    quantity = serializers.IntegerField(allow_null=True)
    price = serializers.IntegerField(allow_null=True)
    order = serializers.IntegerField(allow_null=True)
    trade = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    trade_date = serializers.DateField(allow_null=True, help_text="Settlements: the trading day settled.")
    settlement_date = serializers.DateField(allow_null=True, help_text="Settlements: T+2 business days.")


class ActivityPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    page_token = serializers.CharField(allow_null=True, help_text="Pass as page_token for the next page.")
    results = ActivityOutput(many=True)


class AccountActivitiesApi(APIView):
    @extend_schema(
        parameters=[
            ActivitiesInput,
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                description="Comma-separated activity types (" + _choices_text(ActivityType) + "); all by default.",
                pattern=_TYPES_PATTERN,
            ),
        ],
        responses={200: ActivityPageOutput},
    )
    def get(self, request: Request, pk: int) -> Response:
        account = selectors.account_get(user=request.user, account_id=pk)
        params = ActivitiesInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        values = params.validated_data
        page = history.activity_list(
            account=account,
            types=values.get("type"),
            after=values.get("after"),
            until=values.get("until"),
            page_token=values.get("page_token"),
            page_size=values["page_size"],
        )
        next_url = None
        if page.next_token:
            query = request.query_params.copy()
            query["page_token"] = page.next_token
            next_url = request.build_absolute_uri(request.path + "?" + query.urlencode())
        results = [history.activity_fields(a) for a in page.results]
        return Response(ActivityPageOutput({"next": next_url, "page_token": page.next_token, "results": results}).data)


# --- conditional orders ---------------------------------------------------------------------------


class ConditionOutput(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)
    symbol_name = serializers.CharField(source="symbol.name", read_only=True)
    parent_order = serializers.IntegerField(source="parent_order_id", read_only=True, allow_null=True)
    order = serializers.IntegerField(
        source="order_id", read_only=True, allow_null=True, help_text="The order its trigger placed."
    )

    class Meta:
        model = Condition
        fields = [
            "id",
            "account",
            "symbol",
            "symbol_name",
            "side",
            "quantity",
            "trigger",
            "trigger_price",
            "trail_amount",
            "trail_percent",
            "extreme",
            "order_type",
            "limit_price",
            "oco_group",
            "parent_order",
            "status",
            "message",
            "order",
            "created_at",
            "triggered_at",
        ]


class ConditionInput(JsonInput):
    account = id_field()
    symbol = code_field()
    side = serializers.ChoiceField(choices=OrderSide.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    trigger = serializers.ChoiceField(choices=ConditionTrigger.choices)
    trigger_price = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CASH, help_text="stop, take_profit."
    )
    trail_amount = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CASH, help_text="trailing: won."
    )
    trail_percent = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0.01,
        max_value=30,
        help_text="trailing: percent (two decimals kept).",
    )
    order_type = serializers.ChoiceField(choices=[OrderType.MARKET, OrderType.LIMIT], default=OrderType.MARKET)
    limit_price = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CASH, help_text="order_type limit."
    )


class BracketEntryInput(JsonInput):
    type = serializers.ChoiceField(choices=[OrderType.MARKET, OrderType.LIMIT], default=OrderType.LIMIT)
    price = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_CASH)


class BracketInput(JsonInput):
    account = id_field()
    symbol = code_field()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    take_profit = serializers.IntegerField(min_value=1, max_value=MAX_CASH, help_text="Sell when last ≥ this.")
    stop_loss = serializers.IntegerField(min_value=1, max_value=MAX_CASH, help_text="Sell when last ≤ this.")
    entry = BracketEntryInput(
        required=False, allow_null=True, default=None, help_text="A buy placed first; the legs wait for its fills."
    )


class BracketOutput(serializers.Serializer):
    entry_order = OrderOutput(allow_null=True)
    conditions = ConditionOutput(many=True)


class ConditionQuery(AccountQuery):
    status = serializers.ChoiceField(choices=ConditionStatus.choices, required=False)
    symbol = code_field(required=False)


@extend_schema_view(get=extend_schema(parameters=[ConditionQuery]))
class ConditionListCreateApi(ThrottledPost, generics.ListAPIView):
    """자동감시주문: stop, take-profit and trailing conditions the platform watches."""

    serializer_class = ConditionOutput
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Condition.objects.none()
        rows = Condition.objects.filter(account__owner=self.request.user).select_related("symbol")
        return _filtered(self.request, ConditionQuery, rows)

    @extend_schema(request=ConditionInput, responses={201: ConditionOutput})
    def post(self, request: Request) -> Response:
        data = ConditionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        condition = conditions.condition_create(account_id=values.pop("account"), owner_id=request.user.pk, **values)
        return Response(ConditionOutput(condition).data, status=status.HTTP_201_CREATED)


class BracketCreateApi(APIView):
    """A take-profit and a stop-loss sell, one-cancels-other, on shares held or on a new buy."""

    throttle_scope = "orders"
    throttle_classes = [AtomicScopedRateThrottle]

    @extend_schema(request=BracketInput, responses={201: BracketOutput})
    def post(self, request: Request) -> Response:
        data = BracketInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        entry, legs = conditions.bracket_create(account_id=values.pop("account"), owner_id=request.user.pk, **values)
        body = {
            "entry_order": order_payload(entry) if entry else None,
            "conditions": ConditionOutput(legs, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ConditionCancelApi(APIView):
    @extend_schema(request=None, responses={200: ConditionOutput})
    def post(self, request: Request, pk: int) -> Response:
        condition = conditions.condition_cancel(condition_id=pk, owner_id=request.user.pk)
        return Response(ConditionOutput(condition).data)
