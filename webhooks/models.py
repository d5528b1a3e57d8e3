"""Webhook endpoints users register, and the log of every delivery to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from webhooks.enums import DeliveryStatus, WebhookEvent


class Endpoint(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    # The WebhookEvent values this endpoint receives.
    events = models.JSONField(default=list)
    # The signing secret, encrypted at rest (accounts.crypto); shown to the user once, on creation or rotation.
    secret_encrypted = models.TextField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"


class Delivery(models.Model):
    """One event for one endpoint, tried until it succeeds or the retries run out."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    # The same for every endpoint and every try of one event, e.g. "order.filled:123": receivers
    # deduplicate on it, and it makes recording an event twice harmless.
    event_id = models.CharField(max_length=100)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # While pending: when the next try is due (or, during a try, when its lease runs out).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhooks_delivery_unique_event")]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_endpoint_id"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="webhooks_delivery_pending_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class Attempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    response_body = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
