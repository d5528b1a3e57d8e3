"""Live quote streams.

- `/ws/quotes/<code>`: one symbol. On connect: the current quote and book, then one message per
  trade and per book change.
- `/ws/quotes`: any number of symbols (up to MARKET_WS_MAX_CODES) over one socket, chosen with
  `{"action": "subscribe" | "unsubscribe", "codes": [...]}`.
Both send the market's status (`{"type": "market.status", ...}`) on connect and on every change, and
KOSPI/KOSDAQ (`{"type": "market.indices", ...}`) as they move.
Anonymous sockets and unknown codes are accepted and then closed with 4401 / 4404, so that the
browser sees the close code (a refusal before accept only shows up as a failed handshake).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from config.ws import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, GuardedJsonConsumer
from market import events, watched
from market.clock import market_clock
from market.feeds.publisher import register_delivery_loop
from market.models import Symbol
from market.services import SYMBOL_NOT_FOUND
from market.state import store

logger = logging.getLogger(__name__)

ACTIONS = ("subscribe", "unsubscribe")
BAD_ACTION = _('{"action": "subscribe" 또는 "unsubscribe", "codes": ["005930", ...]} 형식으로 보내 주세요.')
BAD_CODES = _('"codes"에는 "005930" 같은 종목코드의 목록을 보내 주세요.')
UNKNOWN_CODES = _("{codes} 종목을 찾을 수 없습니다. 구독은 바뀌지 않았습니다.")
TOO_MANY_CODES = _(
    "한 연결에서는 종목을 {limit}개까지 구독할 수 있습니다. 먼저 일부 종목의 구독을 해지해 주세요. "
    "구독은 바뀌지 않았습니다."
)
READ_ONLY = _("이 스트림은 읽기 전용입니다. 종목을 고르려면 /ws/quotes를 써 주세요.")


def max_codes() -> int:
    return int(getattr(settings, "MARKET_WS_MAX_CODES", 50))


@database_sync_to_async
def _known_codes(codes: list[str]) -> dict[str, str]:
    return dict(Symbol.objects.filter(code__in=codes, is_active=True).values_list("code", "name"))


@sync_to_async(thread_sensitive=False)
def _status_message() -> dict[str, Any]:
    clock = market_clock()
    return events.status_message(clock.status(), clock=clock.kind, speed=clock.speed)


@sync_to_async(thread_sensitive=False)
def _current(code: str) -> tuple[Any, Any]:
    state = store()
    return state.quote(code), state.book(code)


class _QuoteStream(GuardedJsonConsumer):
    channel_layer_alias = events.LAYER_ALIAS  # settings.CHANNEL_LAYERS["market"]

    def _authenticated(self) -> bool:
        user = self.scope.get("user")
        return user is not None and user.is_authenticated

    async def _follow_status(self) -> None:
        """Join the status group and send where the market stands now."""
        await self.channel_layer.group_add(events.STATUS_GROUP, self.channel_name)
        self.follows_status = True
        await self.send_json(await _status_message())

    async def _unfollow(self, codes: set[str]) -> None:
        if getattr(self, "follows_status", False):
            await self.channel_layer.group_discard(events.STATUS_GROUP, self.channel_name)
        for code in codes:
            await self.channel_layer.group_discard(events.quote_group(code), self.channel_name)
        watched.unwatch(codes)

    async def _follow(self, codes: dict[str, str]) -> None:
        """Join the groups of `codes` (code → name) and send their current quote and book."""
        watched.watch(codes)
        for code in codes:
            await self.channel_layer.group_add(events.quote_group(code), self.channel_name)
        for code, name in codes.items():
            try:
                quote, book = await _current(code)
            except Exception as exc:  # noqa: BLE001 - state unavailable (Redis down): live messages still come
                logger.warning("no current state for %s: %s", code, exc)
                continue
            if quote is not None:
                await self.send_json({"type": "quote", "quote": events.quote_payload(quote, name)})
            if book is not None:
                await self.send_json(events.book_message(book))

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels runs close_old_connections() in a worker thread before every handler; the tick
        # handlers touch no database, and that thread hop per message was the largest single cost
        # of a busy quote stream (bench_market). Connect/receive/disconnect keep the default.
        if message["type"] == "quote.trade":
            await self.quote_trade(message)
        elif message["type"] == "quote.book":
            await self.quote_book(message)
        elif message["type"] == "market.status":
            await self.market_status(message)
        elif message["type"] == "quote.update":
            await self.quote_update(message)
        elif message["type"] == "market.indices":
            await self.market_indices(message)
        else:
            await super().dispatch(message)

    async def quote_trade(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def quote_book(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def market_status(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def quote_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def market_indices(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])


class QuoteConsumer(_QuoteStream):
    async def connect(self) -> None:
        register_delivery_loop(asyncio.get_running_loop())
        await self.accept()
        if not self._authenticated():
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        code = self.scope["url_route"]["kwargs"]["code"]
        known = await _known_codes([code]) if Symbol.CODE_RE.fullmatch(code) else {}
        if not known:
            await self.send_json({"type": "error", "message": SYMBOL_NOT_FOUND.format(code=code)})
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.code = code
        await self._follow(known)
        await self._follow_status()

    async def disconnect(self, code: int) -> None:
        await self._unfollow({self.code} if hasattr(self, "code") else set())

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_error(READ_ONLY)


class QuotesConsumer(_QuoteStream):
    async def connect(self) -> None:
        register_delivery_loop(asyncio.get_running_loop())
        self.codes: set[str] = set()
        await self.accept()
        if not self._authenticated():
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json({"type": "hello", "stream": "quotes", "max_codes": max_codes()})
        await self._follow_status()

    async def disconnect(self, code: int) -> None:
        await self._unfollow(getattr(self, "codes", set()))

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action")
        if action not in ACTIONS:
            await self.send_error(BAD_ACTION)
            return
        codes = content.get("codes")
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(c, str) and Symbol.CODE_RE.fullmatch(c) for c in codes)
        ):
            await self.send_error(BAD_CODES)
            return
        codes = list(dict.fromkeys(codes))
        if action == "unsubscribe":
            for code in codes:
                if code in self.codes:
                    self.codes.discard(code)
                    await self.channel_layer.group_discard(events.quote_group(code), self.channel_name)
                    watched.unwatch([code])
            await self.send_json({"type": "unsubscribed", "codes": sorted(self.codes)})
            return
        new = [c for c in codes if c not in self.codes]
        if len(self.codes) + len(new) > max_codes():
            await self.send_error(TOO_MANY_CODES.format(limit=max_codes()))
            return
        known = await _known_codes(new) if new else {}
        unknown = [c for c in new if c not in known]
        if unknown:
            await self.send_error(UNKNOWN_CODES.format(codes=", ".join(unknown)))
            return
        self.codes.update(new)
        await self.send_json({"type": "subscribed", "codes": sorted(self.codes)})
        await self._follow({c: known[c] for c in new})
