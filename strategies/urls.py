from django.urls import path

from strategies import api

urlpatterns = [
    path("strategies", api.StrategyListApi.as_view(), name="strategy-list"),
    path("strategies/runs/<int:run_id>", api.RunDetailApi.as_view(), name="strategy-run-detail"),
    path("strategies/<int:pk>", api.StrategyDetailApi.as_view(), name="strategy-detail"),
    path("strategies/<int:pk>/train", api.StrategyTrainApi.as_view(), name="strategy-train"),
    path("strategies/<int:pk>/backtest", api.StrategyBacktestApi.as_view(), name="strategy-backtest"),
    path("strategies/<int:pk>/walk-forward", api.StrategyWalkForwardApi.as_view(), name="strategy-walk-forward"),
    path("strategies/<int:pk>/deployment", api.StrategyDeploymentApi.as_view(), name="strategy-deployment"),
    path("strategies/<int:pk>/runs", api.StrategyRunListApi.as_view(), name="strategy-runs"),
    path("strategies/<int:pk>/deploy", api.StrategyDeployApi.as_view(), name="strategy-deploy"),
    path("strategies/<int:pk>/undeploy", api.StrategyUndeployApi.as_view(), name="strategy-undeploy"),
]
