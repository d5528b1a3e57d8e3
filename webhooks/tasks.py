"""Celery tasks of the webhooks app: one try of a delivery, and the sweep for lost retries.

With Celery (services configuration) a retry is the task queued again with a countdown. The
embedded default runs tasks in-process (`jobs.services.task_enqueue`), so there a retry waits on a
timer thread; tests ("eager") wait inline. Either way the delivery row says when the next try is
due, and the beat sweep picks up any whose timer was lost with its process. A countdown longer than
the broker's visibility timeout may be delivered twice (Redis transport); the try's claim makes the
second one a no-op.
"""

from __future__ import annotations

import threading
import time

from celery import shared_task
from django.conf import settings

from jobs.services import task_enqueue
from webhooks import services

DELIVER_TASK = "webhooks.deliver"
DELIVER_DUE_TASK = "webhooks.deliver_due"


@shared_task(name=DELIVER_TASK, ignore_result=True)
def deliver(*, delivery_id: int) -> None:
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome is not None and outcome.retry_in is not None:
        deliver_later(delivery_id=delivery_id, delay=outcome.retry_in)


@shared_task(name=DELIVER_DUE_TASK, ignore_result=True)
def deliver_due() -> int:
    """Queue every overdue pending delivery (idempotent: a try claims its delivery first), and
    forget the log older than PAPERTRADE_WEBHOOKS_LOG_DAYS."""
    services.deliveries_prune()
    due = services.deliveries_due()
    for delivery_id in due:
        deliver_later(delivery_id=delivery_id, delay=0)
    return len(due)


def deliver_later(*, delivery_id: int, delay: float) -> None:
    """Queue one try of the delivery in `delay` seconds. Call after the delivery has committed."""
    mode = settings.TASK_MODE
    if mode == "celery":
        deliver.apply_async(kwargs={"delivery_id": delivery_id}, countdown=delay)
    elif delay <= 0:
        task_enqueue(deliver, delivery_id=delivery_id)
    elif mode == "thread":
        timer = threading.Timer(delay, task_enqueue, args=(deliver,), kwargs={"delivery_id": delivery_id})
        timer.daemon = True
        timer.start()
    else:
        time.sleep(delay)
        task_enqueue(deliver, delivery_id=delivery_id)
