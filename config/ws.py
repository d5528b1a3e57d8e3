"""A JSON WebSocket consumer that survives bad clients.

Oversized frames, binary frames, malformed JSON, non-object messages and floods get an error
message or a close code; the server and the other connections carry on.
"""

import json
import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.locale import scope_language

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY_ERRORS = 4400
CLOSE_RATE_LIMITED = 4429
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_MESSAGE_TOO_BIG = 1009

RATE_LIMITED = _("메시지를 너무 빠르게 보냈습니다. 간격을 두고 보내 주세요.")
TEXT_ONLY = _("텍스트(JSON) 메시지만 받습니다.")
MESSAGE_TOO_LARGE = _("메시지가 너무 큽니다: {limit:,}바이트 이하로 보내 주세요.")
NOT_JSON = _("메시지는 JSON 형식이어야 합니다.")
NOT_JSON_OBJECT = _("메시지는 JSON 객체여야 합니다.")


class GuardedJsonConsumer(AsyncJsonWebsocketConsumer):
    max_message_bytes = 4096
    max_errors = 5
    # Token bucket: `rate_per_second` sustained, `burst` at once.
    rate_per_second = 10.0
    burst = 30.0

    async def websocket_connect(self, message: dict) -> None:
        # The connection's messages speak the user's language (config.locale): activated in this
        # connection's own task, so every handler of it runs with it.
        translation.activate(await scope_language(self.scope))
        self._tokens = self.burst
        self._refilled_at = time.monotonic()
        self._errors = 0
        await super().websocket_connect(message)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._refilled_at) * self.rate_per_second)
        self._refilled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def send_error(self, message: str) -> None:
        """Tell the client what was wrong; close after too many mistakes."""
        self._errors += 1
        await self.send_json({"type": "error", "message": str(message)})
        if self._errors >= self.max_errors:
            await self.close(code=CLOSE_TOO_MANY_ERRORS)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if not self._take_token():
            await self.send_json({"type": "error", "message": str(RATE_LIMITED)})
            await self.close(code=CLOSE_RATE_LIMITED)
            return
        if text_data is None:
            await self.send_json({"type": "error", "message": str(TEXT_ONLY)})
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        if len(text_data.encode()) > self.max_message_bytes:
            await self.send_json({"type": "error", "message": MESSAGE_TOO_LARGE.format(limit=self.max_message_bytes)})
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error(NOT_JSON)
            return
        if not isinstance(content, dict):
            await self.send_error(NOT_JSON_OBJECT)
            return
        if content.get("type") == "ping":  # application-level keepalive for every stream
            await self.send_json({"type": "pong"})
            return
        await self.receive_json(content, **kwargs)
