"""Every write of the webhooks app: endpoints, the deliveries an event makes, and each try.

A delivery is recorded in the transaction of the event (or right after its commit) and sent by
the task `webhooks.deliver` after commit. A try claims the delivery under its row lock with a
lease, so the task and the beat sweep (`webhooks.deliver_due`, which picks up tries whose timer
was lost with a process) never send one delivery at the same time. A failed try is retried after
`PAPERTRADE_WEBHOOKS_RETRY_DELAYS`; when they run out the delivery is marked failed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import crypto
from config.exceptions import DomainError, NotFound
from webhooks import signing, transport
from webhooks.enums import SUBSCRIBABLE_EVENTS, DeliveryStatus, WebhookEvent
from webhooks.models import Attempt, Delivery, Endpoint

ENDPOINT_NOT_FOUND = _("웹훅을 찾을 수 없습니다.")
DELIVERY_NOT_FOUND = _("웹훅 전송 기록을 찾을 수 없습니다.")
EVENTS_REQUIRED = _("받을 이벤트를 하나 이상 골라 주세요.")
EVENT_UNKNOWN = _("알 수 없는 이벤트입니다: {event}. 가능한 값: {choices}.")
TOO_MANY_ENDPOINTS = _("웹훅은 한 사용자당 {limit}개까지 등록할 수 있습니다.")
MAX_ENDPOINTS = 20
LEASE_SECONDS = 60  # a try's claim outlives its HTTP timeout; a crashed try is picked up after it
STALE_SECONDS = 30  # the sweep leaves a due delivery this long to its own timer first


# --- endpoints ------------------------------------------------------------------------------------

_users_lock = threading.Lock()
_users: tuple[float, frozenset[int]] = (0.0, frozenset())
USERS_TTL = 5.0  # seconds another process's new endpoint may take to be noticed here


def users_with_endpoints() -> frozenset[int]:
    """Ids of users with an active endpoint: the order engine's events of everyone else are passed
    over without a query. This process's own endpoint changes are seen at once."""
    global _users
    loaded, users = _users
    if time.monotonic() - loaded < USERS_TTL:
        return users
    with _users_lock:
        users = frozenset(Endpoint.objects.filter(is_active=True).values_list("owner_id", flat=True).distinct())
        _users = (time.monotonic(), users)
    return users


def users_forget() -> None:
    global _users
    _users = (0.0, frozenset())


def _check_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not events:
        raise DomainError(EVENTS_REQUIRED, field="events")
    choices = [e.value for e in SUBSCRIBABLE_EVENTS]
    for event in events:
        if event not in choices:
            raise DomainError(EVENT_UNKNOWN.format(event=event, choices=", ".join(choices)), field="events")
    return sorted(set(events), key=choices.index)


def _check_url(url: str) -> str:
    try:
        transport.check_url(url)
    except transport.UnsafeTarget as exc:
        raise DomainError(str(exc), field="url") from None
    return url


def endpoint_create(
    *, owner: Any, url: str, events: list[str], description: str = "", is_active: bool = True
) -> tuple[Endpoint, str]:
    """Register an endpoint; returns it with its signing secret (shown to the user this once)."""
    events = _check_events(events)
    _check_url(url)
    with transaction.atomic():
        if Endpoint.objects.select_for_update().filter(owner=owner).count() >= MAX_ENDPOINTS:
            raise DomainError(TOO_MANY_ENDPOINTS.format(limit=MAX_ENDPOINTS))
        secret = signing.new_secret()
        endpoint = Endpoint.objects.create(
            owner=owner,
            url=url,
            events=events,
            description=description,
            is_active=is_active,
            secret_encrypted=crypto.encrypt(secret),
        )
    transaction.on_commit(users_forget)
    return endpoint, secret


def endpoint_update(*, endpoint_id: int, **changes: Any) -> Endpoint:
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
        if "events" in changes:
            changes["events"] = _check_events(changes["events"])
        if "url" in changes:
            _check_url(changes["url"])
        for name, value in changes.items():
            setattr(endpoint, name, value)
        endpoint.save()
    transaction.on_commit(users_forget)
    return endpoint


def endpoint_rotate_secret(*, endpoint_id: int) -> tuple[Endpoint, str]:
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
        endpoint.secret_encrypted = crypto.encrypt(secret)
        endpoint.save(update_fields=["secret_encrypted", "updated_at"])
    return endpoint, secret


def endpoint_delete(*, endpoint_id: int) -> None:
    Endpoint.objects.filter(pk=endpoint_id).delete()
    transaction.on_commit(users_forget)


# --- events -----------------------------------------------------------------------------------------


def event_body(*, event: str, event_id: str, data: dict[str, Any], created_at: dt.datetime) -> dict[str, Any]:
    return {"id": event_id, "type": event, "created_at": created_at.isoformat(), "data": data}


def event_publish(*, user_id: int, event: str, event_id: str, data: dict[str, Any]) -> list[Delivery]:
    """Record a delivery of the event to each of the user's active endpoints that chose it, and send
    them after commit. Publishing one event_id twice records it once."""
    endpoints = [e for e in Endpoint.objects.filter(owner_id=user_id, is_active=True) if event in e.events]
    if not endpoints:
        return []
    payload = json.loads(
        json.dumps(
            event_body(event=event, event_id=event_id, data=data, created_at=timezone.now()), cls=DjangoJSONEncoder
        )
    )
    created = []
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    endpoint=endpoint, event=event, event_id=event_id, payload=payload, next_attempt_at=timezone.now()
                )
        except IntegrityError:
            continue  # recorded already
        created.append(delivery)
    from webhooks.tasks import deliver_later

    for delivery in created:
        transaction.on_commit(lambda pk=delivery.pk: deliver_later(delivery_id=pk, delay=0))
    return created


def endpoint_ping(*, endpoint_id: int) -> Delivery:
    """A test delivery to one endpoint, whatever events it chose."""
    endpoint = Endpoint.objects.get(pk=endpoint_id)
    now = timezone.now()
    event_id = f"ping:{endpoint.pk}:{int(now.timestamp() * 1000)}"
    payload = event_body(event=WebhookEvent.PING, event_id=event_id, data={"endpoint": endpoint.pk}, created_at=now)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint, event=WebhookEvent.PING, event_id=event_id, payload=payload, next_attempt_at=now
        )
        from webhooks.tasks import deliver_later

        transaction.on_commit(lambda: deliver_later(delivery_id=delivery.pk, delay=0))
    return delivery


# --- tries ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TryOutcome:
    delivery: Delivery
    retry_in: float | None  # seconds until the next try, None when there is none


def retry_delays() -> list[float]:
    return list(settings.WEBHOOKS_RETRY_DELAYS)


def _claim(delivery_id: int, now: dt.datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now + dt.timedelta(seconds=1):
            return None  # not due yet, or another try holds it
        delivery.attempts += 1
        delivery.next_attempt_at = now + dt.timedelta(seconds=LEASE_SECONDS + settings.WEBHOOKS_TIMEOUT)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def delivery_attempt(*, delivery_id: int) -> TryOutcome | None:
    """Send one delivery once, if it is due and nobody else is sending it; record what happened.

    Safe to call twice: the second call finds the delivery claimed or finished and does nothing.
    """
    started = timezone.now()
    delivery = _claim(delivery_id, started)
    if delivery is None:
        return None
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    secret = crypto.decrypt(delivery.endpoint.secret_encrypted)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "papertrade-webhooks/1",
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.pk),
        signing.SIGNATURE_HEADER: signing.signature_header(secret, body),
    }
    response = transport.post(delivery.endpoint.url, body, headers)
    delays = retry_delays()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=response.duration_ms,
            status_code=response.status_code,
            error=response.error,
            response_body=response.body,
        )
        delivery.last_status_code = response.status_code
        delivery.last_error = response.error
        retry_in = None
        if response.ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.finished_at, delivery.next_attempt_at = timezone.now(), None
        elif delivery.attempts > len(delays):
            delivery.status = DeliveryStatus.FAILED
            delivery.finished_at, delivery.next_attempt_at = timezone.now(), None
        else:
            retry_in = float(delays[delivery.attempts - 1])
            delivery.next_attempt_at = timezone.now() + dt.timedelta(seconds=retry_in)
        delivery.save()
    return TryOutcome(delivery, retry_in)


def delivery_redeliver(*, delivery_id: int) -> Delivery:
    """Try a delivery again now (a finished one starts a new round of retries)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(DELIVERY_NOT_FOUND)
        if delivery.status != DeliveryStatus.PENDING:
            delivery.attempts = 0
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.finished_at = None
        delivery.save()
        from webhooks.tasks import deliver_later

        transaction.on_commit(lambda: deliver_later(delivery_id=delivery.pk, delay=0))
    return delivery


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    """Pending deliveries whose try is overdue (their timer or worker was lost)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=STALE_SECONDS)
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def deliveries_prune(*, now: dt.datetime | None = None) -> int:
    """Forget finished deliveries older than PAPERTRADE_WEBHOOKS_LOG_DAYS (their tries go with them)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.WEBHOOKS_LOG_DAYS)
    deleted, _ = Delivery.objects.filter(
        status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    return deleted
