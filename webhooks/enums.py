from django.db import models


class WebhookEvent(models.TextChoices):
    ORDER_ACCEPTED = "order.accepted", "Order accepted"
    ORDER_FILLED = "order.filled", "Order filled (each fill)"
    ORDER_CANCELLED = "order.cancelled", "Order cancelled"
    ORDER_EXPIRED = "order.expired", "Order expired at the close"
    ORDER_REJECTED = "order.rejected", "Order rejected"
    # A conditional order (orders.conditions) triggered: its order, or why it failed.
    CONDITION_TRIGGERED = "condition.triggered", "Condition triggered"
    STRATEGY_RUN_FINISHED = "strategy_run.finished", "Strategy run finished"
    DEPLOYMENT_ERROR = "deployment.error", "Deployment error"
    PING = "ping", "Test delivery"


SUBSCRIBABLE_EVENTS = [event for event in WebhookEvent if event != WebhookEvent.PING]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
