from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from config.exceptions import DomainError
from jobs import services
from jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Background work, written by the services that run it: read-only here, cancelled through them."""

    list_display = ["id", "kind", "status", "progress_percent", "short_message", "owner", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["owner"]
    search_fields = ["kind", "message", "owner__username"]
    count_fields = ["attempts"]
    actions = ["cancel_jobs"]

    @admin.display(description=_("진행률"), ordering="progress")
    def progress_percent(self, job: Job) -> SafeString:
        return format_html('<span class="bo-num">{}%</span>', f"{job.progress:.0f}")

    @admin.display(description=_("메시지"))
    def short_message(self, job: Job) -> str:
        return Truncator(job.message or job.error).chars(80)

    @admin.action(description=_("선택한 작업 취소"))
    def cancel_jobs(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        for job in queryset:
            try:
                services.job_cancel(job_id=job.pk)
            except DomainError as exc:
                self.message_user(request, f"{job}: {exc.message}", level=messages.WARNING)
