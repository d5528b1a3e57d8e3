"""ASGI entry point: HTTP through Django (config/http.py), WebSockets through Channels.

WebSockets are origin-checked against ALLOWED_HOSTS and authenticated by the session cookie or by
an `Authorization: Token <key>` header (scripts). Each app lists its routes in routing.py.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.ws_auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402
from config.http import http_application  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from market import timetable  # noqa: E402

timetable.prepare()  # the XKRX calendar takes seconds to build: not on this process's first request

application = ProtocolTypeRouter(
    {
        "http": http_application(),
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

if settings.MARKET_FEED_IN_PROCESS:
    # Embedded default: the in-memory channel layer only reaches consumers of this process,
    # so the feed runs here, in a background thread.
    from market.runner import start_in_process_feed  # noqa: E402

    start_in_process_feed()
