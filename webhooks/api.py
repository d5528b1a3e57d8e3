"""REST endpoints of webhooks (docs/webhooks.md). Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.inputs import JsonInput
from webhooks import selectors, services
from webhooks.enums import SUBSCRIBABLE_EVENTS, DeliveryStatus, WebhookEvent
from webhooks.models import Attempt, Delivery, Endpoint

EVENT_CHOICES = [(e.value, e.label) for e in SUBSCRIBABLE_EVENTS]


class EndpointOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES))

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "events", "is_active", "created_at", "updated_at"]


class EndpointWithSecretOutput(EndpointOutput):
    secret = serializers.CharField(help_text="The signing secret. Shown only now: keep it.")

    class Meta(EndpointOutput.Meta):
        fields = [*EndpointOutput.Meta.fields, "secret"]


class EndpointInput(JsonInput):
    # A string the schema can state; whether it is an https:// URL resolving to public addresses is
    # the delivery rule's to check (webhooks.transport.check_url), a 422 when it is not.
    url = serializers.CharField(max_length=500, help_text="https:// URL resolving to public addresses only.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        min_length=1,
        max_length=len(EVENT_CHOICES),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class EndpointUpdateInput(JsonInput):
    url = serializers.CharField(
        max_length=500, required=False, help_text="https:// URL resolving to public addresses only."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        allow_empty=False,
        min_length=1,
        max_length=len(EVENT_CHOICES),
        required=False,
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_body"]


class DeliveryOutput(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    event = serializers.ChoiceField(choices=WebhookEvent.choices)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "finished_at",
        ]


class DeliveryDetailOutput(DeliveryOutput):
    payload = serializers.JSONField(help_text="The body sent (JSON).")
    attempt_log = AttemptOutput(many=True, read_only=True)

    class Meta(DeliveryOutput.Meta):
        fields = [*DeliveryOutput.Meta.fields, "payload", "attempt_log"]


def _with_secret(endpoint: Endpoint, secret: str) -> dict[str, Any]:
    endpoint.secret = secret
    return EndpointWithSecretOutput(endpoint).data


class EndpointListCreateApi(generics.ListAPIView):
    serializer_class = EndpointOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Endpoint.objects.none()
        return selectors.endpoint_list(user=self.request.user)

    @extend_schema(request=EndpointInput, responses={201: EndpointWithSecretOutput})
    def post(self, request: Request) -> Response:
        data = EndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.endpoint_create(owner=request.user, **data.validated_data)
        return Response(_with_secret(endpoint, secret), status=status.HTTP_201_CREATED)


class EndpointDetailApi(APIView):
    @extend_schema(responses={200: EndpointOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointOutput(selectors.endpoint_get(user=request.user, endpoint_id=pk)).data)

    @extend_schema(request=EndpointUpdateInput, responses={200: EndpointOutput})
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = selectors.endpoint_get(user=request.user, endpoint_id=pk)
        data = EndpointUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(EndpointOutput(services.endpoint_update(endpoint_id=endpoint.pk, **data.validated_data)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = selectors.endpoint_get(user=request.user, endpoint_id=pk)
        services.endpoint_delete(endpoint_id=endpoint.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecretApi(APIView):
    @extend_schema(request=None, responses={200: EndpointWithSecretOutput})
    def post(self, request: Request, pk: int) -> Response:
        endpoint = selectors.endpoint_get(user=request.user, endpoint_id=pk)
        endpoint, secret = services.endpoint_rotate_secret(endpoint_id=endpoint.pk)
        return Response(_with_secret(endpoint, secret))


class EndpointPingApi(APIView):
    @extend_schema(request=None, responses={202: DeliveryOutput})
    def post(self, request: Request, pk: int) -> Response:
        endpoint = selectors.endpoint_get(user=request.user, endpoint_id=pk)
        delivery = services.endpoint_ping(endpoint_id=endpoint.pk)
        return Response(DeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event = django_filters.ChoiceFilter(choices=WebhookEvent.choices)

    class Meta:
        model = Delivery
        fields = ["status", "event"]


class EndpointDeliveryListApi(generics.ListAPIView):
    """The delivery log of one endpoint, newest first."""

    serializer_class = DeliveryOutput
    filterset_class = DeliveryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        endpoint = selectors.endpoint_get(user=self.request.user, endpoint_id=self.kwargs["pk"])
        return selectors.delivery_list(endpoint=endpoint)


class DeliveryDetailApi(APIView):
    @extend_schema(responses={200: DeliveryDetailOutput})
    def get(self, request: Request, pk: int) -> Response:
        return Response(DeliveryDetailOutput(selectors.delivery_get(user=request.user, delivery_id=pk)).data)


class DeliveryRedeliverApi(APIView):
    @extend_schema(request=None, responses={202: DeliveryOutput})
    def post(self, request: Request, pk: int) -> Response:
        delivery = selectors.delivery_get(user=request.user, delivery_id=pk)
        return Response(
            DeliveryOutput(services.delivery_redeliver(delivery_id=delivery.pk)).data, status=status.HTTP_202_ACCEPTED
        )
