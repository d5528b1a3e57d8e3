"""HTTP of config.asgi: each request runs whole (middleware and view) on one thread of a pool.

Django's ASGI handler runs a sync project's middleware and views through asgiref: each of the eight
middleware steps into a thread and back out twice, some sixteen handoffs between the event loop and
a thread per request, which cost more than most views themselves. Our views are sync (the ORM is), so HTTP goes to
Django's WSGI handler instead, called once per request on a pool of PAPERTRADE_WEB_THREADS threads:
while one request waits on PostgreSQL or Redis another runs. The threads are asgiref's (its
`sync_to_async` with our executor), so `async_to_sync(channel_layer.group_send)` in a service still
runs on the server's event loop and its Redis connections. WebSockets stay with Channels.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from tempfile import SpooledTemporaryFile
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

Scope = dict[str, Any]


def wsgi_environ(scope: Scope, body: Any) -> dict[str, Any]:
    """PEP 3333's environ for an ASGI HTTP scope (paths as latin-1 text of their UTF-8 bytes)."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path_info = scope["path"].encode("utf8").decode("latin1")
    if path_info.startswith(script_name):
        path_info = path_info[len(script_name) :]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    headers: dict[str, list[str]] = defaultdict(list)
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        key = name if name in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{name}"
        headers[key].append(raw_value.decode("latin1"))
    for key, values in headers.items():
        environ[key] = ",".join(values)
    return environ


class ThreadedWsgi:
    """An ASGI app that answers HTTP with a WSGI app run on its own thread pool."""

    def __init__(self, wsgi_app: Any, *, threads: int) -> None:
        self.wsgi_app = wsgi_app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")
        self.respond = sync_to_async(self._respond, thread_sensitive=False, executor=self.pool)

    def _respond(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in headers]

        result = self.wsgi_app(environ, start_response)
        try:
            chunks = [chunk for chunk in result if chunk]
        finally:
            if hasattr(result, "close"):
                result.close()  # request_finished: the database connection goes back to the pool
        return started["status"], started["headers"], chunks

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"{type(self).__name__} serves HTTP only, not {scope['type']!r}")
        with SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client left before sending its body: nobody to answer
                body.write(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body.seek(0)
            status, headers, chunks = await self.respond(wsgi_environ(scope, body))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for chunk in chunks[:-1]:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": chunks[-1] if chunks else b""})


def http_application() -> ThreadedWsgi:
    return ThreadedWsgi(WSGIHandler(), threads=settings.WEB_THREADS)
