from django.urls import path

from orders import api

urlpatterns = [
    path("accounts", api.AccountListCreateApi.as_view(), name="account-list"),
    path("accounts/<int:pk>", api.AccountDetailApi.as_view(), name="account-detail"),
    path("accounts/<int:pk>/reset", api.AccountResetApi.as_view(), name="account-reset"),
    path("accounts/<int:pk>/deposit", api.AccountDepositApi.as_view(), name="account-deposit"),
    path("accounts/<int:pk>/history", api.AccountHistoryApi.as_view(), name="account-history"),
    path("accounts/<int:pk>/activities", api.AccountActivitiesApi.as_view(), name="account-activities"),
    path("orders", api.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/costs", api.OrderCostsApi.as_view(), name="order-costs"),
    path("orders/<int:pk>", api.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:pk>/cancel", api.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<int:pk>/modify", api.OrderModifyApi.as_view(), name="order-modify"),
    path("conditions", api.ConditionListCreateApi.as_view(), name="condition-list"),
    path("conditions/bracket", api.BracketCreateApi.as_view(), name="condition-bracket"),
    path("conditions/<int:pk>/cancel", api.ConditionCancelApi.as_view(), name="condition-cancel"),
    path("positions", api.PositionListApi.as_view(), name="position-list"),
    path("trades", api.TradeListApi.as_view(), name="trade-list"),
]
