from django.urls import path

from market.consumers import QuoteConsumer, QuotesConsumer

websocket_urlpatterns = [
    path("ws/quotes", QuotesConsumer.as_asgi()),
    path("ws/quotes/<str:code>", QuoteConsumer.as_asgi()),
]
