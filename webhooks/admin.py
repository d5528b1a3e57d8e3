from django.contrib import admin, messages

from webhooks import services
from webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "url", "events", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "owner__username", "description"]
    fields = ["owner", "url", "events", "description", "is_active", "created_at", "updated_at"]
    # The URL and events are the user's (the URL is checked by the service): an operator may only
    # switch an endpoint off or annotate it.
    readonly_fields = ["owner", "url", "events", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change) -> None:
        services.endpoint_update(endpoint_id=obj.pk, is_active=obj.is_active, description=obj.description)

    def has_add_permission(self, request) -> bool:
        return False  # users register endpoints (their URL is checked and they get the secret)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_body"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event_id", "endpoint", "status", "attempts", "last_status_code", "created_at", "finished_at"]
    list_filter = ["status", "event"]
    search_fields = ["event_id", "endpoint__url", "endpoint__owner__username"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.action(description="Deliver the selected again now")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery_id=delivery.pk)
        self.message_user(request, f"{queryset.count()} queued.", level=messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
