from django.conf import settings
from django.db import models

from strategies.enums import Algorithm, Execution, RunKind, RunStatus, WalkForwardTraining


class Strategy(models.Model):
    """A researcher's RL trading strategy: what to trade, with which algorithm, trained and tested when."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies")
    name = models.CharField(max_length=100)
    algorithm = models.CharField(max_length=8, choices=Algorithm.choices, default=Algorithm.PPO)
    symbols = models.ManyToManyField("market.Symbol", related_name="strategies")
    train_start = models.DateField()
    train_end = models.DateField()
    test_start = models.DateField()
    test_end = models.DateField()
    # Between training and test: what hyperparameter choice and early stopping look at (optional).
    validation_start = models.DateField(null=True, blank=True)
    validation_end = models.DateField(null=True, blank=True)
    execution = models.CharField(
        max_length=8,
        choices=Execution.choices,
        default=Execution.OPEN,
        help_text="When a decision made on a day's close fills: the next day's opening or closing auction.",
    )
    spread_ticks = models.FloatField(default=1.0, help_text="Typical spread in ticks; a fill pays half of it.")
    impact = models.FloatField(default=0.1, help_text="Extra slippage per unit of the order's share of day volume.")
    indicators = models.JSONField(default=list, blank=True, help_text="stockstats names, e.g. macd, rsi_30.")
    hyperparameters = models.JSONField(default=dict, blank=True)
    initial_cash = models.PositiveBigIntegerField(default=10_000_000)
    seed = models.PositiveIntegerField(default=0)
    use_turbulence = models.BooleanField(default=False)
    # Walk-forward runs (optional): retrain every N months, test on the next N (strategies.walkforward).
    walk_forward_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Retrain every N months and test on the next N; empty: no walk-forward."
    )
    walk_forward_training = models.CharField(
        max_length=10, choices=WalkForwardTraining.choices, default=WalkForwardTraining.ROLLING
    )
    # The training run whose model backtests and deployments use; cleared when the spec changes.
    trained_run = models.ForeignKey(
        "strategies.StrategyRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "strategies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(train_start__lt=models.F("train_end")), name="strategy_train_order"
            ),
            models.CheckConstraint(condition=models.Q(test_start__lt=models.F("test_end")), name="strategy_test_order"),
            models.CheckConstraint(
                condition=models.Q(train_end__lt=models.F("test_start")), name="strategy_test_after_train"
            ),
            models.CheckConstraint(
                condition=models.Q(validation_start__isnull=True, validation_end__isnull=True)
                | models.Q(
                    validation_start__gt=models.F("train_end"),
                    validation_start__lte=models.F("validation_end"),
                    validation_end__lt=models.F("test_start"),
                ),
                name="strategy_validation_between",
            ),
            models.CheckConstraint(
                condition=models.Q(walk_forward_months__isnull=True)
                | models.Q(walk_forward_months__gte=1, walk_forward_months__lte=36),
                name="strategy_walk_forward_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.algorithm})"

    @property
    def is_trained(self) -> bool:
        return self.trained_run_id is not None


class StrategyRun(models.Model):
    """One training or backtest of a strategy, done by a background job, with everything it produced."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    # The strategy as it was when the run was asked for: the run reproduces from this alone.
    spec = models.JSONField(default=dict, blank=True)
    # For a backtest: the training run whose model it evaluates.
    model_run = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="backtests")
    metrics = models.JSONField(default=dict, blank=True)
    benchmark_metrics = models.JSONField(default=dict, blank=True)
    baseline_metrics = models.JSONField(default=dict, blank=True)
    equity_curve = models.JSONField(default=list, blank=True)
    daily_returns = models.JSONField(default=list, blank=True)
    trades = models.JSONField(default=list, blank=True)
    model_path = models.CharField(max_length=500, blank=True, default="", help_text="Relative to ARTIFACTS_DIR.")
    model_sha256 = models.CharField(max_length=64, blank=True, default="")
    # sha256 of the candles the run read (after warm-up and alignment): same data, same hash.
    data_sha256 = models.CharField(max_length=64, blank=True, default="")
    # A training run's evaluation of its model over the validation period (what tuning may look at).
    validation_metrics = models.JSONField(default=dict, blank=True)
    # A walk-forward run's windows: each one's periods, model and results (strategies.walkforward).
    windows = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} of {self.strategy_id} ({self.status})"


class Deployment(models.Model):
    """A trained strategy trading a paper account on the live feed, once per trading day."""

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, related_name="deployment")
    account = models.ForeignKey("orders.Account", on_delete=models.CASCADE, related_name="deployments")
    model_run = models.ForeignKey(StrategyRun, on_delete=models.PROTECT, related_name="deployments")
    # How often the schedule checks the market clock; the strategy acts once per trading day, at its
    # execution moment (strategies.rl.live.execution_moment).
    interval_seconds = models.PositiveIntegerField(default=60)
    last_trading_day = models.DateField(null=True, blank=True, help_text="The last trading day it acted on.")
    is_active = models.BooleanField(default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_message = models.CharField(max_length=500, blank=True, default="")
    # The track record: from when (market clock) and what the account was worth then (its equity and
    # the money put in, so that later deposits are no gains), and until when, once undeployed.
    deployed_at = models.DateTimeField(null=True, blank=True)
    start_equity = models.BigIntegerField(null=True, blank=True)
    start_invested = models.BigIntegerField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The backtest of the deployed model over the same days (worker side: strategies.rl.live):
    # [{date, equity, trades}], the decision day before the first live day first.
    track_backtest = models.JSONField(default=list, blank=True)
    track_backtest_at = models.DateTimeField(null=True, blank=True)
    track_backtest_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.strategy} → account {self.account_id}"
