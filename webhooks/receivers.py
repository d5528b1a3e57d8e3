"""What the other apps already emit, turned into webhook events. Nothing here may fail their work:
errors are logged (signals sent with send_robust, or caught here)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from webhooks import services
from webhooks.enums import WebhookEvent

logger = logging.getLogger(__name__)

# The order engine sends an order's update at placement (its status then: new, partially filled or
# filled), when it is cancelled, expired or rejected; fills come as order.fill messages.
_ORDER_UPDATE_EVENTS = {
    "new": WebhookEvent.ORDER_ACCEPTED,
    "partially_filled": WebhookEvent.ORDER_ACCEPTED,
    "filled": WebhookEvent.ORDER_ACCEPTED,
    "cancelled": WebhookEvent.ORDER_CANCELLED,
    "expired": WebhookEvent.ORDER_EXPIRED,
    "rejected": WebhookEvent.ORDER_REJECTED,
}


def on_order_events(sender: Any, user_id: int, events: list[dict[str, Any]], **kwargs: Any) -> None:
    """orders.events.order_events_committed: after the commit, on the committing thread."""
    if user_id not in services.users_with_endpoints():
        return
    for message in events:
        order = message.get("order") or {}
        if message.get("type") == "order.fill":
            trade = message["trade"]
            event, event_id, data = (
                WebhookEvent.ORDER_FILLED,
                f"order.filled:{trade['id']}",
                {"trade": trade, "order": order},
            )
        elif message.get("type") == "order.update" and order.get("status") in _ORDER_UPDATE_EVENTS:
            event = _ORDER_UPDATE_EVENTS[order["status"]]
            event_id, data = f"{event}:{order['id']}", {"order": order}
        else:
            continue
        services.event_publish(user_id=user_id, event=event, event_id=event_id, data=data)


def on_run_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    """post_save of strategies.StrategyRun: a finished run's event, sent once its save commits."""
    from strategies.enums import FINISHED_RUN_STATUSES

    if instance.status not in FINISHED_RUN_STATUSES or (update_fields is not None and "status" not in update_fields):
        return
    run = instance

    def publish() -> None:
        try:
            owner_id = type(run).objects.filter(pk=run.pk).values_list("strategy__owner_id", flat=True).first()
            if owner_id is None or owner_id not in services.users_with_endpoints():
                return
            data = {
                "run": run.pk,
                "strategy": run.strategy_id,
                "kind": run.kind,
                "status": run.status,
                "error": run.error,
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "metrics": run.metrics,
            }
            services.event_publish(
                user_id=owner_id,
                event=WebhookEvent.STRATEGY_RUN_FINISHED,
                event_id=f"strategy_run.finished:{run.pk}",
                data=data,
            )
        except Exception:  # noqa: BLE001 - a webhook never fails the run
            logger.exception("could not record the webhook of run %s", run.pk)

    transaction.on_commit(publish)


def on_deployment_error(sender: Any, deployment_id: int, message: str, at: Any, **kwargs: Any) -> None:
    """strategies.signals.deployment_error: a deployed strategy's tick failed (worker side)."""
    from strategies.models import Deployment

    deployment = Deployment.objects.filter(pk=deployment_id).select_related("strategy").first()
    if deployment is None or deployment.strategy.owner_id not in services.users_with_endpoints():
        return
    data = {
        "deployment": deployment.pk,
        "strategy": deployment.strategy_id,
        "account": deployment.account_id,
        "message": message,
        "at": at.isoformat(),
    }
    services.event_publish(
        user_id=deployment.strategy.owner_id,
        event=WebhookEvent.DEPLOYMENT_ERROR,
        event_id=f"deployment.error:{deployment.pk}:{int(at.timestamp() * 1000)}",
        data=data,
    )


def on_condition_triggered(
    sender: Any, user_id: int, condition: dict[str, Any], order: dict[str, Any] | None, **kwargs: Any
) -> None:
    """orders.events.condition_triggered: a conditional order triggered (its order, or why it failed)."""
    if user_id not in services.users_with_endpoints():
        return
    services.event_publish(
        user_id=user_id,
        event=WebhookEvent.CONDITION_TRIGGERED,
        event_id=f"condition.triggered:{condition['id']}",
        data={"condition": condition, "order": order},
    )
