"""The per-process sender of /ws/orders events (orders.events._Sender) against real Redis."""

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import override_settings

from orders import events
from tests.servers import free_port

pytestmark = pytest.mark.services


def _update(n: int) -> dict:
    return {"type": "order.update", "order": {"id": n}}


def test_a_push_that_fails_is_logged_and_the_next_one_still_goes_out(settings, caplog):
    dead = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},  # nothing listens there
        }
    }
    with override_settings(CHANNEL_LAYERS=dead), caplog.at_level(logging.WARNING, logger="orders.events"):
        events.broadcast(41, [_update(1)])
        assert events.flush(timeout=events.SEND_TIMEOUT + 5)
    assert "could not push order updates" in caplog.text

    layer = get_channel_layer()  # the real Redis layer again
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(events.user_group(41), channel)
    try:
        events.broadcast(41, [_update(2), _update(3)])
        events.broadcast(41, [_update(4)])
        assert events.flush(timeout=5)
        received = []
        while len(received) < 3:
            message = async_to_sync(layer.receive)(channel)
            assert message["type"] == "orders.batch"
            received += [event["order"]["id"] for event in message["events"]]
        assert received == [2, 3, 4]  # in order, none lost, none twice
    finally:
        async_to_sync(layer.group_discard)(events.user_group(41), channel)
