from django.urls import path

from accounts import api, watchlists_api

urlpatterns = [
    path("auth/login", api.LoginApi.as_view(), name="auth-login"),
    path("auth/logout", api.LogoutApi.as_view(), name="auth-logout"),
    path("auth/register", api.RegisterApi.as_view(), name="auth-register"),
    path("auth/me", api.MeApi.as_view(), name="auth-me"),
    path("auth/csrf", api.CsrfApi.as_view(), name="auth-csrf"),
    path("settings", api.SettingsApi.as_view(), name="settings"),
    path("watchlists", watchlists_api.WatchlistListApi.as_view(), name="watchlists"),
    path("watchlists/order", watchlists_api.WatchlistOrderApi.as_view(), name="watchlists-order"),
    path("watchlists/<int:watchlist_id>", watchlists_api.WatchlistDetailApi.as_view(), name="watchlist"),
    path(
        "watchlists/<int:watchlist_id>/symbols",
        watchlists_api.WatchlistSymbolListApi.as_view(),
        name="watchlist-symbols",
    ),
    path(
        "watchlists/<int:watchlist_id>/symbols/<str:code>",
        watchlists_api.WatchlistSymbolApi.as_view(),
        name="watchlist-symbol",
    ),
]
