"""Liveness and readiness of every part the platform needs."""

import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"ok": False, "error": str(exc)}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def check_channel_layer() -> dict:
    layer = get_channel_layer()
    backend = type(layer).__name__
    started = time.perf_counter()
    try:

        async def roundtrip() -> bool:
            channel = await layer.new_channel("health.")
            token = uuid.uuid4().hex
            await layer.send(channel, {"type": "health.ping", "token": token})
            message = await layer.receive(channel)
            return message.get("token") == token

        ok = async_to_sync(roundtrip)()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "backend": backend, "error": str(exc)}
    return {"ok": ok, "backend": backend, "ms": round((time.perf_counter() - started) * 1000, 2)}


def check_task_queue() -> dict:
    mode = settings.TASK_MODE
    if mode != "celery":
        return {"ok": True, "mode": mode}
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": mode, "error": str(exc)}
    return {"ok": True, "mode": mode, "broker": "redis"}


def check_exchange() -> dict:
    """Whether the process that owns the books answers (users' orders are refused with 503 until
    it does); a read-only command that names no book, so it changes nothing."""
    from market import venue

    started = time.perf_counter()
    try:
        venue.send(venue.Inspect(ref="health", code="", board="regular"), timeout=1)
    except venue.VenueUnavailable as exc:
        return {"ok": False, "error": exc.message}
    where = "in-process" if venue.local() is not None else "redis"
    return {"ok": True, "transport": where, "ms": round((time.perf_counter() - started) * 1000, 2)}


@extend_schema(
    responses=inline_serializer(
        "Health",
        {
            "status": serializers.ChoiceField(choices=["ok", "degraded"]),
            "checks": serializers.DictField(child=serializers.DictField()),
        },
    ),
    auth=[],
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def health(request: Request) -> Response:
    """200 while this process can serve (database, channel layer, task queue); `status` is
    "degraded" as well when the exchange is away, which refuses orders but leaves the rest working."""
    checks = {"database": check_database(), "channel_layer": check_channel_layer(), "task_queue": check_task_queue()}
    ready = all(c["ok"] for c in checks.values())
    checks["exchange"] = check_exchange()
    healthy = ready and checks["exchange"]["ok"]
    return Response({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if ready else 503)
