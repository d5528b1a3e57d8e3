from django.urls import path

from market import api

urlpatterns = [
    path("market/symbols", api.SymbolListApi.as_view(), name="market-symbols"),
    path("market/symbols/<str:code>", api.SymbolDetailApi.as_view(), name="market-symbol"),
    path("market/quotes", api.QuoteListApi.as_view(), name="market-quotes"),
    path("market/quotes/<str:code>", api.QuoteDetailApi.as_view(), name="market-quote"),
    path("market/orderbook/<str:code>", api.OrderBookApi.as_view(), name="market-orderbook"),
    path("market/overview", api.OverviewApi.as_view(), name="market-overview"),
    path("market/status", api.MarketStatusApi.as_view(), name="market-status"),
    path("market/indices", api.MarketIndicesApi.as_view(), name="market-indices"),
]
