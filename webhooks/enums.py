from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WebhookEvent(models.TextChoices):
    ORDER_ACCEPTED = "order.accepted", _("주문 접수")
    ORDER_FILLED = "order.filled", _("주문 체결(체결마다)")
    ORDER_CANCELLED = "order.cancelled", _("주문 취소")
    ORDER_EXPIRED = "order.expired", _("장 종료로 주문 만료")
    ORDER_REJECTED = "order.rejected", _("주문 거부")
    # A conditional order (orders.conditions) triggered: its order, or why it failed.
    CONDITION_TRIGGERED = "condition.triggered", _("감시 주문 발동")
    STRATEGY_RUN_FINISHED = "strategy_run.finished", _("전략 실행 완료")
    DEPLOYMENT_ERROR = "deployment.error", _("배포 오류")
    PING = "ping", _("테스트 전송")


SUBSCRIBABLE_EVENTS = [event for event in WebhookEvent if event != WebhookEvent.PING]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "대기 중")  # "pending", where a job's 대기 중 is "queued"
    SUCCEEDED = "succeeded", _("성공")
    FAILED = "failed", _("실패")
