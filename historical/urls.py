from django.urls import path

from historical import api

urlpatterns = [
    path("historical/candles", api.CandleListApi.as_view(), name="historical-candles"),
    path("historical/coverage", api.CoverageApi.as_view(), name="historical-coverage"),
    path("historical/backfills", api.BackfillCreateApi.as_view(), name="historical-backfills"),
]
