"""REST endpoints of the order engine (docs/api.md, "orders"). Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.throttling import AtomicScopedRateThrottle
from market.clock import market_clock
from market.enums import Market
from orders import costs, selectors, services
from orders.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from orders.events import order_payload
from orders.models import Account, Order, Position, Trade

# --- serializers ----------------------------------------------------------------------------------


class AccountOutput(serializers.ModelSerializer):
    available_cash = serializers.IntegerField(read_only=True)
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
            "market_value",
            "equity",
            "realized_pnl",
            "unrealized_pnl",
            "total_pnl",
            "return_rate",
            "created_at",
            "reset_at",
        ]


class AccountCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    initial_cash = serializers.IntegerField(required=False, min_value=0)


class AccountResetInput(serializers.Serializer):
    initial_cash = serializers.IntegerField(required=False, min_value=0)


class AccountDepositInput(serializers.Serializer):
    amount = serializers.IntegerField()


class OrderOutput(serializers.ModelSerializer):
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)
    symbol_name = serializers.CharField(source="symbol.name", read_only=True)

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
            "quantity",
            "price",
            "status",
            "reject_reason",
            "filled_quantity",
            "avg_fill_price",
            "client_order_id",
            "created_at",
            "updated_at",
        ]


class OrderInput(serializers.Serializer):
    account = serializers.IntegerField()
    symbol = serializers.CharField(max_length=6)
    side = serializers.ChoiceField(choices=OrderSide.choices)
    type = serializers.ChoiceField(choices=OrderType.choices)
    time_in_force = serializers.ChoiceField(choices=TimeInForce.choices, default=TimeInForce.DAY)
    quantity = serializers.IntegerField()
    price = serializers.IntegerField(required=False, allow_null=True, default=None)
    client_order_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class TradeOutput(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_id", read_only=True)
    account = serializers.IntegerField(source="account_id", read_only=True)
    symbol = serializers.CharField(source="symbol.code", read_only=True)

    class Meta:
        model = Trade
        fields = ["id", "order", "account", "symbol", "side", "quantity", "price", "commission", "tax", "time"]


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
    sell_tax_rate = serializers.CharField(help_text="KOSPI's effective rate today (the common case).")
    market_tax_rates = serializers.DictField(child=serializers.CharField())


def _valued_accounts(accounts: list[Account]) -> list[Account]:
    prices = selectors.account_prices(accounts)
    for account in accounts:
        account.value = selectors.account_value(account, prices)
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


class OrderFilter(django_filters.FilterSet):
    account = django_filters.NumberFilter(field_name="account_id")
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    symbol = django_filters.CharFilter(field_name="symbol__code")

    class Meta:
        model = Order
        fields = ["account", "status", "symbol"]


class OrderListCreateApi(generics.ListAPIView):
    serializer_class = OrderOutput
    filterset_class = OrderFilter
    throttle_scope = "orders"

    def get_throttles(self):
        # Only placing orders is rate-limited; reading the blotter is not.
        return [AtomicScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        selectors.account_check_owned(user=self.request.user, account_id=self.request.query_params.get("account"))
        return selectors.order_list(user=self.request.user)

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
        return Response(OrderOutput(selectors.order_get(user=request.user, order_id=pk)).data)


class OrderCancelApi(APIView):
    @extend_schema(request=None, responses={200: OrderOutput})
    def post(self, request: Request, pk: int) -> Response:
        order = selectors.order_get(user=request.user, order_id=pk)
        return Response(OrderOutput(services.order_cancel(order_id=order.pk)).data)


class OrderCostsApi(APIView):
    @extend_schema(responses={200: CostsOutput})
    def get(self, request: Request) -> Response:
        today = market_clock().today()
        rates = {market.value: str(costs.sell_tax_rate(market.value, today)) for market in Market}
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


class PositionFilter(django_filters.FilterSet):
    account = django_filters.NumberFilter(field_name="account_id")

    class Meta:
        model = Position
        fields = ["account"]


class PositionListApi(generics.ListAPIView):
    serializer_class = PositionOutput
    filterset_class = PositionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Position.objects.none()
        selectors.account_check_owned(user=self.request.user, account_id=self.request.query_params.get("account"))
        return selectors.position_list(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        positions = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        prices = selectors.last_prices([p.symbol.code for p in positions])
        for position in positions:
            position.value = selectors.position_value(position, prices)
        return self.get_paginated_response(PositionOutput(positions, many=True).data)


class TradeFilter(django_filters.FilterSet):
    account = django_filters.NumberFilter(field_name="account_id")
    symbol = django_filters.CharFilter(field_name="symbol__code")

    class Meta:
        model = Trade
        fields = ["account", "symbol"]


class TradeListApi(generics.ListAPIView):
    serializer_class = TradeOutput
    filterset_class = TradeFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Trade.objects.none()
        selectors.account_check_owned(user=self.request.user, account_id=self.request.query_params.get("account"))
        return selectors.trade_list(user=self.request.user)
