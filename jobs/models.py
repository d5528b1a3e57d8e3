from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jobs.enums import JobStatus


class Job(models.Model):
    """A unit of background work (ingestion, training, backtest) with its progress and outcome."""

    kind = models.CharField(_("종류"), max_length=64, db_index=True)
    params = models.JSONField(_("매개변수"), default=dict, blank=True)
    status = models.CharField(
        _("상태"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.FloatField(_("진행률"), default=0.0)
    message = models.CharField(_("메시지"), max_length=500, blank=True, default="")
    result = models.JSONField(_("결과"), default=dict, blank=True)
    error = models.TextField(_("오류"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("요청자"),
    )
    cancel_requested = models.BooleanField(_("취소 요청"), default=False)
    attempts = models.PositiveIntegerField(_("시도 횟수"), default=0)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("종료 시각"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("하트비트 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("작업")
        verbose_name_plural = _("작업")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=100), name="job_progress_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"
