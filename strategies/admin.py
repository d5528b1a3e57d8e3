from django.contrib import admin, messages

from config.exceptions import DomainError
from strategies import services
from strategies.models import Deployment, Strategy, StrategyRun


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
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
    search_fields = ["name", "owner__username"]
    filter_horizontal = ["symbols"]
    raw_id_fields = ["trained_run"]


@admin.register(StrategyRun)
class StrategyRunAdmin(admin.ModelAdmin):
    list_display = ["id", "strategy", "kind", "status", "cumulative_return", "sharpe", "max_drawdown", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["strategy__name"]
    readonly_fields = [f.name for f in StrategyRun._meta.fields]
    actions = ["cancel_runs"]

    @admin.display(description="cumulative return")
    def cumulative_return(self, run: StrategyRun):
        return run.metrics.get("cumulative_return")

    @admin.display(description="Sharpe")
    def sharpe(self, run: StrategyRun):
        return run.metrics.get("sharpe")

    @admin.display(description="max drawdown")
    def max_drawdown(self, run: StrategyRun):
        return run.metrics.get("max_drawdown")

    @admin.action(description="Cancel the running job of the selected runs")
    def cancel_runs(self, request, queryset):
        for run in queryset:
            try:
                services.run_cancel(run_id=run.pk)
            except DomainError as exc:
                self.message_user(request, f"{run}: {exc.message}", level=messages.WARNING)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["id", "strategy", "account", "interval_seconds", "is_active", "last_run_at", "last_message"]
    list_filter = ["is_active"]
    raw_id_fields = ["strategy", "account", "model_run", "periodic_task"]
