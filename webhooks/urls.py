from django.urls import path

from webhooks import api

urlpatterns = [
    path("webhooks", api.EndpointListCreateApi.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>", api.EndpointDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/rotate-secret", api.EndpointRotateSecretApi.as_view(), name="webhook-rotate-secret"),
    path("webhooks/<int:pk>/ping", api.EndpointPingApi.as_view(), name="webhook-ping"),
    path("webhooks/<int:pk>/deliveries", api.EndpointDeliveryListApi.as_view(), name="webhook-deliveries"),
    path("webhooks/deliveries/<int:pk>", api.DeliveryDetailApi.as_view(), name="webhook-delivery-detail"),
    path("webhooks/deliveries/<int:pk>/redeliver", api.DeliveryRedeliverApi.as_view(), name="webhook-redeliver"),
]
