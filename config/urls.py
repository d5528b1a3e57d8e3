from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.exceptions import api_not_found
from config.health import health

admin.site.site_header = "papertrade 백오피스"
admin.site.site_title = "papertrade 백오피스"
admin.site.index_title = "운영 현황"


def spa_index(request: HttpRequest) -> HttpResponse:
    """Serve the built SPA's index.html for client-side routes.

    It names the current hashed bundles, which are cached for a year: the page itself is never
    served from a cache without asking (`no-cache`), so a new build is picked up on the next load.
    """
    index = settings.FRONTEND_DIST / "index.html"
    response: HttpResponse
    if not index.exists():
        response = HttpResponse(
            "<h1>papertrade</h1><p>The web app is not built yet: run <code>make run</code> "
            "(or <code>cd frontend &amp;&amp; npm run build</code>). The API is at "
            '<a href="/api/docs/">/api/docs/</a>, the back office at <a href="/admin/">/admin/</a>.</p>',
            status=200,
        )
    else:
        response = FileResponse(index.open("rb"), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


api_v1 = [
    path("health", health, name="health"),
    # Each app's urls.py spells its routes in full below /api/v1/ (e.g. "market/symbols").
    path("", include("accounts.urls")),
    path("", include("jobs.urls")),
    path("", include("market.urls")),
    path("", include("orders.urls")),
    path("", include("historical.urls")),
    path("", include("strategies.urls")),
    path("", include("webhooks.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^api/", api_not_found),
    # assets/ misses are a 404: a stale page must not get HTML for a bundle a newer build replaced.
    re_path(r"^(?!static/|assets/|admin/|ws/).*$", spa_index, name="spa"),
]
