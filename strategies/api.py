"""REST API of strategies (docs/api.md "strategies"). Thin: serializers translate, services decide."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import JsonInput, code_field, id_field
from strategies import selectors, services, track, walkforward
from strategies.enums import Algorithm, Execution, WalkForwardTraining
from strategies.execution import DEFAULT_IMPACT, DEFAULT_SPREAD_TICKS
from strategies.models import Deployment, Strategy, StrategyRun
from strategies.services import MAX_INDICATORS, MAX_SYMBOLS


class DeploymentOutput(serializers.ModelSerializer):
    class Meta:
        model = Deployment
        fields = [
            "id",
            "account",
            "model_run",
            "interval_seconds",
            "is_active",
            "last_trading_day",
            "last_run_at",
            "last_message",
            "deployed_at",
            "stopped_at",
            "start_equity",
        ]


class StrategyOutput(serializers.ModelSerializer):
    symbols = serializers.SerializerMethodField()
    is_trained = serializers.BooleanField(read_only=True)
    deployment = serializers.SerializerMethodField()

    class Meta:
        model = Strategy
        fields = [
            "id",
            "name",
            "algorithm",
            "symbols",
            "train_start",
            "train_end",
            "test_start",
            "test_end",
            "indicators",
            "hyperparameters",
            "initial_cash",
            "seed",
            "use_turbulence",
            "validation_start",
            "validation_end",
            "execution",
            "spread_ticks",
            "impact",
            "walk_forward_months",
            "walk_forward_training",
            "is_trained",
            "trained_run",
            "deployment",
            "created_at",
        ]

    def get_symbols(self, strategy: Strategy) -> list[str]:
        return sorted(s.code for s in strategy.symbols.all())

    @extend_schema_field(DeploymentOutput(allow_null=True))
    def get_deployment(self, strategy: Strategy) -> dict | None:
        deployment = getattr(strategy, "deployment", None)
        if deployment is None or not deployment.is_active:
            return None
        return DeploymentOutput(deployment).data


class StrategyInput(JsonInput):
    """Dates in order (train before test, no overlap), known symbols and indicators: refused with a 422."""

    name = serializers.CharField(max_length=100)
    algorithm = serializers.ChoiceField(choices=Algorithm.choices, default=Algorithm.PPO)
    symbols = serializers.ListField(child=code_field(), min_length=1, max_length=MAX_SYMBOLS)
    train_start = serializers.DateField()
    train_end = serializers.DateField()
    test_start = serializers.DateField()
    test_end = serializers.DateField()
    indicators = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=MAX_INDICATORS
    )
    hyperparameters = serializers.DictField(required=False)
    initial_cash = serializers.IntegerField(min_value=100_000, max_value=10**13, default=10_000_000)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    use_turbulence = serializers.BooleanField(default=False)
    validation_start = serializers.DateField(required=False, allow_null=True, default=None)
    validation_end = serializers.DateField(required=False, allow_null=True, default=None)
    execution = serializers.ChoiceField(choices=Execution.choices, default=Execution.OPEN)
    spread_ticks = serializers.FloatField(min_value=0, max_value=20, default=DEFAULT_SPREAD_TICKS)
    impact = serializers.FloatField(min_value=0, max_value=10, default=DEFAULT_IMPACT)
    walk_forward_months = serializers.IntegerField(
        min_value=walkforward.MIN_MONTHS,
        max_value=walkforward.MAX_MONTHS,
        required=False,
        allow_null=True,
        default=None,
        help_text="Walk-forward runs: retrain every N months and test on the next N (empty: none).",
    )
    walk_forward_training = serializers.ChoiceField(
        choices=WalkForwardTraining.choices,
        default=WalkForwardTraining.ROLLING,
        help_text="rolling: each window's training period keeps its length; expanding: it keeps train_start.",
    )


class StrategyUpdateInput(StrategyInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class RunOutput(serializers.ModelSerializer):
    class Meta:
        model = StrategyRun
        fields = ["id", "strategy", "kind", "status", "job", "metrics", "error", "created_at", "finished_at"]


class RunDetailOutput(serializers.ModelSerializer):
    class Meta:
        model = StrategyRun
        fields = [
            "id",
            "strategy",
            "kind",
            "status",
            "job",
            "spec",
            "model_run",
            "metrics",
            "benchmark_metrics",
            "baseline_metrics",
            "equity_curve",
            "daily_returns",
            "trades",
            "validation_metrics",
            "windows",
            "model_sha256",
            "data_sha256",
            "error",
            "created_at",
            "finished_at",
        ]


class TrackDayOutput(serializers.Serializer):
    date = serializers.DateField()
    live_equity = serializers.IntegerField(allow_null=True, help_text="The paper account's equity at the day's end.")
    live_return = serializers.FloatField(allow_null=True, help_text="P&L since the deployment over its start equity.")
    live_orders = serializers.IntegerField(help_text="Orders the deployment placed that day.")
    backtest_equity = serializers.FloatField(allow_null=True)
    backtest_return = serializers.FloatField(allow_null=True)
    backtest_trades = serializers.IntegerField(allow_null=True, help_text="The backtest's fills that day.")
    difference = serializers.FloatField(allow_null=True, help_text="live_return − backtest_return.")


class TrackRecordOutput(serializers.Serializer):
    deployment = DeploymentOutput()
    execution = serializers.ChoiceField(choices=Execution.choices)
    start_equity = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    backtest_start = serializers.DateField(allow_null=True)
    backtest_through = serializers.DateField(allow_null=True)
    backtest_at = serializers.DateTimeField(allow_null=True, source="deployment.track_backtest_at")
    backtest_error = serializers.CharField(source="deployment.track_backtest_error")
    days = TrackDayOutput(many=True)
    common_days = serializers.IntegerField()
    live_metrics = serializers.DictField()
    backtest_metrics = serializers.DictField()


class DeployInput(JsonInput):
    account = id_field()
    interval_seconds = serializers.IntegerField(min_value=5, max_value=86_400, default=60)


class StrategyListApi(generics.ListAPIView):
    serializer_class = StrategyOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Strategy.objects.none()
        return selectors.strategy_list(user=self.request.user)

    @extend_schema(request=StrategyInput, responses={201: StrategyOutput})
    def post(self, request: Request) -> Response:
        data = StrategyInput(data=request.data)
        data.is_valid(raise_exception=True)
        strategy = services.strategy_create(owner=request.user, **data.validated_data)
        strategy = selectors.strategy_get(user=request.user, strategy_id=strategy.pk)
        return Response(StrategyOutput(strategy).data, status=status.HTTP_201_CREATED)


class StrategyDetailApi(APIView):
    @extend_schema(responses={200: StrategyOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(StrategyOutput(selectors.strategy_get(user=request.user, strategy_id=pk)).data)

    @extend_schema(request=StrategyUpdateInput, responses={200: StrategyOutput})
    def patch(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        data = StrategyUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data}
        services.strategy_update(strategy_id=pk, **changes)
        return Response(StrategyOutput(selectors.strategy_get(user=request.user, strategy_id=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        services.strategy_delete(strategy_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StrategyTrainApi(APIView):
    @extend_schema(request=None, responses={202: RunOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        run = services.run_train(strategy_id=pk, owner=request.user)
        run.refresh_from_db()
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class StrategyBacktestApi(APIView):
    @extend_schema(request=None, responses={202: RunOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        run = services.run_backtest(strategy_id=pk, owner=request.user)
        run.refresh_from_db()
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class StrategyRunListApi(generics.ListAPIView):
    serializer_class = RunDetailOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StrategyRun.objects.none()
        selectors.strategy_get(user=self.request.user, strategy_id=self.kwargs["pk"])
        return selectors.run_list(user=self.request.user, strategy_id=self.kwargs["pk"])


class StrategyWalkForwardApi(APIView):
    @extend_schema(request=None, responses={202: RunOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        run = services.run_walk_forward(strategy_id=pk, owner=request.user)
        run.refresh_from_db()
        return Response(RunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class StrategyDeploymentApi(APIView):
    @extend_schema(responses={200: TrackRecordOutput})
    def get(self, request: Request, pk: int) -> Response:
        """The deployment's track record: per trading day, the paper account beside the backtest."""
        selectors.strategy_get(user=request.user, strategy_id=pk)
        deployment = selectors.deployment_get(user=request.user, strategy_id=pk)
        return Response(TrackRecordOutput(track.track_record(deployment=deployment)).data)


class RunDetailApi(APIView):
    @extend_schema(responses={200: RunDetailOutput})
    def get(self, request: Request, run_id: int) -> Response:
        return Response(RunDetailOutput(selectors.run_get(user=request.user, run_id=run_id)).data)


class StrategyDeployApi(APIView):
    @extend_schema(request=DeployInput, responses={200: StrategyOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        data = DeployInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.strategy_deploy(
            strategy_id=pk,
            owner=request.user,
            account_id=data.validated_data["account"],
            interval_seconds=data.validated_data["interval_seconds"],
        )
        return Response(StrategyOutput(selectors.strategy_get(user=request.user, strategy_id=pk)).data)


class StrategyUndeployApi(APIView):
    @extend_schema(request=None, responses={200: StrategyOutput})
    def post(self, request: Request, pk: int) -> Response:
        selectors.strategy_get(user=request.user, strategy_id=pk)
        services.strategy_undeploy(strategy_id=pk)
        return Response(StrategyOutput(selectors.strategy_get(user=request.user, strategy_id=pk)).data)
