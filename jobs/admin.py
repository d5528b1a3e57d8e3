from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from config.exceptions import DomainError
from jobs import services
from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "progress", "message", "owner", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "message", "owner__username"]
    readonly_fields = [f.name for f in Job._meta.fields]
    actions = ["cancel_jobs"]

    @admin.action(description=_("선택한 작업 취소"))
    def cancel_jobs(self, request, queryset):
        for job in queryset:
            try:
                services.job_cancel(job_id=job.pk)
            except DomainError as exc:
                self.message_user(request, f"{job}: {exc.message}", level=messages.WARNING)

    def has_add_permission(self, request) -> bool:
        return False
