"""The API's WebSocket streams as async iterators that survive dropped connections.

Each (re)connection starts with the server's `{"type": "hello", ...}`; on /ws/quotes the iterator
then subscribes again to every code and passes on the server's `subscribed` answer, so a caller
sees exactly when a stream came back. Messages are the API's own (docs/api.md): `quote`, `trade`,
`book`, `market.status` on quotes; `order` and `fill` on orders. Keepalive is the WebSocket ping
(`websockets` pings every 20 s and drops a connection whose pong does not come back).

A refusal that retrying cannot fix (not logged in, unknown code, too many mistakes) ends the
iterator with `StreamError`; anything else (server restart, network drop) is retried with
exponential back-off up to `MAX_BACKOFF` seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from papertrade.errors import StreamError

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 0.25
MAX_BACKOFF = 10.0
# Close codes of config/ws.py that mean "do not come back with the same request".
FINAL_CLOSE_CODES = {
    4400: "too many bad messages",
    4401: "not logged in (token or session refused)",
    4404: "unknown symbol",
    1003: "unsupported data",
    1009: "message too big",
}


def ws_url(base_url: str, path: str) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{path}"


def _origin(base_url: str) -> str:
    # The server checks Origin against its ALLOWED_HOSTS; a script's origin is the server itself.
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


async def _messages(ws: ClientConnection) -> AsyncIterator[dict[str, Any]]:
    async for raw in ws:
        message = json.loads(raw)
        if isinstance(message, dict) and message.get("type") != "pong":
            yield message


async def _reconnecting(
    base_url: str,
    path: str,
    auth: dict[str, str],
    *,
    reconnect: bool,
    on_open: Any = None,
) -> AsyncIterator[dict[str, Any]]:
    backoff = FIRST_BACKOFF
    last_error = ""
    while True:
        try:
            async with connect(
                ws_url(base_url, path), additional_headers=auth, origin=_origin(base_url), open_timeout=10
            ) as ws:
                if on_open is not None:
                    await on_open(ws)
                async for message in _messages(ws):
                    backoff = FIRST_BACKOFF
                    yield message
                closed = ws.close_code
                if closed in FINAL_CLOSE_CODES:
                    raise StreamError(
                        f"The server closed {path}: {FINAL_CLOSE_CODES[closed]} ({last_error or closed}).",
                        close_code=closed,
                    )
                last_error = f"closed by the server ({closed})"
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            if code in FINAL_CLOSE_CODES:
                raise StreamError(f"The server closed {path}: {FINAL_CLOSE_CODES[code]}.", close_code=code) from exc
            last_error = f"connection lost ({exc})"
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise StreamError(
                    f"The server refused {path} (HTTP {exc.response.status_code}).",
                    close_code=exc.response.status_code,
                ) from exc
            last_error = f"HTTP {exc.response.status_code}"
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            last_error = f"cannot connect ({exc})"
        if not reconnect:
            raise StreamError(f"{path}: {last_error}")
        logger.info("%s: %s; reconnecting in %.2fs", path, last_error, backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF)


async def stream_quotes(
    base_url: str, auth: dict[str, str], codes: list[str], *, reconnect: bool = True
) -> AsyncIterator[dict[str, Any]]:
    """Quotes of `codes` from /ws/quotes; subscribes again after every reconnection.

    An `error` answer to the subscription (an unknown code, more codes than the server allows)
    raises `StreamError`: the same subscription would be refused again.
    """
    if not codes:
        raise ValueError("stream_quotes needs at least one code")
    wanted = list(dict.fromkeys(codes))
    subscribe = json.dumps({"action": "subscribe", "codes": wanted})

    async def on_open(ws: ClientConnection) -> None:
        await ws.send(subscribe)

    pending = True  # until the server answers this connection's subscription
    async for message in _reconnecting(base_url, "/ws/quotes", auth, reconnect=reconnect, on_open=on_open):
        kind = message.get("type")
        if kind == "hello":
            pending = True
        elif kind == "subscribed":
            pending = False
        elif kind == "error" and pending:
            raise StreamError(f"Subscription to {', '.join(wanted)} refused: {message.get('message')}")
        yield message


async def stream_orders(
    base_url: str, auth: dict[str, str], *, reconnect: bool = True
) -> AsyncIterator[dict[str, Any]]:
    """The user's `order` updates and `fill`s from /ws/orders.

    Events that happen while the connection is down are not replayed by the server; after a
    `hello` that follows a drop, read `GET orders` for what changed meanwhile.
    """
    async for message in _reconnecting(base_url, "/ws/orders", auth, reconnect=reconnect):
        yield message
