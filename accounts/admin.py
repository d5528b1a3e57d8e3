from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User, UserSettings


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass


@admin.register(UserSettings)
class UserSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "theme", "preferred_feed", "kis_environment", "updated_at"]
    # The encrypted KIS fields are never shown, not even encrypted.
    fields = ["user", "language", "theme", "preferred_feed", "kis_environment", "kis_app_key_hint"]
    readonly_fields = ["user", "kis_app_key_hint"]
    search_fields = ["user__username"]
