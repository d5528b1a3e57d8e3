from django.db.models import QuerySet

from config.exceptions import NotFound
from strategies.models import Strategy, StrategyRun

STRATEGY_NOT_FOUND = "There is no such strategy."
RUN_NOT_FOUND = "There is no such run."


def strategy_list(*, user) -> QuerySet[Strategy]:
    """Strategies are private to their owner (staff use the admin)."""
    return Strategy.objects.filter(owner=user).select_related("deployment", "trained_run").prefetch_related("symbols")


def strategy_get(*, user, strategy_id: int) -> Strategy:
    try:
        return strategy_list(user=user).get(pk=strategy_id)
    except Strategy.DoesNotExist:
        raise NotFound(STRATEGY_NOT_FOUND) from None


def run_list(*, user, strategy_id: int | None = None) -> QuerySet[StrategyRun]:
    qs = StrategyRun.objects.filter(strategy__owner=user).select_related("job")
    if strategy_id is not None:
        qs = qs.filter(strategy_id=strategy_id)
    return qs


def run_get(*, user, run_id: int) -> StrategyRun:
    try:
        return run_list(user=user).get(pk=run_id)
    except StrategyRun.DoesNotExist:
        raise NotFound(RUN_NOT_FOUND) from None
