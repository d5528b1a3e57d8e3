"""Korea Investment & Securities (KIS) Open API real-time feed.

Protocol (KIS Open API, "실시간시세" WebSocket):
1. POST {KIS_REST_URL}/oauth2/Approval {"grant_type": "client_credentials", "appkey", "secretkey"}
   → {"approval_key": ...} (the WebSocket key; valid for a day).
2. WebSocket to KIS_WS_URL; one registration per (tr_id, code):
   {"header": {"approval_key", "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
    "body": {"input": {"tr_id": "H0STCNT0" | "H0STASP0", "tr_key": "005930"}}}.
   A session takes at most 41 registrations; we register KOSPI's and KOSDAQ's index records
   (국내지수 실시간체결 H0UPCNT0, tr_key the 업종코드 0001 and 1001) first, then executions and the
   book (and, on the real server, 장운영정보 H0STMKO0, which 모의투자 does not offer) for as many codes
   as fit, the codes users follow, hold or have open orders in first (market.watched), then the most
   traded; the set of codes is re-planned every `replan_seconds` (unregistering with tr_type "2").
3. Data frames are text `<encrypted 0|1>|<tr_id>|<record count>|<fields>`, the fields of all
   records `^`-separated one after the other. Control frames are JSON: registration answers
   (body.rt_cd "0" = ok, msg1 says why not) and PINGPONG, which must be sent back as is.
A malformed frame is logged and skipped. On a dropped connection the feed reconnects with
exponential backoff (reset once a session has run for `healthy_after` seconds) and registers
everything again. The feed runs on the server's keys only (KIS_APP_KEY/KIS_APP_SECRET): a user's
saved keys are that user's, never the shared feed's.

Indices: a H0UPCNT0 record carries the index as KRX computes it (현재가 지수, 전일 대비 with its sign,
시가·고가·저가 지수, to 0.01 points; its 영업 시간 has no date: the market clock's day is taken). It goes
on as an index quote (market.indices.index_quote) through the sink's quote path into the state store,
where `GET /api/v1/market/indices` and Publisher.index_loop read it (market.selectors.market_indices).

Sessions and VI, on the krx clock (market.timetable): each record's HOUR_CLS_CODE (시간구분코드:
0 장중, A 장후예상, B 장전예상, C 9시 이후 예상가·VI 발동, D 시간외 단일가 예상) and, for trades,
NEW_MKOP_CLS_CODE (신 장운영 구분 코드: first character 1 장개시전, 2 장중, 3 장종료후,
4 시간외단일가; second 0 보통, 1 종가) give the symbol's phase and session. An H0STCNT0 record with
HOUR_CLS_CODE other than 0 is an expected uncross (예상체결), not a trade: it updates the quote's
`expected_price`/`expected_quantity`, never the tape, and the order engine does not fill against a
book in a call or a VI (orders_match_tick checks the quote's phase). VI: HOUR_CLS_CODE C or
H0STMKO0's VI_CLS_CODE; a static VI is measured from VI_STND_PRC (정적VI발동기준가), a dynamic one
from the last trade; KRX's VI call lasts 2 minutes (plus a random end, not known in advance).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import requests
import websockets
from django.conf import settings

from market import indices, rules, timetable, venue
from market.clock import market_clock
from market.enums import MarketIndex, Side
from market.exchange.shadow import ShadowMarket
from market.exchange.types import BookPhase, from_micros, to_micros
from market.feeds.base import Feed, FeedSink
from market.state import BookLevel, OrderBook, Quote, Trade
from market.timetable import SEOUL

logger = logging.getLogger(__name__)

TR_TRADE = "H0STCNT0"  # 국내주식 실시간체결가 (KRX)
TR_BOOK = "H0STASP0"  # 국내주식 실시간호가 (KRX)
TR_MARKET_STATUS = "H0STMKO0"  # 국내주식 장운영정보 (KRX): VI 발동·해제 (실전 only)
TR_INDEX = "H0UPCNT0"  # 국내지수 실시간체결 (업종지수)
# tr_key of H0UPCNT0: KIS's 업종코드 (0001 코스피 = 거래소 종합, 1001 코스닥 종합; open-trading-api's
# examples_llm/domestic_stock/*: "0001:거래소, 1001:코스닥") → our index codes. The registration is the
# same message as for a stock (examples_llm/kis_auth.py, data_fetch: body.input {tr_id, tr_key}).
INDEX_CODES = {"0001": MarketIndex.KOSPI.value, "1001": MarketIndex.KOSDAQ.value}
MAX_REGISTRATIONS = 41
VI_CALL = dt.timedelta(minutes=2)  # 변동성완화장치: a 2-minute single-price call
STATIC_VI_PERCENT = 10  # a static VI is a move of ±10% from its base price

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
# Field order of a H0STMKO0 record (KIS open-trading-api, 국내주식 장운영정보); newer servers append
# EXCH_CLS_CODE. VI_CLS_CODE: Y (or 1 static, 2 dynamic, 3 both) while a VI applies, N otherwise.
MARKET_STATUS_FIELDS = (
    "MKSC_SHRN_ISCD", "TRHT_YN", "TR_SUSP_REAS_CNTT", "MKOP_CLS_CODE", "ANTC_MKOP_CLS_CODE",
    "MRKT_TRTM_CLS_CODE", "DIVI_APP_CLS_CODE", "ISCD_STAT_CLS_CODE", "VI_CLS_CODE", "OVTM_VI_CLS_CODE",
)  # fmt: skip
# Field order of a H0UPCNT0 record (국내지수 실시간체결 [실시간-026]), as KIS's open-trading-api lists
# it in examples_llm/domestic_stock/index_ccnl/index_ccnl.py (the columns; chk_index_ccnl.py names
# them: 업종 구분 코드, 영업 시간, 현재가 지수, 전일 대비 부호, 업종 지수 전일 대비, ...) and
# legacy/websocket/python/ws_domestic_overseas_all.py (indexpurchase_domestic).
INDEX_FIELDS = (
    "BSTP_CLS_CODE", "BSOP_HOUR", "PRPR_NMIX", "PRDY_VRSS_SIGN", "BSTP_NMIX_PRDY_VRSS", "ACML_VOL",
    "ACML_TR_PBMN", "PCAS_VOL", "PCAS_TR_PBMN", "PRDY_CTRT", "OPRC_NMIX", "NMIX_HGPR", "NMIX_LWPR",
    "OPRC_VRSS_NMIX_PRPR", "OPRC_VRSS_NMIX_SIGN", "HGPR_VRSS_NMIX_PRPR", "HGPR_VRSS_NMIX_SIGN",
    "LWPR_VRSS_NMIX_PRPR", "LWPR_VRSS_NMIX_SIGN", "PRDY_CLPR_VRSS_OPRC_RATE", "PRDY_CLPR_VRSS_HGPR_RATE",
    "PRDY_CLPR_VRSS_LWPR_RATE", "UPLM_ISSU_CNT", "ASCN_ISSU_CNT", "STNR_ISSU_CNT", "DOWN_ISSU_CNT",
    "LSLM_ISSU_CNT", "QTQT_ASCN_ISSU_CNT", "QTQT_DOWN_ISSU_CNT", "TICK_VRSS",
)  # fmt: skip
_FIELDS = {
    TR_TRADE: TRADE_FIELDS, TR_BOOK: BOOK_FIELDS, TR_MARKET_STATUS: MARKET_STATUS_FIELDS, TR_INDEX: INDEX_FIELDS,
}  # fmt: skip
_DOWN_SIGNS = {"4", "5"}  # PRDY_VRSS_SIGN: 1 상한 2 상승 3 보합 4 하한 5 하락
N = TypeVar("N", int, Decimal)  # won or index points


class KisError(Exception):
    pass


class KisFrameError(ValueError):
    """A data frame that does not follow the protocol."""


NO_SERVER_KEYS = "No KIS app key: the shared feed runs on the server's KIS_APP_KEY/KIS_APP_SECRET only."


def kis_keys() -> tuple[str, str]:
    """The server's keys. A user's saved keys are that user's own, never the shared feed's."""
    if settings.KIS_APP_KEY and settings.KIS_APP_SECRET:
        return settings.KIS_APP_KEY, settings.KIS_APP_SECRET
    raise KisError(NO_SERVER_KEYS)


def codes_to_stream(limit: int) -> list[str]:
    """Up to `limit` codes: those users follow, hold or have open orders in, then the most traded
    active symbols (sync: ORM)."""
    from market.models import Symbol
    from market.watched import codes_of_interest

    active = list(
        Symbol.objects.filter(is_active=True).order_by("-typical_daily_value", "code").values_list("code", flat=True)
    )
    known = set(active)
    wanted = [code for code in codes_of_interest() if code in known]
    return list(dict.fromkeys([*wanted, *active]))[:limit]


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


@dataclass(frozen=True, slots=True)
class BoardState:
    """Where a record says its symbol's regular board stands (market.timetable's phases)."""

    phase: str
    session: str | None
    expected: bool  # an expected uncross during a call (예상체결), not a trade
    vi: bool  # HOUR_CLS_CODE C: the symbol is in a VI call


def board_state(record: dict[str, str], at: dt.datetime) -> BoardState:
    """Map HOUR_CLS_CODE (and a trade's NEW_MKOP_CLS_CODE) onto the timetable's phases; a record
    that says neither falls back to the timetable at its own time."""
    hour = record.get("HOUR_CLS_CODE", "") or "0"
    clock = timetable.status_at(at)
    if hour == "B":  # 장전예상: the opening call (장전 시간외 종가 may run beside it)
        return BoardState(timetable.PRE_OPEN, "close_price" if clock.session == "close_price" else None, True, False)
    if hour == "A":  # 장후예상: the closing call
        return BoardState(timetable.CLOSING_AUCTION, None, True, False)
    if hour == "C":  # 9시 이후의 예상가: a VI call
        return BoardState(timetable.CONTINUOUS, None, True, True)
    if hour == "D":  # 시간외 단일가 예상
        return BoardState(timetable.AFTER_HOURS, "single_price", True, False)
    operation = record.get("NEW_MKOP_CLS_CODE", "")
    close_price = operation[1:2] == "1"  # second character 1: 종가 (close-price trading)
    if operation[:1] == "1":
        return BoardState(timetable.PRE_OPEN, "close_price" if close_price else clock.session, False, False)
    if operation[:1] == "2":
        return BoardState(timetable.CONTINUOUS, None, False, False)
    if operation[:1] == "3":
        return BoardState(timetable.AFTER_HOURS, "close_price" if close_price else clock.session, False, False)
    if operation[:1] == "4":
        return BoardState(timetable.AFTER_HOURS, "single_price", False, False)
    return BoardState(clock.phase, clock.session, False, False)


def _limits(prev_close: int) -> tuple[int | None, int | None]:
    if prev_close <= 0:
        return None, None
    return rules.price_limit_band(prev_close)


def _signed(record: dict[str, str], change: N) -> N:
    """A change from the previous close with the sign PRDY_VRSS_SIGN gives it (3 보합: none)."""
    if record.get("PRDY_VRSS_SIGN") in _DOWN_SIGNS:
        return -abs(change)
    if record.get("PRDY_VRSS_SIGN") == "3":
        return change * 0
    return abs(change)


def _change(record: dict[str, str]) -> int:
    return _signed(record, _int(record, "PRDY_VRSS"))


def trade_from_record(record: dict[str, str]) -> tuple[Trade, Quote]:
    """A H0STCNT0 record of an execution (HOUR_CLS_CODE 0)."""
    code = _code(record)
    price = _int(record, "STCK_PRPR")
    change = _change(record)
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
    state = board_state(record, at)
    trade = Trade(code=code, price=price, quantity=quantity, side=str(side), time=at)
    lower, upper = _limits(price - change)
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
        phase=state.phase,
        session=state.session,
        upper_limit=upper,
        lower_limit=lower,
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


def vi_in_force(record: dict[str, str]) -> bool | None:
    """H0STMKO0's VI_CLS_CODE: True while a VI applies, False once released, None if it says neither."""
    code = record.get("VI_CLS_CODE", "").strip().upper()
    if code in ("Y", "1", "2", "3"):
        return True
    if code == "N":
        return False
    return None


def _index_points(record: dict[str, str], name: str) -> Decimal:
    """An index level or change as sent (e.g. "2612.35", "-3.25"), to 0.01 points."""
    text = record.get(name, "").strip()
    try:
        points = Decimal(text)
    except InvalidOperation as exc:
        raise KisFrameError(f"{name}={text!r} is not a number") from exc
    if not points.is_finite():
        raise KisFrameError(f"{name}={text!r} is not a number")
    return points.quantize(indices.POINT)


def index_from_record(record: dict[str, str], *, day: str) -> Quote:
    """A H0UPCNT0 record of KOSPI or KOSDAQ as the index quote market.indices reads (`day`: YYYYMMDD,
    which the record does not carry)."""
    sector = record.get("BSTP_CLS_CODE", "")
    index = INDEX_CODES.get(sector)
    if index is None:
        raise KisFrameError(f"BSTP_CLS_CODE {sector!r} is neither KOSPI (0001) nor KOSDAQ (1001)")
    value = _index_points(record, "PRPR_NMIX")
    change = _signed(record, _index_points(record, "BSTP_NMIX_PRDY_VRSS"))
    prev_close = value - change
    if value <= 0 or prev_close <= 0:
        raise KisFrameError(f"index {value} (change {change}) must be positive, as its previous close")
    opened = [_index_points(record, name) for name in ("OPRC_NMIX", "NMIX_HGPR", "NMIX_LWPR")]
    open_, high, low = (points if points > 0 else None for points in opened)  # 0 before the open
    return indices.index_quote(
        index=index, value=value, prev_close=prev_close, open_=open_, high=high, low=low,
        time=_time(day, record.get("BSOP_HOUR", "")), extra={"feed": "kis"},
    )  # fmt: skip


@dataclass
class KisStats:
    connections: int = 0
    frames: int = 0
    malformed: int = 0
    pingpongs: int = 0
    rejected_registrations: int = 0
    expected_updates: int = 0
    index_updates: int = 0


Event = tuple[str, Any, Any]  # ("trade", Trade, Quote) | ("book", OrderBook, Quote | None) | ("quote", Quote, None)


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
        healthy_after: float = 30.0,
        market_status: bool | None = None,
        prev_closes: dict[str, int] | None = None,
        codes_source: Callable[[int], list[str]] | None = None,
        replan_seconds: float = 30.0,
        status_seconds: float = 1.0,
        stream_indices: bool = True,
    ) -> None:
        """`codes` in priority order; `codes_source(limit)`, if given, is asked again every
        `replan_seconds` (sync, ORM allowed). `market_status`: also register H0STMKO0 (default: on
        the real server only). `stream_indices`: register KOSPI's and KOSDAQ's H0UPCNT0 first; they
        take two of the session's registrations."""
        self.app_key = app_key
        self.app_secret = app_secret
        self.rest_url = (rest_url or settings.KIS_REST_URL).rstrip("/")
        self.ws_url = ws_url or settings.KIS_WS_URL
        self.max_registrations = max_registrations or int(getattr(settings, "KIS_MAX_REGISTRATIONS", MAX_REGISTRATIONS))
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.idle_timeout = idle_timeout
        self.healthy_after = healthy_after
        self.tr_ids = (TR_TRADE, TR_BOOK) + (
            (TR_MARKET_STATUS,) if (settings.KIS_ENV == "real" if market_status is None else market_status) else ()
        )
        self.codes_source = codes_source
        self.replan_seconds = replan_seconds
        self.status_seconds = status_seconds
        # registered once per session, never re-planned
        self.index_registrations = [(TR_INDEX, sector) for sector in INDEX_CODES] if stream_indices else []
        self.registrations, self.skipped = self.plan(codes, self.code_registrations, self.tr_ids)
        if self.skipped:
            logger.warning(
                "KIS allows %d registrations per session: streaming %d codes, not %d (%s...)",
                self.max_registrations, self.capacity, len(self.skipped), ", ".join(self.skipped[:5]),
            )  # fmt: skip
        self.approval_key: str | None = None
        self.stats = KisStats()
        self._last_day: dict[str, str] = {}
        self._prev_closes = dict(prev_closes or {})
        self._quotes: dict[str, Quote] = {}  # the last quote published per code
        self._vi: dict[str, dict[str, Any]] = {}  # the VI in force per code
        # Users' orders against the real market (market.exchange.shadow); the venue once running.
        self.shadow = ShadowMarket(self._phase)
        self.venue: venue.LocalVenue | None = None
        self.sink: FeedSink | None = None

    @property
    def code_registrations(self) -> int:
        """The registrations left for codes once the indices' are made."""
        return max(self.max_registrations - len(self.index_registrations), 0)

    @property
    def capacity(self) -> int:
        """How many codes fit in one session."""
        return self.code_registrations // len(self.tr_ids)

    @staticmethod
    def plan(
        codes: list[str], limit: int, tr_ids: tuple[str, ...] = (TR_TRADE, TR_BOOK)
    ) -> tuple[list[tuple[str, str]], list[str]]:
        """(tr_id, code) registrations: every TR of a code while they all fit under `limit`."""
        registrations: list[tuple[str, str]] = []
        skipped: list[str] = []
        for code in dict.fromkeys(codes):
            if len(registrations) + len(tr_ids) <= limit:
                registrations += [(tr_id, code) for tr_id in tr_ids]
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
        self.sink = sink
        loop = asyncio.get_running_loop()
        self.venue = venue.LocalVenue(self.shadow, loop=loop, clock=market_clock(), execute=self.execute)
        commands = await loop.run_in_executor(None, venue.resting_orders)  # users' open orders first
        if commands:
            await self.execute(commands)
        previous = venue.local()
        venue.serve(self.venue)
        status = asyncio.create_task(self._status_loop(sink, stop))
        try:
            await self._connect_loop(sink, stop)
        finally:
            if venue.local() is self.venue:
                venue.serve(previous)
            status.cancel()
            await asyncio.gather(status, return_exceptions=True)

    async def execute(self, commands: list[venue.Command]) -> list[venue.Reply | BaseException]:
        """Users' commands, on the feed's loop (the shadow books' one writer): run them, book them."""
        replies, events = self.venue.run_here(*await self.sink.admit(commands))
        await self.sink.order_events(events)
        return replies

    def _phase(self, code: str, at: int) -> BookPhase:
        """The regular board's phase for `code` at `at` (µs): the timetable's, a VI a call."""
        phase = timetable.phase_at(from_micros(at))
        if phase == timetable.CONTINUOUS:
            return BookPhase.CALL if code in self._vi else BookPhase.CONTINUOUS
        if phase in (timetable.PRE_OPEN, timetable.CLOSING_AUCTION):
            return BookPhase.CALL
        return BookPhase.CLOSED

    def _shadow(self, kind: str, first: Any) -> None:
        """Show the shadow books what the real market did."""
        at = to_micros(first.time)
        if kind == "trade":
            self.shadow.on_trade(first.code, at, first.price, first.quantity)
        elif kind == "book":
            asks = [(level.price, level.quantity) for level in first.asks]
            bids = [(level.price, level.quantity) for level in first.bids]
            self.shadow.on_book(first.code, at, asks, bids)

    async def _status_loop(self, sink: FeedSink, stop: asyncio.Event) -> None:
        """Push the market's status (the krx clock on the timetable) on every change."""
        last: tuple[Any, ...] | None = None
        while not stop.is_set():
            status = market_clock().status()
            key = (status.trading_day, status.phase, status.session)
            if key != last:
                last = key
                await sink.status(status)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.status_seconds)
            except TimeoutError:
                pass

    async def _connect_loop(self, sink: FeedSink, stop: asyncio.Event) -> None:
        backoff = self.backoff_initial
        while not stop.is_set():
            started = time.monotonic()
            try:
                if self.approval_key is None:
                    self.approval_key = await asyncio.to_thread(self.request_approval_key)
                if self.codes_source is not None:
                    await self._list_codes()
                await self._session(sink, stop)
                backoff = self.backoff_initial  # a session that ended normally: reconnect at once
            except (OSError, KisError, websockets.WebSocketException, TimeoutError) as exc:
                if time.monotonic() - started >= self.healthy_after:
                    backoff = self.backoff_initial  # it was a healthy session: start the back-off over
                logger.warning("KIS feed: %s; reconnecting in %.1f s", exc or type(exc).__name__, backoff)
                try:
                    await asyncio.wait_for(stop.wait(), timeout=backoff * (0.8 + 0.4 * random.random()))
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, self.backoff_max)

    async def _session(self, sink: FeedSink, stop: asyncio.Event) -> None:
        async with websockets.connect(self.ws_url, ping_interval=None, open_timeout=10, max_size=2**20) as ws:
            self.stats.connections += 1
            for tr_id, code in [*self.index_registrations, *self.registrations]:
                await ws.send(subscribe_message(self.approval_key or "", tr_id, code))
            logger.info("KIS feed connected: %d registrations", len(self.index_registrations) + len(self.registrations))
            stop_wait = asyncio.create_task(stop.wait())
            replan = asyncio.create_task(self._replan_loop(ws, stop)) if self.codes_source else None
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
                if replan is not None:
                    replan.cancel()
                    await asyncio.gather(replan, return_exceptions=True)

    async def _replan_loop(self, ws: Any, stop: asyncio.Event) -> None:
        """Follow the codes of interest: register new ones, unregister those no longer wanted."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.replan_seconds)
            except TimeoutError:
                pass
            if stop.is_set():
                return
            codes = await self._codes_of_interest()
            if codes is not None:
                await self.replan(ws, codes)

    async def _codes_of_interest(self) -> list[str] | None:
        assert self.codes_source is not None
        try:
            return await asyncio.to_thread(self._call_codes_source)
        except Exception:  # noqa: BLE001 - keep streaming what we have
            logger.exception("KIS feed: could not list the codes to stream")
            return None

    def _call_codes_source(self) -> list[str]:
        from django.db import close_old_connections

        assert self.codes_source is not None
        close_old_connections()  # a worker thread of the loop: no connection kept past its age
        try:
            return self.codes_source(self.capacity)
        finally:
            close_old_connections()

    async def _list_codes(self) -> None:
        """Before connecting: register the codes of interest now."""
        codes = await self._codes_of_interest()
        if codes is not None:
            self.registrations, self.skipped = self.plan(codes, self.code_registrations, self.tr_ids)

    async def replan(self, ws: Any, codes: list[str]) -> None:
        """Register what `codes` adds, unregister (tr_type 2) what it no longer has."""
        wanted, self.skipped = self.plan(codes, self.code_registrations, self.tr_ids)
        gone = [r for r in self.registrations if r not in wanted]
        new = [r for r in wanted if r not in self.registrations]
        for tr_id, code in gone:
            await ws.send(subscribe_message(self.approval_key or "", tr_id, code, subscribe=False))
        for tr_id, code in new:
            await ws.send(subscribe_message(self.approval_key or "", tr_id, code))
        self.registrations = wanted
        if gone or new:
            logger.info("KIS feed: now streaming %d codes (%d registered, %d dropped)",
                        len(wanted) // len(self.tr_ids), len(new), len(gone))  # fmt: skip

    async def handle(self, raw: str, ws: Any, sink: FeedSink) -> None:
        """One text message from KIS: a data frame or a JSON control message."""
        if raw[:1] in ("0", "1"):
            self.stats.frames += 1
            try:
                tr_id, records = parse_frame(raw)
                events = [event for record in records for event in self._events(tr_id, record)]
            except KisFrameError as exc:
                self.stats.malformed += 1
                logger.warning("KIS feed: skipped a malformed frame (%s): %.120s", exc, raw)
                return
            for kind, first, second in events:
                if kind == "trade":
                    await sink.trade(first, second)
                elif kind == "quote":
                    await sink.quote(first)
                else:
                    await sink.book(first)
                if self.venue is not None and kind != "quote":
                    self._shadow(kind, first)
            if self.venue is not None and (events := venue.as_json(self.shadow.take_user_events(), self.venue.epoch)):
                await sink.order_events(events)
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

    # --- records → events ---------------------------------------------------------------------------
    def _events(self, tr_id: str, record: dict[str, str]) -> list[Event]:
        if tr_id == TR_TRADE:
            return self._trade_record(record)
        if tr_id == TR_BOOK:
            return self._book_record(record)
        if tr_id == TR_INDEX:
            return self._index_record(record)
        return self._market_status_record(record)

    def _index_record(self, record: dict[str, str]) -> list[Event]:
        quote = index_from_record(record, day=market_clock().today().strftime("%Y%m%d"))
        self.stats.index_updates += 1
        return [("quote", quote, None)]

    def _base_quote(self, code: str, at: dt.datetime, prev_close: int | None = None) -> Quote | None:
        """The last quote of a code, or one at the previous close before its first trade."""
        last = self._quotes.get(code)
        if last is not None:
            return last
        prev_close = prev_close or self._prev_closes.get(code)
        if not prev_close:
            return None
        lower, upper = _limits(prev_close)
        return Quote(
            code=code, price=prev_close, open=0, high=0, low=0, prev_close=prev_close, volume=0, value=0,
            best_bid=None, best_ask=None, time=at, extra={"feed": "kis"}, upper_limit=upper, lower_limit=lower,
        )  # fmt: skip

    def _remember(self, quote: Quote) -> Quote:
        self._quotes[quote.code] = quote
        self._prev_closes[quote.code] = quote.prev_close
        return quote

    def _trade_record(self, record: dict[str, str]) -> list[Event]:
        code = _code(record)
        self._last_day[code] = record.get("BSOP_DATE", "")
        at = _time(record.get("BSOP_DATE", ""), record.get("STCK_CNTG_HOUR", ""))
        state = board_state(record, at)
        if not state.expected:
            trade, quote = trade_from_record(record)
            self._vi.pop(code, None)  # trading again: any VI is over
            return [("trade", trade, self._remember(quote))]
        # an expected uncross: STCK_PRPR is the expected price, CNTG_VOL its quantity
        self.stats.expected_updates += 1
        expected = _int(record, "STCK_PRPR")
        base = self._base_quote(code, at, prev_close=expected - _change(record) if expected > 0 else None)
        if base is None or expected <= 0:
            return []
        vi = self._vi_from(code, record, trigger=expected, at=at) if state.vi else None
        quote = replace(
            base, phase=state.phase, session=state.session, expected_price=expected,
            expected_quantity=_int(record, "CNTG_VOL"), vi=vi, time=at,
        )  # fmt: skip
        return [("quote", self._remember(quote), None)]

    def _book_record(self, record: dict[str, str]) -> list[Event]:
        code = _code(record)
        day = self._last_day.get(code) or market_clock().now().strftime("%Y%m%d")
        book = book_from_record(record, day=day)
        state = board_state(record, book.time)
        base = self._base_quote(code, book.time)
        if base is None:
            return [("book", book, None)]
        if state.expected:
            expected = _int(record, "ANTC_CNPR") or None
            vi = self._vi_from(code, record, trigger=expected or base.price, at=book.time) if state.vi else None
            quote = replace(
                base, phase=state.phase, session=state.session, expected_price=expected,
                expected_quantity=_int(record, "ANTC_CNQN") if expected else None, vi=vi or self._vi.get(code),
            )  # fmt: skip
        else:
            quote = replace(base, phase=state.phase, session=state.session, expected_price=None,
                            expected_quantity=None, vi=self._vi.get(code))  # fmt: skip
        if quote == base:
            return [("book", book, quote)]
        # the quote goes first, so that the order engine sees the phase of the book it is given
        return [("quote", self._remember(quote), None), ("book", book, quote)]

    def _market_status_record(self, record: dict[str, str]) -> list[Event]:
        code = _code(record)
        applies = vi_in_force(record)
        now = market_clock().now()
        base = self._base_quote(code, now)
        if applies is None or base is None:
            return []
        if applies:
            kind = {"1": "static", "2": "dynamic"}.get(record.get("VI_CLS_CODE", "").strip())
            vi = self._vi_from(code, record, trigger=base.expected_price or base.price, at=now, kind=kind)
        else:
            self._vi.pop(code, None)
            vi = None
        quote = replace(base, vi=vi)
        return [] if quote == base else [("quote", self._remember(quote), None)]

    def _vi_from(
        self, code: str, record: dict[str, str], *, trigger: int, at: dt.datetime, kind: str | None = None
    ) -> dict[str, Any]:
        """The VI in force for a code: the one already running, or one starting now."""
        running = self._vi.get(code)
        if running is not None:
            return running
        last = self._quotes.get(code)
        last_price = last.price if last is not None else trigger
        try:
            static_base = int(record.get("VI_STND_PRC") or 0)
        except ValueError:
            static_base = 0
        if kind is None:  # a move of 10% from the static base is a static VI; anything less is dynamic
            kind = (
                "static"
                if static_base and abs(trigger - static_base) * 100 >= STATIC_VI_PERCENT * static_base
                else "dynamic"
            )
        reference = static_base if kind == "static" and static_base else last_price
        vi = {
            "kind": kind,
            "reference_price": reference,
            "trigger_price": trigger,
            "ends_at": (at + VI_CALL).isoformat(),
        }
        self._vi[code] = vi
        return vi
