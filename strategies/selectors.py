from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config.exceptions import NotFound
from strategies.models import Deployment, Strategy, StrategyRun

STRATEGY_NOT_FOUND = _("전략을 찾을 수 없습니다.")
RUN_NOT_FOUND = _("실행 기록을 찾을 수 없습니다.")
NEVER_DEPLOYED = _("이 전략은 아직 배포한 적이 없습니다.")


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


def deployment_get(*, user, strategy_id: int) -> Deployment:
    """The strategy's deployment, running or stopped (its track record stays readable)."""
    deployment = (
        Deployment.objects.filter(strategy__owner=user, strategy_id=strategy_id)
        .select_related("strategy__owner", "model_run", "account")
        .first()
    )
    if deployment is None:
        raise NotFound(NEVER_DEPLOYED)
    return deployment
