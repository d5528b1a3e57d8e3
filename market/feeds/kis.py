"""Korea Investment & Securities (KIS) Open API real-time feed.

Protocol (KIS Open API, "실시간시세" WebSocket):
1. POST {KIS_REST_URL}/oauth2/Approval {"grant_type": "client_credentials", "appkey", "secretkey"}
   → {"approval_key": ...} (the WebSocket key; valid for a day).
2. WebSocket to KIS_WS_URL; one registration per (tr_id, code):
   {"header": {"approval_key", "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
    "body": {"input": {"tr_id": "H0STCNT0" | "H0STASP0", "tr_key": "005930"}}}.
   A session takes at most 41 registrations; we register executions and the book for as many
   codes as fit (20 codes = 40 registrations by default) and log the rest.
3. Data frames are text `<encrypted 0|1>|<tr_id>|<record count>|<fields>`, the fields of all
   records `^`-separated one after the other. Control frames are JSON: registration answers
   (body.rt_cd "0" = ok, msg1 says why not) and PINGPONG, which must be sent back as is.
A malformed frame is logged and skipped. On a dropped connection the feed reconnects with
exponential backoff and registers everything again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
from dataclasses import dataclass
from typing import Any

import requests
import websockets
from django.conf import settings

from market.enums import Side
from market.feeds.base import Feed, FeedSink
from market.state import BookLevel, OrderBook, Quote, Trade
from market.timetable import SEOUL

logger = logging.getLogger(__name__)

TR_TRADE = "H0STCNT0"  # 국내주식 실시간체결가 (KRX)
TR_BOOK = "H0STASP0"  # 국내주식 실시간호가 (KRX)
MAX_REGISTRATIONS = 41

# Field order of a H0STCNT0 record (KIS open-trading-api, domestic stock real-time execution).
TRADE_FIELDS = (
    "MKSC_SHRN_ISCD", "STCK_CNTG_HOUR", "STCK_PRPR", "PRDY_VRSS_SIGN", "PRDY_VRSS", "PRDY_CTRT",
    "WGHN_AVRG_STCK_PRC", "STCK_OPRC", "STCK_HGPR", "STCK_LWPR", "ASKP1", "BIDP1", "CNTG_VOL", "ACML_VOL",
    "ACML_TR_PBMN", "SELN_CNTG_CSNU", "SHNU_CNTG_CSNU", "NTBY_CNTG_CSNU", "CTTR", "SELN_CNTG_SMTN",
    "SHNU_CNTG_SMTN", "CCLD_DVSN", "SHNU_RATE", "PRDY_VOL_VRSS_ACML_VOL_RATE", "OPRC_HOUR",
    "OPRC_VRSS_PRPR_SIGN", "OPRC_VRSS_PRPR", "HGPR_HOUR", "HGPR_VRSS_PRPR_SIGN", "HGPR_VRSS_PRPR",
    "LWPR_HOUR", "LWPR_VRSS_PRPR_SIGN", "LWPR_VRSS_PRPR", "BSOP_DATE", "NEW_MKOP_CLS_CODE", "TRHT_YN",
    "ASKP_RSQN1", "BIDP_RSQN1", "TOTAL_ASKP_RSQN", "TOTAL_BIDP_RSQN", "VOL_TNRT", "PRDY_SMNS_HOUR_ACML_VOL",
    "PRDY_SMNS_HOUR_ACML_VOL_RATE", "HOUR_CLS_CODE", "MRKT_TRTM_CLS_CODE", "VI_STND_PRC",
)  # fmt: skip
# Field order of a H0STASP0 record (10 ask prices, 10 bid prices, then their sizes, then totals).
BOOK_FIELDS = (
    "MKSC_SHRN_ISCD", "BSOP_HOUR", "HOUR_CLS_CODE",
    *(f"ASKP{i}" for i in range(1, 11)), *(f"BIDP{i}" for i in range(1, 11)),
    *(f"ASKP_RSQN{i}" for i in range(1, 11)), *(f"BIDP_RSQN{i}" for i in range(1, 11)),
    "TOTAL_ASKP_RSQN", "TOTAL_BIDP_RSQN", "OVTM_TOTAL_ASKP_RSQN", "OVTM_TOTAL_BIDP_RSQN", "ANTC_CNPR",
    "ANTC_CNQN", "ANTC_VOL", "ANTC_CNTG_VRSS", "ANTC_CNTG_VRSS_SIGN", "ANTC_CNTG_PRDY_CTRT", "ACML_VOL",
    "TOTAL_ASKP_RSQN_ICDC", "TOTAL_BIDP_RSQN_ICDC", "OVTM_TOTAL_ASKP_ICDC", "OVTM_TOTAL_BIDP_ICDC",
    "STCK_DEAL_CLS_CODE",
)  # fmt: skip
_FIELDS = {TR_TRADE: TRADE_FIELDS, TR_BOOK: BOOK_FIELDS}
_DOWN_SIGNS = {"4", "5"}  # PRDY_VRSS_SIGN: 1 상한 2 상승 3 보합 4 하한 5 하락


class KisError(Exception):
    pass


class KisFrameError(ValueError):
    """A data frame that does not follow the protocol."""


def kis_keys() -> tuple[str, str]:
    """The server's keys (settings), else the saved keys of a user who chose the KIS feed."""
    if settings.KIS_APP_KEY and settings.KIS_APP_SECRET:
        return settings.KIS_APP_KEY, settings.KIS_APP_SECRET
    from accounts.models import UserSettings
    from accounts.services import kis_credentials

    row = (
        UserSettings.objects.filter(preferred_feed="kis")
        .exclude(kis_app_key_encrypted="")
        .exclude(kis_app_secret_encrypted="")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if row is None:
        raise KisError("No KIS app key: set KIS_APP_KEY/KIS_APP_SECRET or save keys in a user's settings.")
    return kis_credentials(user=row.user)


def subscribe_message(approval_key: str, tr_id: str, code: str, *, subscribe: bool = True) -> str:
    return json.dumps(
        {
            "header": {
                "approval_key": approval_key,
                "custtype": "P",
                "tr_type": "1" if subscribe else "2",
                "content-type": "utf-8",
            },
            "body": {"input": {"tr_id": tr_id, "tr_key": code}},
        }
    )


def parse_frame(raw: str) -> tuple[str, list[dict[str, str]]]:
    """`0|H0STCNT0|002|a^b^...` → (tr_id, records as {field: value}). Raises KisFrameError."""
    parts = raw.split("|", 3)
    if len(parts) != 4:
        raise KisFrameError("not 4 |-separated parts")
    encrypted, tr_id, count_text, body = parts
    if encrypted != "0":
        raise KisFrameError(f"encrypted frame ({encrypted}) for {tr_id}: not a market-data frame")
    names = _FIELDS.get(tr_id)
    if names is None:
        raise KisFrameError(f"unexpected tr_id {tr_id!r}")
    if not count_text.isdigit() or int(count_text) < 1:
        raise KisFrameError(f"bad record count {count_text!r}")
    count = int(count_text)
    values = body.split("^")
    if len(values) % count:
        raise KisFrameError(f"{len(values)} fields do not split into {count} records")
    width = len(values) // count
    if width < len(names):  # KIS appends fields over time; older ones keep their places
        raise KisFrameError(f"records of {width} fields, {tr_id} has {len(names)}")
    return tr_id, [dict(zip(names, values[i * width : (i + 1) * width], strict=False)) for i in range(count)]


def _int(record: dict[str, str], name: str) -> int:
    try:
        return int(record[name])
    except (KeyError, ValueError) as exc:
        raise KisFrameError(f"{name}={record.get(name)!r} is not a whole number") from exc


def _time(day: str, hhmmss: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(day + hhmmss[:6], "%Y%m%d%H%M%S").replace(tzinfo=SEOUL)
    except ValueError as exc:
        raise KisFrameError(f"bad date/time {day!r} {hhmmss!r}") from exc


def _code(record: dict[str, str]) -> str:
    code = record.get("MKSC_SHRN_ISCD", "")
    if len(code) != 6 or not code.isalnum():
        raise KisFrameError(f"bad code {code!r}")
    return code


def trade_from_record(record: dict[str, str]) -> tuple[Trade, Quote]:
    code = _code(record)
    price = _int(record, "STCK_PRPR")
    change = abs(_int(record, "PRDY_VRSS"))
    if record.get("PRDY_VRSS_SIGN") in _DOWN_SIGNS:
        change = -change
    elif record.get("PRDY_VRSS_SIGN") == "3":
        change = 0
    quantity = _int(record, "CNTG_VOL")
    if price <= 0 or quantity <= 0:
        raise KisFrameError(f"price {price} / quantity {quantity} must be positive")
    ask, bid = _int(record, "ASKP1"), _int(record, "BIDP1")
    # CCLD_DVSN: 1 = buy (at the ask), 5 = sell (at the bid), 3 = auction
    division = record.get("CCLD_DVSN")
    if division == "1":
        side = Side.BUY
    elif division == "5":
        side = Side.SELL
    else:
        side = Side.BUY if ask and price >= ask else Side.SELL
    at = _time(record.get("BSOP_DATE", ""), record.get("STCK_CNTG_HOUR", ""))
    trade = Trade(code=code, price=price, quantity=quantity, side=str(side), time=at)
    quote = Quote(
        code=code,
        price=price,
        open=_int(record, "STCK_OPRC"),
        high=_int(record, "STCK_HGPR"),
        low=_int(record, "STCK_LWPR"),
        prev_close=price - change,
        volume=_int(record, "ACML_VOL"),
        value=_int(record, "ACML_TR_PBMN"),
        best_bid=bid or None,
        best_ask=ask or None,
        time=at,
        extra={"feed": "kis"},
    )
    return trade, quote


def book_from_record(record: dict[str, str], *, day: str) -> OrderBook:
    code = _code(record)
    asks = []
    bids = []
    for i in range(1, 11):
        ask, ask_size = _int(record, f"ASKP{i}"), _int(record, f"ASKP_RSQN{i}")
        bid, bid_size = _int(record, f"BIDP{i}"), _int(record, f"BIDP_RSQN{i}")
        if ask > 0:
            asks.append(BookLevel(ask, ask_size))
        if bid > 0:
            bids.append(BookLevel(bid, bid_size))
    return OrderBook(code=code, asks=tuple(asks), bids=tuple(bids), time=_time(day, record.get("BSOP_HOUR", "")))


@dataclass
class KisStats:
    connections: int = 0
    frames: int = 0
    malformed: int = 0
    pingpongs: int = 0
    rejected_registrations: int = 0


class KisFeed(Feed):
    name = "kis"

    def __init__(
        self,
        *,
        codes: list[str],
        app_key: str,
        app_secret: str,
        rest_url: str | None = None,
        ws_url: str | None = None,
        max_registrations: int | None = None,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        idle_timeout: float = 120.0,
    ) -> None:
        self.app_key = app_key
        self.app_secret = app_secret
        self.rest_url = (rest_url or settings.KIS_REST_URL).rstrip("/")
        self.ws_url = ws_url or settings.KIS_WS_URL
        self.max_registrations = max_registrations or int(getattr(settings, "KIS_MAX_REGISTRATIONS", MAX_REGISTRATIONS))
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.idle_timeout = idle_timeout
        self.registrations, self.skipped = self.plan(codes, self.max_registrations)
        if self.skipped:
            logger.warning(
                "KIS allows %d registrations per session: streaming %d codes, not %d (%s...)",
                self.max_registrations, len(self.registrations) // 2, len(self.skipped), ", ".join(self.skipped[:5]),
            )  # fmt: skip
        self.approval_key: str | None = None
        self.stats = KisStats()
        self._last_day: dict[str, str] = {}

    @staticmethod
    def plan(codes: list[str], limit: int) -> tuple[list[tuple[str, str]], list[str]]:
        """(tr_id, code) registrations: executions and book per code while both fit under `limit`."""
        registrations: list[tuple[str, str]] = []
        skipped: list[str] = []
        for code in dict.fromkeys(codes):
            if len(registrations) + 2 <= limit:
                registrations += [(TR_TRADE, code), (TR_BOOK, code)]
            else:
                skipped.append(code)
        return registrations, skipped

    def request_approval_key(self) -> str:
        """POST /oauth2/Approval (blocking)."""
        try:
            response = requests.post(
                f"{self.rest_url}/oauth2/Approval",
                json={"grant_type": "client_credentials", "appkey": self.app_key, "secretkey": self.app_secret},
                headers={"content-type": "application/json; charset=utf-8"},
                timeout=10,
            )
        except requests.RequestException as exc:
            raise KisError(f"approval request failed: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        key = body.get("approval_key") if isinstance(body, dict) else None
        if response.status_code != 200 or not key:
            detail = body.get("error_description") or body.get("msg1") if isinstance(body, dict) else None
            raise KisError(f"approval refused (HTTP {response.status_code}): {detail or response.text[:200]}")
        return str(key)

    async def run(self, sink: FeedSink, stop: asyncio.Event) -> None:
        backoff = self.backoff_initial
        while not stop.is_set():
            try:
                if self.approval_key is None:
                    self.approval_key = await asyncio.to_thread(self.request_approval_key)
                await self._session(sink, stop)
                backoff = self.backoff_initial  # a session that ended normally: reconnect at once
            except (OSError, KisError, websockets.WebSocketException, TimeoutError) as exc:
                logger.warning("KIS feed: %s; reconnecting in %.1f s", exc or type(exc).__name__, backoff)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=backoff * (0.8 + 0.4 * random.random()))
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, self.backoff_max)

    async def _session(self, sink: FeedSink, stop: asyncio.Event) -> None:
        async with websockets.connect(self.ws_url, ping_interval=None, open_timeout=10, max_size=2**20) as ws:
            self.stats.connections += 1
            for tr_id, code in self.registrations:
                await ws.send(subscribe_message(self.approval_key or "", tr_id, code))
            logger.info("KIS feed connected: %d registrations", len(self.registrations))
            stop_wait = asyncio.create_task(stop.wait())
            try:
                while not stop.is_set():
                    receive = asyncio.create_task(ws.recv())
                    done, _ = await asyncio.wait({receive, stop_wait}, timeout=self.idle_timeout,
                                                 return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                    if receive not in done:
                        receive.cancel()
                        if stop.is_set():
                            return
                        raise KisError(f"no message for {self.idle_timeout:.0f} s")
                    raw = receive.result()
                    if isinstance(raw, bytes):
                        raw = raw.decode("utf-8", "replace")
                    await self.handle(raw, ws, sink)
            finally:
                stop_wait.cancel()

    async def handle(self, raw: str, ws: Any, sink: FeedSink) -> None:
        """One text message from KIS: a data frame or a JSON control message."""
        if raw[:1] in ("0", "1"):
            self.stats.frames += 1
            try:
                tr_id, records = parse_frame(raw)
                events = [self._event(tr_id, record) for record in records]
            except KisFrameError as exc:
                self.stats.malformed += 1
                logger.warning("KIS feed: skipped a malformed frame (%s): %.120s", exc, raw)
                return
            for event in events:
                if isinstance(event, OrderBook):
                    await sink.book(event)
                else:
                    await sink.trade(*event)
            return
        try:
            message = json.loads(raw)
            header = message.get("header", {})
        except (ValueError, AttributeError):
            self.stats.malformed += 1
            logger.warning("KIS feed: skipped a message that is neither a frame nor JSON: %.120s", raw)
            return
        if header.get("tr_id") == "PINGPONG":
            self.stats.pingpongs += 1
            await ws.send(raw)
            return
        body = message.get("body") or {}
        if body.get("rt_cd") not in (None, "0"):
            self.stats.rejected_registrations += 1
            msg = body.get("msg1", "")
            logger.warning(
                "KIS refused %s %s: %s %s", header.get("tr_id"), header.get("tr_key"), body.get("msg_cd"), msg
            )
            if "approval" in msg.lower() or "appkey" in msg.lower():
                self.approval_key = None  # ask for a new key on the next connection
                raise KisError(f"approval key refused: {msg}")

    def _event(self, tr_id: str, record: dict[str, str]) -> OrderBook | tuple[Trade, Quote]:
        if tr_id == TR_TRADE:
            trade, quote = trade_from_record(record)
            self._last_day[trade.code] = record.get("BSOP_DATE", "")
            return trade, quote
        code = _code(record)
        day = self._last_day.get(code) or dt.datetime.now(tz=SEOUL).strftime("%Y%m%d")
        return book_from_record(record, day=day)
