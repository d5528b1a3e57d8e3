"""Every read the webhooks API needs. Users only ever see their own endpoints and deliveries."""

from django.db.models import QuerySet

from config.exceptions import NotFound
from webhooks.models import Delivery, Endpoint
from webhooks.services import DELIVERY_NOT_FOUND, ENDPOINT_NOT_FOUND


def endpoint_list(*, user) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(owner=user)


def endpoint_get(*, user, endpoint_id: int) -> Endpoint:
    endpoint = endpoint_list(user=user).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(ENDPOINT_NOT_FOUND)
    return endpoint


def delivery_list(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    return Delivery.objects.filter(endpoint=endpoint)


def delivery_get(*, user, delivery_id: int) -> Delivery:
    delivery = Delivery.objects.filter(endpoint__owner=user, pk=delivery_id).prefetch_related("attempt_log").first()
    if delivery is None:
        raise NotFound(DELIVERY_NOT_FOUND)
    return delivery
