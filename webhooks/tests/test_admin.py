import pytest
from django.urls import reverse
from django.utils import timezone

from webhooks import services
from webhooks.models import Attempt, Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="boss", password="correct-horse-battery")
    client.force_login(admin)
    return client


@pytest.fixture
def failed_delivery(user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint, _ = services.endpoint_create(owner=user, url="http://127.0.0.1:9/hook", events=["order.filled"])
    delivery = Delivery.objects.create(
        endpoint=endpoint, event="order.filled", event_id="order.filled:1", payload={}, status="failed", attempts=1
    )
    Attempt.objects.create(delivery=delivery, number=1, started_at=timezone.now(), error="ConnectionRefusedError: x")
    return delivery


def test_the_delivery_log_shows_each_try_and_hides_the_secret(staff_client, failed_delivery):
    page = staff_client.get(reverse("admin:webhooks_delivery_change", args=[failed_delivery.pk]))
    assert page.status_code == 200 and "ConnectionRefusedError: x" in page.content.decode()
    assert staff_client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 200
    endpoint_page = staff_client.get(reverse("admin:webhooks_endpoint_change", args=[failed_delivery.endpoint_id]))
    assert endpoint_page.status_code == 200 and "secret" not in endpoint_page.content.decode().lower()


def test_the_admin_action_redelivers_through_the_service(
    staff_client, failed_delivery, django_capture_on_commit_callbacks
):
    url = reverse("admin:webhooks_delivery_changelist")
    with django_capture_on_commit_callbacks() as queued:
        response = staff_client.post(url, {"action": "redeliver", "_selected_action": [failed_delivery.pk]})
    assert response.status_code == 302 and len(queued) == 1
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == "pending" and failed_delivery.attempts == 0


def test_an_operator_switches_an_endpoint_off(staff_client, failed_delivery):
    endpoint = failed_delivery.endpoint
    url = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    response = staff_client.post(url, {"description": "abuse", "is_active": ""})
    assert response.status_code == 302, response.content[:500]
    endpoint.refresh_from_db()
    assert endpoint.is_active is False and endpoint.description == "abuse"
    assert endpoint.url == "http://127.0.0.1:9/hook"
    assert endpoint.owner_id not in services.users_with_endpoints()
