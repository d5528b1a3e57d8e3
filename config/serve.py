"""The web tier: uvicorn serving config.asgi (HTTP and WebSockets) from one port.

    python -m config.serve --host 0.0.0.0 --port 8000 [--workers N]

Services configuration: PAPERTRADE_WEB_WORKERS processes (default: one per core) share the
listening socket; every one serves REST and WebSockets, and pushes reach each through the Redis
channel layer. Within a process, Django runs each request's sync code on a thread of its own
(asgiref's ThreadSensitiveContext per request), so one slow view does not hold up the others.
The embedded default is one process: its in-memory channel layer, feed thread and task threads
exist in that process only, so it refuses more workers.
"""

from __future__ import annotations

import argparse
import os
import sys

EMBEDDED_ONE_PROCESS = (
    "The embedded default runs in one process (its in-memory channel layer, feed and tasks live there); "
    "set DATABASE_URL and REDIS_URL to run several web workers."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument("--workers", type=int, default=None, help="processes (default: PAPERTRADE_WEB_WORKERS)")
    # The load benchmark serves a bare ASGI app with the same server and options, as its baseline.
    parser.add_argument("--app", default="config.asgi:application", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    import uvicorn
    from django.conf import settings

    in_memory = settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer")
    workers = args.workers or (1 if in_memory else settings.WEB_WORKERS)
    if in_memory and workers > 1:
        parser.error(EMBEDDED_ONE_PROCESS)
    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="off",  # Django and Channels have no lifespan protocol
        access_log=False,  # nginx writes the access log; application logs stay as settings say
        log_config=None,  # Django's LOGGING (JSON lines in production) covers uvicorn's loggers too
        proxy_headers=True,
        forwarded_allow_ips=settings.WEB_FORWARDED_ALLOW_IPS,
        backlog=settings.WEB_BACKLOG,
        timeout_graceful_shutdown=settings.WEB_GRACEFUL_SHUTDOWN_SECONDS,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
