"""Webhook endpoints users register, and the log of every delivery to them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from webhooks.enums import DeliveryStatus, WebhookEvent


class Endpoint(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("소유자")
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("설명"), max_length=200, blank=True, default="")
    # The WebhookEvent values this endpoint receives.
    events = models.JSONField(_("이벤트"), default=list)
    # The signing secret, encrypted at rest (accounts.crypto); shown to the user once, on creation or rotation.
    secret_encrypted = models.TextField(_("서명 키(암호화)"))
    is_active = models.BooleanField(_("활성"), default=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("웹훅 엔드포인트")
        verbose_name_plural = _("웹훅 엔드포인트")

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"


class Delivery(models.Model):
    """One event for one endpoint, tried until it succeeds or the retries run out."""

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", db_index=False, verbose_name=_("엔드포인트")
    )
    event = models.CharField(_("이벤트"), max_length=32, choices=WebhookEvent.choices)
    # The same for every endpoint and every try of one event, e.g. "order.filled:123": receivers
    # deduplicate on it, and it makes recording an event twice harmless.
    event_id = models.CharField(_("이벤트 ID"), max_length=100)
    payload = models.JSONField(_("페이로드"))
    status = models.CharField(_("상태"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("시도 횟수"), default=0)
    # While pending: when the next try is due (or, during a try, when its lease runs out).
    next_attempt_at = models.DateTimeField(_("다음 시도 시각"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("마지막 응답 코드"), null=True, blank=True)
    last_error = models.CharField(_("마지막 오류"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("웹훅 전송")
        verbose_name_plural = _("웹훅 전송")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhooks_delivery_unique_event")]
        indexes = [
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_endpoint_id"),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="webhooks_delivery_pending_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.get_status_display()})"


class Attempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("전송"))
    number = models.PositiveIntegerField(_("회차"))
    started_at = models.DateTimeField(_("시작 시각"))
    duration_ms = models.PositiveIntegerField(_("소요 시간(ms)"), default=0)
    status_code = models.PositiveIntegerField(_("응답 코드"), null=True, blank=True)
    error = models.CharField(_("오류"), max_length=500, blank=True, default="")
    response_body = models.CharField(_("응답 본문"), max_length=1000, blank=True, default="")

    class Meta:
        verbose_name = _("전송 시도")
        verbose_name_plural = _("전송 시도")
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
