from django.contrib import admin, messages

from accounts.admin import BackOfficeAdmin, ReadOnlyAdmin, ReadOnlyTabularInline
from webhooks import services
from webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(BackOfficeAdmin):
    list_display = ["id", "owner", "url", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    list_select_related = ["owner"]
    search_fields = ["url", "owner__username", "description"]
    fields = ["owner", "url", "events", "description", "is_active", "created_at", "updated_at"]
    # The URL and events are the user's (the URL is checked by the service): an operator may only
    # switch an endpoint off or annotate it.
    readonly_fields = ["owner", "url", "events", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        services.endpoint_update(endpoint_id=obj.pk, is_active=obj.is_active, description=obj.description)

    def has_add_permission(self, request) -> bool:
        return False  # users register endpoints (their URL is checked and they get the secret)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # its deliveries are the log of what was sent: switch it off instead


class AttemptInline(ReadOnlyTabularInline):
    model = Attempt
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_body"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_id", "endpoint", "status", "attempts", "last_status_code", "created_at", "finished_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "endpoint__url", "endpoint__owner__username"]
    list_select_related = ["endpoint"]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.action(description="선택한 전송을 지금 다시 보내기")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery_id=delivery.pk)
        self.message_user(request, f"{queryset.count()}건을 다시 보내도록 대기열에 넣었습니다.", level=messages.SUCCESS)
