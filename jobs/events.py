"""Channels group names and payloads for job progress."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from jobs.models import Job

STAFF_GROUP = "jobs.staff"


def user_group(user_id: int) -> str:
    return f"jobs.user.{user_id}"


def job_payload(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress, 2),
        "message": job.message,
        "error": job.error,
        "result": job.result,
        "updated_at": (job.finished_at or job.heartbeat_at or job.created_at).isoformat(),
    }


def job_broadcast(job: Job) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.update", "job": job_payload(job)}
    groups = [STAFF_GROUP]
    if job.owner_id:
        groups.append(user_group(job.owner_id))
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # noqa: BLE001 - a push failure must never fail the job itself
            import logging

            logging.getLogger(__name__).warning("could not push job update", exc_info=True)
