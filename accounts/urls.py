from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/login", api.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", api.LogoutApi.as_view(), name="auth-logout"),
    path("auth/register", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/me", api.MeApi.as_view(), name="auth-me"),
    path("auth/csrf", api.CsrfApi.as_view(), name="auth-csrf"),
    path("settings", api.SettingsApi.as_view(), name="settings"),
]
