"""Strategies, their runs and deployments are written by the strategy services (a spec change
clears the trained model, a deployment owns a beat schedule): read-only here; runs are cancelled
and deployments stopped through the services."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.admin import EMPTY, ReadOnlyAdmin, change_link
from config.exceptions import DomainError
from strategies import services
from strategies.models import Deployment, Strategy, StrategyRun


def _percent(value: Any) -> SafeString | str:
    if not isinstance(value, int | float):
        return EMPTY
    return format_html('<span class="bo-num">{}%</span>', f"{value * 100:+.2f}")


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "name",
        "owner",
        "algorithm",
        "train_start",
        "train_end",
        "test_start",
        "test_end",
        "created_at",
    ]
    list_filter = ["algorithm"]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    won_fields = ["initial_cash"]
    readonly_fields = [*(f.name for f in Strategy._meta.fields), "symbols"]


@admin.register(StrategyRun)
class StrategyRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "strategy", "kind", "status", "cumulative_return", "sharpe", "max_drawdown", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["strategy"]
    search_fields = ["strategy__name"]
    actions = ["cancel_runs"]

    @admin.display(description="누적 수익률")
    def cumulative_return(self, run: StrategyRun) -> SafeString | str:
        return _percent(run.metrics.get("cumulative_return"))

    @admin.display(description="샤프 지수")
    def sharpe(self, run: StrategyRun) -> SafeString | str:
        value = run.metrics.get("sharpe")
        if not isinstance(value, int | float):
            return EMPTY
        return format_html('<span class="bo-num">{}</span>', f"{value:.2f}")

    @admin.display(description="최대 낙폭")
    def max_drawdown(self, run: StrategyRun) -> SafeString | str:
        return _percent(run.metrics.get("max_drawdown"))

    @admin.action(description="선택한 실행의 작업 취소")
    def cancel_runs(self, request: HttpRequest, queryset: QuerySet[StrategyRun]) -> None:
        for run in queryset:
            try:
                services.run_cancel(run_id=run.pk)
            except DomainError as exc:
                self.message_user(request, f"{run}: {exc.message}", level=messages.WARNING)


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "strategy", "account_link", "is_active", "deployed_at", "last_run_at", "last_message"]
    list_filter = ["is_active"]
    list_select_related = ["strategy", "account"]
    won_fields = ["start_equity", "start_invested"]
    actions = ["undeploy"]

    @admin.display(description="계좌", ordering="account")
    def account_link(self, deployment: Deployment) -> SafeString | str:
        return change_link(deployment.account)

    @admin.action(description="선택한 배포 중지")
    def undeploy(self, request: HttpRequest, queryset: QuerySet[Deployment]) -> None:
        for deployment in queryset:
            try:
                services.strategy_undeploy(strategy_id=deployment.strategy_id)
            except DomainError as exc:
                self.message_user(request, f"{deployment}: {exc.message}", level=messages.WARNING)
