from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    # Worded apart from strategies' RunStatus: drf-spectacular takes equal choice sets for one enum.
    QUEUED = "queued", _("대기 중")
    RUNNING = "running", _("실행 중")
    SUCCEEDED = "succeeded", _("완료됨")
    FAILED = "failed", _("실패함")
    CANCELLED = "cancelled", _("취소됨")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
