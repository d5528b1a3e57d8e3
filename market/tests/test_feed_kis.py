"""The KIS adapter against a local KIS server speaking the real protocol."""

import asyncio
import datetime as dt
import gc
import json
import logging
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async

from market import signals, watched
from market.feeds import kis
from market.feeds.publisher import Publisher
from market.state import store
from market.tests.fake_kis import (
    APP_KEY,
    APP_SECRET,
    APPROVAL_KEY,
    KOSDAQ_SECTOR,
    KOSPI_SECTOR,
    FakeKis,
    asp_record,
    cnt_record,
    frame,
    mko_record,
    pingpong,
    upcnt_record,
)  # fmt: skip
from market.timetable import SEOUL

SAMSUNG_1 = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="093015", STCK_PRPR=71_200, PRDY_VRSS_SIGN="2", PRDY_VRSS=200,
    PRDY_CTRT="0.28", STCK_OPRC=71_000, STCK_HGPR=71_300, STCK_LWPR=70_900, ASKP1=71_200, BIDP1=71_100,
    CNTG_VOL=15, ACML_VOL=1_000_015, ACML_TR_PBMN=71_100_000_000, CCLD_DVSN="1", BSOP_DATE="20240612",
)  # fmt: skip
SAMSUNG_2 = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="093016", STCK_PRPR=70_800, PRDY_VRSS_SIGN="5", PRDY_VRSS=-200,
    PRDY_CTRT="-0.28", STCK_OPRC=71_000, STCK_HGPR=71_300, STCK_LWPR=70_800, ASKP1=70_900, BIDP1=70_800,
    CNTG_VOL=7, ACML_VOL=1_000_022, ACML_TR_PBMN=71_100_495_600, CCLD_DVSN="5", BSOP_DATE="20240612",
)  # fmt: skip
HYNIX_BOOK = asp_record(
    MKSC_SHRN_ISCD="000660", BSOP_HOUR="093016",
    **{f"ASKP{i}": 190_000 + 100 * i for i in range(1, 11)},
    **{f"BIDP{i}": 190_100 - 100 * i for i in range(1, 11)},
    **{f"ASKP_RSQN{i}": 10 * i for i in range(1, 11)},
    **{f"BIDP_RSQN{i}": 20 * i for i in range(1, 11)},
)  # fmt: skip
# Every session registers KOSPI's and KOSDAQ's index records first.
INDEX_REGISTRATIONS = [("H0UPCNT0", KOSPI_SECTOR), ("H0UPCNT0", KOSDAQ_SECTOR)]


async def _until(predicate, timeout=3.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


@pytest.fixture
def printed():
    trades = []

    def on_trade(sender, trade, quote, **kwargs):
        trades.append((trade, quote))

    signals.trade_printed.connect(on_trade, weak=False)
    yield trades
    signals.trade_printed.disconnect(on_trade)


def test_registrations_stay_under_the_session_limit():
    codes = [f"{i:06d}" for i in range(30)]
    registrations, skipped = kis.KisFeed.plan(codes, 41)
    assert len(registrations) == 40 and len(skipped) == 10
    assert registrations[:2] == [("H0STCNT0", "000000"), ("H0STASP0", "000000")]


@pytest.mark.parametrize(
    "raw",
    [
        "0|H0STCNT0|002|005930^093015",  # 2 fields cannot be 2 records of 46
        "0|H0STCNT0|001|" + SAMSUNG_1.replace("71200", "7l200", 1),  # a price that is not a number
        "0|H0STCNT0|abc|" + SAMSUNG_1,
        "0|H0STCNT0|000|",
        "1|H0STCNT0|001|U2FsdGVkX1+encrypted",
        "0|H0STXXX0|001|" + SAMSUNG_1,
        "0|H0STCNT0",
        "0|H0STCNT0|001|" + SAMSUNG_1.replace("005930", "05930", 1),
    ],
)
async def test_malformed_frames_are_skipped(raw, caplog):
    feed = kis.KisFeed(codes=["005930"], app_key="k", app_secret="s", rest_url="http://x", ws_url="ws://x")
    publisher = Publisher(send_signals=False)
    try:
        with caplog.at_level(logging.WARNING, logger="market.feeds.kis"):
            await feed.handle(raw, None, publisher)
    finally:
        publisher.close()
    assert feed.stats.malformed == 1 and publisher.trades == 0 and publisher.books == 0
    assert "malformed frame" in caplog.text


async def test_feed_speaks_the_kis_protocol_end_to_end(printed):
    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=["005930", "000660"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, backoff_initial=0.05,
        )  # fmt: skip
        publisher = Publisher(names={"005930": "삼성전자"}, send_signals=True)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        try:
            await _until(lambda: len(server.connections) == 1 and len(server.connections[0]) == 6)
            assert server.approvals == [
                {"grant_type": "client_credentials", "appkey": APP_KEY, "secretkey": APP_SECRET}
            ]
            assert server.connections[0][2] == {
                "header": {"approval_key": APPROVAL_KEY, "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
                "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}},
            }
            assert [(m["body"]["input"]["tr_id"], m["body"]["input"]["tr_key"]) for m in server.connections[0]] == [
                *INDEX_REGISTRATIONS,
                ("H0STCNT0", "005930"), ("H0STASP0", "005930"), ("H0STCNT0", "000660"), ("H0STASP0", "000660"),
            ]  # fmt: skip

            await server.send(frame("H0STCNT0", [SAMSUNG_1, SAMSUNG_2]))  # two records in one frame
            await server.send("0|H0STCNT0|002|005930^garbage")  # skipped, the feed goes on
            await server.send(frame("H0STASP0", [HYNIX_BOOK]))
            ping = pingpong()
            await server.send(ping)
            await _until(lambda: ping in server.received)  # echoed back as is
            await _until(lambda: publisher.books == 1)

            assert [(t.price, t.quantity, t.side) for t, _ in printed] == [(71_200, 15, "buy"), (70_800, 7, "sell")]
            assert printed[0][0].time.isoformat() == "2024-06-12T09:30:15+09:00"
            quote = await sync_to_async(store().quote)("005930")
            assert (quote.price, quote.open, quote.high, quote.low, quote.prev_close) == (
                70_800, 71_000, 71_300, 70_800, 71_000,
            )  # fmt: skip
            assert (quote.volume, quote.value, quote.best_bid, quote.best_ask) == (
                1_000_022,
                71_100_495_600,
                70_800,
                70_900,
            )
            book = await sync_to_async(store().book)("000660")
            assert [(lvl.price, lvl.quantity) for lvl in book.asks[:2]] == [(190_100, 10), (190_200, 20)]
            assert [(lvl.price, lvl.quantity) for lvl in book.bids[:2]] == [(190_000, 20), (189_900, 40)]
            assert len(book.asks) == len(book.bids) == 10
            assert feed.stats.malformed == 1 and feed.stats.pingpongs == 1

            await server.drop()  # the connection goes away: reconnect and register again
            await _until(lambda: len(server.connections) == 2 and len(server.connections[1]) == 6)
            await server.send(frame("H0STCNT0", [SAMSUNG_1]))
            await _until(lambda: len(printed) == 3)
            assert len(server.approvals) == 1  # the approval key is reused
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()


async def test_refused_keys_are_retried_with_backoff_without_crashing(caplog):
    async with FakeKis() as server:
        server.refuse_keys = True
        feed = kis.KisFeed(
            codes=["005930"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, backoff_initial=0.05, backoff_max=0.2,
        )  # fmt: skip
        publisher = Publisher(send_signals=False)
        stop = asyncio.Event()
        with caplog.at_level(logging.DEBUG):  # every logger, every level: the keys must appear in none
            task = asyncio.create_task(feed.run(publisher, stop))
            try:
                await _until(lambda: len(server.approvals) >= 3)
                assert not task.done() and not server.connections
                server.refuse_keys = False
                await _until(lambda: len(server.connections) == 1 and len(server.connections[0]) == 4)
            finally:
                stop.set()
                await asyncio.wait_for(task, 3)
                publisher.close()
        assert "approval refused (HTTP 403)" in caplog.text
        assert APP_KEY not in caplog.text and APP_SECRET not in caplog.text, "a KIS key reached the logs"


async def test_rejected_registration_is_logged_and_the_rest_keeps_streaming(caplog, printed):
    async with FakeKis(max_registrations=5) as server:
        # a limit lower than ours: the 6th registration (000660's book) is refused with MAX SUBSCRIBE OVER
        feed = kis.KisFeed(
            codes=["005930", "000660"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url,
        )  # fmt: skip
        publisher = Publisher(send_signals=True)
        stop = asyncio.Event()
        with caplog.at_level(logging.WARNING, logger="market.feeds.kis"):
            task = asyncio.create_task(feed.run(publisher, stop))
            try:
                await _until(lambda: feed.stats.rejected_registrations == 1)
                await server.send(frame("H0STCNT0", [SAMSUNG_1]))
                await _until(lambda: len(printed) == 1)
            finally:
                stop.set()
                await asyncio.wait_for(task, 3)
                publisher.close()
        assert "MAX SUBSCRIBE OVER" in caplog.text
        assert json.loads(server.received[0])["header"]["approval_key"] == APPROVAL_KEY


@pytest.mark.django_db
def test_the_shared_feed_runs_on_the_servers_keys_only(settings, user):
    from accounts.services import settings_update

    settings.KIS_APP_KEY, settings.KIS_APP_SECRET = "server-key", "server-secret"
    assert kis.kis_keys() == ("server-key", "server-secret")
    settings.KIS_APP_KEY = settings.KIS_APP_SECRET = ""
    settings_update(user=user, kis_app_key=APP_KEY, kis_app_secret=APP_SECRET, preferred_feed="kis")
    with pytest.raises(kis.KisError) as refused:
        kis.kis_keys()  # a user's saved keys are theirs, not the shared feed's
    assert str(refused.value) == kis.NO_SERVER_KEYS


async def test_a_refused_approval_key_is_replaced(printed):
    async with FakeKis() as server:
        server.stale_keys = ["expired-approval-key"]
        feed = kis.KisFeed(
            codes=["005930"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, backoff_initial=0.05,
        )  # fmt: skip
        publisher = Publisher(send_signals=True)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        try:
            await _until(lambda: len(server.connections) == 2 and len(server.connections[1]) == 4)
            assert server.connections[0][0]["header"]["approval_key"] == "expired-approval-key"
            assert server.connections[1][0]["header"]["approval_key"] == APPROVAL_KEY
            assert len(server.approvals) == 2
            await server.send(frame("H0STCNT0", [SAMSUNG_1]))
            await _until(lambda: len(printed) == 1)
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()


# --- sessions, VI and the codes streamed ---------------------------------------------------------------
PRE_OPEN_EXPECTED = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="085512", STCK_PRPR=71_300, PRDY_VRSS_SIGN="2", PRDY_VRSS=300,
    CNTG_VOL=120_000, BSOP_DATE="20240612", HOUR_CLS_CODE="B", NEW_MKOP_CLS_CODE="10",
)  # fmt: skip
PRE_OPEN_BOOK = asp_record(
    MKSC_SHRN_ISCD="005930", BSOP_HOUR="085512", HOUR_CLS_CODE="B", ANTC_CNPR=71_300, ANTC_CNQN=120_000,
    **{f"ASKP{i}": 71_200 + 100 * i for i in range(1, 11)},  # asks from 71,300 …
    **{f"BIDP{i}": 71_400 - 100 * i for i in range(1, 11)},  # … and bids from 71,300: a call book crosses
    **{f"ASKP_RSQN{i}": 1_000 for i in range(1, 11)},
    **{f"BIDP_RSQN{i}": 1_000 for i in range(1, 11)},
)  # fmt: skip
OPENING_TRADE = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="090000", STCK_PRPR=71_300, PRDY_VRSS_SIGN="2", PRDY_VRSS=300,
    STCK_OPRC=71_300, STCK_HGPR=71_300, STCK_LWPR=71_300, ASKP1=71_400, BIDP1=71_300, CNTG_VOL=120_000,
    ACML_VOL=120_000, ACML_TR_PBMN=8_556_000_000, CCLD_DVSN="1", BSOP_DATE="20240612", NEW_MKOP_CLS_CODE="20",
)  # fmt: skip
VI_EXPECTED = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="101500", STCK_PRPR=78_500, PRDY_VRSS_SIGN="2", PRDY_VRSS=7_500,
    CNTG_VOL=3_000, BSOP_DATE="20240612", HOUR_CLS_CODE="C", NEW_MKOP_CLS_CODE="20", VI_STND_PRC=71_300,
)  # fmt: skip
AFTER_HOURS_TRADE = cnt_record(
    MKSC_SHRN_ISCD="005930", STCK_CNTG_HOUR="161000", STCK_PRPR=71_500, PRDY_VRSS_SIGN="2", PRDY_VRSS=500,
    STCK_OPRC=71_300, STCK_HGPR=78_500, STCK_LWPR=71_000, CNTG_VOL=50, ACML_VOL=9_000_000,
    ACML_TR_PBMN=650_000_000_000, CCLD_DVSN="1", BSOP_DATE="20240612", NEW_MKOP_CLS_CODE="40",
)  # fmt: skip


def _records(*raws):
    return [(tr_id, record) for raw in raws for tr_id, records in [kis.parse_frame(raw)] for record in records]


def test_board_states_follow_hour_and_operation_codes():
    def state(raw):
        ((tr_id, record),) = _records(raw)
        at = dt.datetime(2024, 6, 12, 10, 0, tzinfo=SEOUL)
        return kis.board_state(record, at)

    assert state(frame("H0STCNT0", [PRE_OPEN_EXPECTED])) == kis.BoardState("pre_open", None, True, False)
    assert state(frame("H0STCNT0", [OPENING_TRADE])) == kis.BoardState("continuous", None, False, False)
    assert state(frame("H0STCNT0", [VI_EXPECTED])) == kis.BoardState("continuous", None, True, True)
    assert state(frame("H0STCNT0", [AFTER_HOURS_TRADE])) == kis.BoardState("after_hours", "single_price", False, False)
    closing = cnt_record(MKSC_SHRN_ISCD="005930", HOUR_CLS_CODE="A")
    assert state(frame("H0STCNT0", [closing])).phase == "closing_auction"
    close_price = cnt_record(MKSC_SHRN_ISCD="005930", NEW_MKOP_CLS_CODE="31")  # 장종료후 · 종가
    assert state(frame("H0STCNT0", [close_price])) == kis.BoardState("after_hours", "close_price", False, False)
    single = asp_record(MKSC_SHRN_ISCD="005930", HOUR_CLS_CODE="D")
    assert state(frame("H0STASP0", [single])) == kis.BoardState("after_hours", "single_price", True, False)


async def test_calls_and_vi_are_flagged_never_traded_and_the_status_is_pushed(printed):
    """Through the fake KIS server: a pre-open call with its expected price, the opening trade, a VI
    (HOUR_CLS_CODE C, then H0STMKO0's release), then a trade after hours. Expected records never
    reach the tape; every quote says its phase."""
    from channels.layers import get_channel_layer

    from market import events

    layer = get_channel_layer(events.layer_alias())
    listener = await layer.new_channel()
    await layer.group_add(events.STATUS_GROUP, listener)
    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=["005930"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, market_status=True, prev_closes={"005930": 71_000},
        )  # fmt: skip
        publisher = Publisher(names={"005930": "삼성전자"}, send_signals=True)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        try:
            status = await asyncio.wait_for(layer.receive(listener), 3)  # pushed as the feed starts
            assert status["message"]["type"] == "market.status" and status["message"]["clock"] == "practice"
            await _until(lambda: server.active == {("H0STCNT0", "005930"), ("H0STASP0", "005930"),
                                                   ("H0STMKO0", "005930"), *INDEX_REGISTRATIONS})  # fmt: skip

            async def quote_after(raw):
                before = publisher.books + publisher.trades + feed.stats.expected_updates
                await server.send(raw)
                await _until(lambda: publisher.books + publisher.trades + feed.stats.expected_updates > before)
                await asyncio.sleep(0.05)
                return await sync_to_async(store().quote)("005930")

            quote = await quote_after(frame("H0STCNT0", [PRE_OPEN_EXPECTED]))
            assert (quote.phase, quote.expected_price, quote.expected_quantity) == ("pre_open", 71_300, 120_000)
            assert (quote.price, quote.prev_close, quote.upper_limit, quote.lower_limit) == (
                71_000,
                71_000,
                92_300,
                49_700,
            )
            quote = await quote_after(frame("H0STASP0", [PRE_OPEN_BOOK]))
            assert quote.phase == "pre_open" and quote.expected_price == 71_300
            book = await sync_to_async(store().book)("005930")
            assert book.asks[0].price == book.bids[0].price == 71_300  # a crossed call book, shown as such
            assert printed == []  # nothing traded in the call

            quote = await quote_after(frame("H0STCNT0", [OPENING_TRADE]))
            assert [(t.price, t.quantity) for t, _ in printed] == [(71_300, 120_000)]
            assert (quote.phase, quote.expected_price, quote.vi) == ("continuous", None, None)

            quote = await quote_after(frame("H0STCNT0", [VI_EXPECTED]))  # +10.1% from the static base
            assert quote.phase == "continuous" and quote.expected_price == 78_500
            assert quote.vi == {
                "kind": "static", "reference_price": 71_300, "trigger_price": 78_500,
                "ends_at": "2024-06-12T10:17:00+09:00",
            }  # fmt: skip
            assert len(printed) == 1
            await server.send(frame("H0STMKO0", [mko_record(MKSC_SHRN_ISCD="005930", VI_CLS_CODE="N")]))
            await _until(lambda: store().quote("005930").vi is None)

            quote = await quote_after(frame("H0STCNT0", [AFTER_HOURS_TRADE]))
            assert (quote.phase, quote.session, quote.price) == ("after_hours", "single_price", 71_500)
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()
            await layer.group_discard(events.STATUS_GROUP, listener)


async def test_a_market_status_frame_starts_a_vi():
    feed = kis.KisFeed(codes=["005930"], app_key="k", app_secret="s", rest_url="http://x", ws_url="ws://x",
                       prev_closes={"005930": 71_000})  # fmt: skip
    publisher = Publisher(send_signals=False)
    try:
        await feed.handle(frame("H0STCNT0", [OPENING_TRADE]), None, publisher)
        await feed.handle(frame("H0STMKO0", [mko_record(MKSC_SHRN_ISCD="005930", VI_CLS_CODE="2")]), None, publisher)
        await asyncio.sleep(0.05)
        vi = (await sync_to_async(store().quote)("005930")).vi
        assert (vi["kind"], vi["reference_price"], vi["trigger_price"]) == ("dynamic", 71_300, 71_300)
    finally:
        publisher.close()


async def test_the_codes_follow_what_users_want():
    wanted = [["005930", "000660"]]
    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=[], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url, ws_url=server.ws_url,
            max_registrations=6, codes_source=lambda limit: wanted[0][:limit], replan_seconds=0.05,
        )  # fmt: skip
        assert feed.capacity == 2  # the indices take two of the six
        publisher = Publisher(send_signals=False)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        try:
            await _until(lambda: {code for tr, code in server.active if tr != "H0UPCNT0"} == {"005930", "000660"})
            wanted[0] = ["035720", "005930", "000660"]  # a new first interest; only two fit
            await _until(lambda: {code for tr, code in server.active if tr != "H0UPCNT0"} == {"035720", "005930"})
            assert set(INDEX_REGISTRATIONS) <= server.active  # never re-planned
            unregistered = [m for m in server.connections[0] if m["header"]["tr_type"] == "2"]
            assert {m["body"]["input"]["tr_key"] for m in unregistered} == {"000660"}
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()


async def test_the_back_off_starts_over_after_a_healthy_session():
    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=["005930"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url, backoff_initial=0.05, backoff_max=30, healthy_after=0.1,
        )  # fmt: skip
        publisher = Publisher(send_signals=False)
        stop = asyncio.Event()
        task = asyncio.create_task(feed.run(publisher, stop))
        loop = asyncio.get_running_loop()
        try:
            for n in range(1, 7):
                await _until(lambda n=n: len(server.connections) == n and len(server.connections[-1]) == 4)
                await asyncio.sleep(0.15)  # a healthy session
                dropped = loop.time()
                await server.drop()
                await _until(lambda n=n: len(server.connections) == n + 1, timeout=1.0)
                # without the reset the sixth wait would be 0.05 × 2⁵ = 1.6 s
                assert loop.time() - dropped < 0.5
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()


@pytest.mark.django_db
def test_codes_to_stream_put_held_and_ordered_codes_first(user):
    from market.models import Symbol
    from orders import services as order_services

    for code, value in [("005930", 10**12), ("000660", 5 * 10**11), ("035720", 10**9)]:
        Symbol.objects.create(code=code, name=code, market="KOSPI", prev_close=50_000, typical_daily_value=value)
    assert kis.codes_to_stream(2) == ["005930", "000660"]  # nobody wants anything yet: the most traded
    account = order_services.account_create(owner=user, name="m", initial_cash=10_000_000)
    order_services.order_place(account_id=account.pk, symbol="035720", side="buy", type="limit", quantity=1,
                               price=40_000)  # fmt: skip
    assert kis.codes_to_stream(2) == ["035720", "005930"]
    watched.watch(["000660"])
    try:
        assert kis.codes_to_stream(3) == ["000660", "035720", "005930"]  # followed on a socket first
    finally:
        watched.unwatch(["000660"])


# --- KOSPI and KOSDAQ (H0UPCNT0) ----------------------------------------------------------------------
KOSPI_0930 = upcnt_record(
    BSTP_CLS_CODE=KOSPI_SECTOR, BSOP_HOUR="093015", PRPR_NMIX="2612.35", PRDY_VRSS_SIGN="2",
    BSTP_NMIX_PRDY_VRSS="12.40", ACML_VOL=152_340, ACML_TR_PBMN=3_120_455, PRDY_CTRT="0.48", OPRC_NMIX="2601.00",
    NMIX_HGPR="2615.20", NMIX_LWPR="2598.70", ASCN_ISSU_CNT=512, STNR_ISSU_CNT=88, DOWN_ISSU_CNT=301,
)  # fmt: skip
KOSDAQ_0930 = upcnt_record(
    BSTP_CLS_CODE=KOSDAQ_SECTOR, BSOP_HOUR="093015", PRPR_NMIX="845.10", PRDY_VRSS_SIGN="5",
    BSTP_NMIX_PRDY_VRSS="-3.25", ACML_VOL=301_220, ACML_TR_PBMN=1_840_112, PRDY_CTRT="-0.38", OPRC_NMIX="848.00",
    NMIX_HGPR="849.90", NMIX_LWPR="844.20",
)  # fmt: skip
KOSPI_0931 = KOSPI_0930.replace("093015", "093110", 1).replace("2612.35", "2620.05", 1).replace("12.40", "20.10", 1)


def test_the_indices_take_two_registrations_before_any_code():
    codes = [f"{i:06d}" for i in range(30)]
    feed = kis.KisFeed(codes=codes, app_key="k", app_secret="s", rest_url="http://x", ws_url="ws://x",
                       max_registrations=41)  # fmt: skip
    assert feed.index_registrations == INDEX_REGISTRATIONS
    assert feed.capacity == 19 and len(feed.registrations) == 38 and len(feed.skipped) == 11
    without = kis.KisFeed(codes=codes, app_key="k", app_secret="s", rest_url="http://x", ws_url="ws://x",
                          max_registrations=41, stream_indices=False)  # fmt: skip
    assert without.index_registrations == [] and without.capacity == 20


def test_an_index_record_follows_kis_field_order():
    ((tr_id, record),) = _records(frame("H0UPCNT0", [KOSDAQ_0930]))
    quote = kis.index_from_record(record, day="20240612")
    assert (tr_id, quote.code, quote.time.isoformat()) == ("H0UPCNT0", "KQ11", "2024-06-12T09:30:15+09:00")
    # points × 100; the change is signed by PRDY_VRSS_SIGN (5 하락), so the previous close is 848.35
    levels = (quote.price, quote.prev_close, quote.open, quote.high, quote.low)
    assert levels == (84_510, 84_835, 84_800, 84_990, 84_420)
    before_open = upcnt_record(BSTP_CLS_CODE=KOSPI_SECTOR, BSOP_HOUR="085000", PRPR_NMIX="2599.95")
    quote = kis.index_from_record(dict(zip(kis.INDEX_FIELDS, before_open.split("^"), strict=True)), day="20240612")
    assert (quote.price, quote.prev_close, quote.open, quote.high, quote.low) == (259_995, 259_995, 0, 0, 0)


@pytest.mark.parametrize(
    "raw",
    [
        frame("H0UPCNT0", [KOSPI_0930.replace("0001", "2001", 1)]),  # 코스피200: not an index of ours
        frame("H0UPCNT0", [KOSPI_0930.replace("2612.35", "2,612.35", 1)]),  # not a number
        frame("H0UPCNT0", [KOSPI_0930.replace("2612.35", "NaN", 1)]),
        frame("H0UPCNT0", [KOSPI_0930.replace("2612.35", "0.00", 1)]),  # no level
        frame("H0UPCNT0", [KOSPI_0930.replace("12.40", "2612.35", 1)]),  # a previous close of 0
        frame("H0UPCNT0", [KOSPI_0930.replace("093015", "9:30", 1)]),  # no time
        "0|H0UPCNT0|001|0001^093015^2612.35^2^12.40",  # 5 fields of 30
        frame("H0UPCNT0", [KOSDAQ_0930, KOSPI_0930.replace("2612.35", "x", 1)]),  # one bad record: the frame goes
    ],
)
async def test_malformed_index_frames_are_skipped(raw, caplog):
    feed = kis.KisFeed(codes=["005930"], app_key="k", app_secret="s", rest_url="http://x", ws_url="ws://x")
    publisher = Publisher(send_signals=False)
    try:
        with caplog.at_level(logging.WARNING, logger="market.feeds.kis"):
            await feed.handle(raw, None, publisher)
        await feed.handle(frame("H0UPCNT0", [KOSPI_0931]), None, publisher)  # the next good one goes through
        await asyncio.sleep(0.05)
    finally:
        publisher.close()
    assert feed.stats.malformed == 1 and "malformed frame" in caplog.text
    quotes = await sync_to_async(store().quotes)(["KS11", "KQ11"])
    assert {code: quote.price for code, quote in quotes.items()} == {"KS11": 262_005}  # nothing of the bad frame


@pytest.mark.django_db(transaction=True)
async def test_index_records_move_the_index_header(settings, auth_client, practice_clock, caplog):
    """Through the fake KIS server: the feed registers KOSPI and KOSDAQ, and their records become what
    GET /api/v1/market/indices answers and what Publisher.index_loop pushes to every quote socket."""
    from channels.layers import InMemoryChannelLayer
    from django.db import connections

    from historical.services import index_candles_upsert
    from historical.sources.base import IndexBar, day_start
    from market import events, selectors, timetable

    settings.MARKET_FEED = "kis"
    today = practice_clock.today()
    before = timetable.previous_trading_day(today)
    stored = Decimal("2590.00")  # an older stored close: what the header shows until KIS reports
    bar = IndexBar(time=day_start(timetable.previous_trading_day(before)), open=stored, high=stored, low=stored,
                   close=stored)  # fmt: skip
    await sync_to_async(index_candles_upsert)(index="KS11", bars=[bar], source="fdr", simulated=False)
    layer = InMemoryChannelLayer()
    listener = await layer.new_channel()
    await layer.group_add(events.STATUS_GROUP, listener)

    async def pushed():
        """The next `market.indices` on the status group (which carries `market.status` too)."""
        while True:
            event = await asyncio.wait_for(layer.receive(listener), 3)
            if event["type"] == "market.indices":
                return event["message"]["indices"]

    async with FakeKis() as server:
        feed = kis.KisFeed(
            codes=["005930"], app_key=APP_KEY, app_secret=APP_SECRET, rest_url=server.rest_url,
            ws_url=server.ws_url,
        )  # fmt: skip
        publisher = Publisher(channel_layer=layer, send_signals=False, index_interval=0.05)
        stop = asyncio.Event()
        tasks = [asyncio.create_task(feed.run(publisher, stop)), asyncio.create_task(publisher.index_loop(stop))]
        try:
            await _until(lambda: set(INDEX_REGISTRATIONS) <= server.active)
            assert server.index_registrations() == [
                {
                    "header": {"approval_key": APPROVAL_KEY, "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
                    "body": {"input": {"tr_id": "H0UPCNT0", "tr_key": sector}},
                }
                for sector in ("0001", "1001")
            ]
            kospi, kosdaq = await pushed()
            assert (kospi["kind"], kospi["value"], kosdaq["value"]) == ("close", 2590.0, None)

            await server.send_index(KOSPI_0930, KOSDAQ_0930)  # both in one frame, as KIS may send them
            kospi, kosdaq = await pushed()
            assert kospi == {
                "index": "KS11", "name": "KOSPI", "kind": "live", "value": 2612.35, "change": 12.4,
                "change_rate": 0.48, "prev_close": 2599.95, "prev_close_date": before.isoformat(),
                "time": f"{today.isoformat()}T09:30:15+09:00", "symbols": 0, "simulated": False,
            }  # fmt: skip
            assert [kosdaq[k] for k in ("kind", "value", "change", "change_rate", "prev_close", "simulated")] == [
                "live", 845.1, -3.25, -0.38, 848.35, False,
            ]  # fmt: skip
            response = await sync_to_async(auth_client.get)("/api/v1/market/indices")
            assert response.status_code == 200
            assert response.json() == {"indices": [kospi, kosdaq], "note": str(selectors.INDICES_KIS_LIVE)}

            with caplog.at_level(logging.WARNING, logger="market.feeds.kis"):
                await server.send_index(KOSPI_0930.replace("2612.35", "26l2.35", 1))  # skipped, the feed goes on
                await server.send_index(KOSPI_0931)
                kospi, kosdaq = await pushed()
            assert (kospi["value"], kospi["change"], kospi["time"][-14:]) == (2620.05, 20.1, "09:31:10+09:00")
            assert kosdaq["value"] == 845.1
            assert feed.stats.malformed == 1 and feed.stats.index_updates == 3 and not tasks[0].done()
            assert "malformed frame" in caplog.text
            response = await sync_to_async(auth_client.get)("/api/v1/market/indices")
            assert response.json()["indices"][0]["value"] == 2620.05
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 3)
            await sync_to_async(publisher.close)()
            await layer.group_discard(events.STATUS_GROUP, listener)
    await sync_to_async(connections.close_all)()
    # The feed read the users' resting orders on the loop's default executor: that thread's database
    # connection goes once the thread has ended and its objects are collected (else it outlives the
    # test database).
    await asyncio.get_running_loop().shutdown_default_executor()
    gc.collect()
