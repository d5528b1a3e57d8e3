"""Bad WebSocket clients get errors or are closed; other connections carry on."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from config import ws as guard
from config.asgi import application
from config.ws import CLOSE_MESSAGE_TOO_BIG, CLOSE_RATE_LIMITED, CLOSE_TOO_MANY_ERRORS, CLOSE_UNSUPPORTED_DATA
from jobs import consumers, services

pytestmark = pytest.mark.django_db(transaction=True)


async def _connect(user, path="/ws/jobs"):
    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    communicator = WebsocketCommunicator(
        application,
        path,
        headers=[
            (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()),
            (b"origin", b"http://127.0.0.1:8000"),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def _close_code(communicator) -> int:
    while True:
        message = await communicator.receive_output(timeout=2)
        if message["type"] == "websocket.close":
            return message["code"]


async def test_malformed_json_gets_an_error_then_a_close(user):
    ws = await _connect(user)
    await ws.send_to(text_data="{not json")
    assert (await ws.receive_json_from()) == {"type": "error", "message": guard.NOT_JSON}
    await ws.send_to(text_data="[1, 2]")
    assert (await ws.receive_json_from()) == {"type": "error", "message": guard.NOT_JSON_OBJECT}
    for _ in range(3):
        await ws.send_to(text_data='{"action": "dance"}')
        assert (await ws.receive_json_from()) == {"type": "error", "message": consumers.READ_ONLY}
    assert await _close_code(ws) == CLOSE_TOO_MANY_ERRORS


async def test_oversized_message_closes_with_1009(user):
    ws = await _connect(user)
    await ws.send_to(text_data='{"x": "' + "a" * 10_000 + '"}')
    assert (await ws.receive_json_from())["message"] == guard.MESSAGE_TOO_LARGE.format(limit=4096)
    assert await _close_code(ws) == CLOSE_MESSAGE_TOO_BIG


async def test_binary_frames_are_refused(user):
    ws = await _connect(user)
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await ws.receive_json_from()) == {"type": "error", "message": guard.TEXT_ONLY}
    assert await _close_code(ws) == CLOSE_UNSUPPORTED_DATA


async def test_flood_is_cut_off_and_others_carry_on(user):
    flooder = await _connect(user)
    bystander = await _connect(user)
    for _ in range(200):
        await flooder.send_to(text_data='{"type": "ping"}')
    replies = []
    while True:
        message = await flooder.receive_output(timeout=2)
        if message["type"] == "websocket.close":
            break
        replies.append(message["text"])
    assert message["code"] == CLOSE_RATE_LIMITED
    assert 25 <= replies.count('{"type": "pong"}') <= 40  # the burst allowance, then cut off
    assert json.loads(replies[-1]) == {"type": "error", "message": guard.RATE_LIMITED}
    job = await sync_to_async(services.job_create)(kind="ingest", owner=user)
    update = await bystander.receive_json_from(timeout=3)
    assert update["job"]["id"] == job.pk
    await bystander.disconnect()
