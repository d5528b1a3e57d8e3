from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from strategies.enums import Algorithm, Execution, RunKind, RunStatus, WalkForwardTraining


class Strategy(models.Model):
    """A researcher's RL trading strategy: what to trade, with which algorithm, trained and tested when."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("소유자")
    )
    name = models.CharField(_("전략명"), max_length=100)
    algorithm = models.CharField(_("알고리즘"), max_length=8, choices=Algorithm.choices, default=Algorithm.PPO)
    symbols = models.ManyToManyField("market.Symbol", related_name="strategies", verbose_name=_("종목"))
    train_start = models.DateField(_("학습 시작일"))
    train_end = models.DateField(_("학습 종료일"))
    test_start = models.DateField(_("테스트 시작일"))
    test_end = models.DateField(_("테스트 종료일"))
    # Between training and test: what hyperparameter choice and early stopping look at (optional).
    validation_start = models.DateField(_("검증 시작일"), null=True, blank=True)
    validation_end = models.DateField(_("검증 종료일"), null=True, blank=True)
    execution = models.CharField(
        _("체결 시점"),
        max_length=8,
        choices=Execution.choices,
        default=Execution.OPEN,
        help_text=_("하루 종가에 내린 결정이 체결되는 때: 다음 날 시가 또는 종가 동시호가."),
    )
    spread_ticks = models.FloatField(
        _("스프레드(틱)"), default=1.0, help_text=_("평소 호가 스프레드(틱): 체결마다 그 절반을 치릅니다.")
    )
    impact = models.FloatField(
        _("시장 충격"), default=0.1, help_text=_("주문이 당일 거래량에서 차지하는 비중 1당 더해지는 슬리피지.")
    )
    indicators = models.JSONField(
        _("지표"), default=list, blank=True, help_text=_("stockstats 지표 이름, 예: macd, rsi_30.")
    )
    hyperparameters = models.JSONField(_("하이퍼파라미터"), default=dict, blank=True)
    initial_cash = models.PositiveBigIntegerField(_("초기 자금"), default=10_000_000)
    seed = models.PositiveIntegerField(_("시드"), default=0)
    use_turbulence = models.BooleanField(_("터뷸런스 사용"), default=False)
    # Walk-forward runs (optional): retrain every N months, test on the next N (strategies.walkforward).
    walk_forward_months = models.PositiveSmallIntegerField(
        _("워크포워드 주기(개월)"),
        null=True,
        blank=True,
        help_text=_("N개월마다 다시 학습하고 다음 N개월을 테스트합니다. 비우면 워크포워드 없음."),
    )
    walk_forward_training = models.CharField(
        _("워크포워드 학습 방식"),
        max_length=10,
        choices=WalkForwardTraining.choices,
        default=WalkForwardTraining.ROLLING,
    )
    # The training run whose model backtests and deployments use; cleared when the spec changes.
    trained_run = models.ForeignKey(
        "strategies.StrategyRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("학습된 실행"),
    )
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("전략")
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("전략")
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

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="runs", verbose_name=_("전략"))
    kind = models.CharField(_("종류"), max_length=16, choices=RunKind.choices)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("작업")
    )
    status = models.CharField(
        _("상태"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True
    )
    # The strategy as it was when the run was asked for: the run reproduces from this alone.
    spec = models.JSONField(_("명세"), default=dict, blank=True)
    # For a backtest: the training run whose model it evaluates.
    model_run = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backtests",
        verbose_name=_("모델의 학습 실행"),
    )
    metrics = models.JSONField(_("성과 지표"), default=dict, blank=True)
    benchmark_metrics = models.JSONField(_("벤치마크 지표"), default=dict, blank=True)
    baseline_metrics = models.JSONField(_("기준 전략 지표"), default=dict, blank=True)
    equity_curve = models.JSONField(_("자산 곡선"), default=list, blank=True)
    daily_returns = models.JSONField(_("일별 수익률"), default=list, blank=True)
    trades = models.JSONField(_("거래"), default=list, blank=True)
    model_path = models.CharField(
        _("모델 경로"), max_length=500, blank=True, default="", help_text=_("ARTIFACTS_DIR 기준 상대 경로.")
    )
    model_sha256 = models.CharField(_("모델 해시"), max_length=64, blank=True, default="")
    # sha256 of the candles the run read (after warm-up and alignment): same data, same hash.
    data_sha256 = models.CharField(_("데이터 해시"), max_length=64, blank=True, default="")
    # A training run's evaluation of its model over the validation period (what tuning may look at).
    validation_metrics = models.JSONField(_("검증 지표"), default=dict, blank=True)
    # A walk-forward run's windows: each one's periods, model and results (strategies.walkforward).
    windows = models.JSONField(_("워크포워드 구간"), default=list, blank=True)
    error = models.TextField(_("오류"), blank=True, default="")
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("전략 실행")
        verbose_name_plural = _("전략 실행")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("전략 #{strategy}의 {kind} #{id} ({status})").format(
            strategy=self.strategy_id, kind=self.get_kind_display(), id=self.pk, status=self.get_status_display()
        )


class Deployment(models.Model):
    """A trained strategy trading a paper account on the live feed, once per trading day."""

    strategy = models.OneToOneField(
        Strategy, on_delete=models.CASCADE, related_name="deployment", verbose_name=_("전략")
    )
    account = models.ForeignKey(
        "orders.Account", on_delete=models.CASCADE, related_name="deployments", verbose_name=_("계좌")
    )
    model_run = models.ForeignKey(
        StrategyRun, on_delete=models.PROTECT, related_name="deployments", verbose_name=_("모델의 학습 실행")
    )
    # How often the schedule checks the market clock; the strategy acts once per trading day, at its
    # execution moment (strategies.rl.live.execution_moment).
    interval_seconds = models.PositiveIntegerField(_("확인 주기(초)"), default=60)
    last_trading_day = models.DateField(
        _("마지막 거래일"), null=True, blank=True, help_text=_("마지막으로 매매한 거래일.")
    )
    is_active = models.BooleanField(_("활성"), default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("주기 작업"),
    )
    last_run_at = models.DateTimeField(_("마지막 실행 시각"), null=True, blank=True)
    last_message = models.CharField(_("마지막 메시지"), max_length=500, blank=True, default="")
    # The track record: from when (market clock) and what the account was worth then (its equity and
    # the money put in, so that later deposits are no gains), and until when, once undeployed.
    deployed_at = models.DateTimeField(_("배포 시각"), null=True, blank=True)
    start_equity = models.BigIntegerField(_("배포 시 평가금액"), null=True, blank=True)
    start_invested = models.BigIntegerField(_("배포 시 투자원금"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("중지 시각"), null=True, blank=True)
    # The backtest of the deployed model over the same days (worker side: strategies.rl.live):
    # [{date, equity, trades}], the decision day before the first live day first.
    track_backtest = models.JSONField(_("같은 기간 백테스트"), default=list, blank=True)
    track_backtest_at = models.DateTimeField(_("백테스트 시각"), null=True, blank=True)
    track_backtest_error = models.CharField(_("백테스트 오류"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("전략 배포")
        verbose_name_plural = _("전략 배포")

    def __str__(self) -> str:
        return _("{strategy} → 계좌 #{account}").format(strategy=self.strategy, account=self.account_id)
