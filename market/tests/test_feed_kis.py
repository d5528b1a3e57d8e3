"""The KIS adapter against a local KIS server speaking the real protocol."""

import asyncio
import json
import logging

import pytest
from asgiref.sync import sync_to_async

from market import signals
from market.feeds import kis
from market.feeds.publisher import Publisher
from market.state import store
from market.tests.fake_kis import (
    APP_KEY,
    APP_SECRET,
    APPROVAL_KEY,
    FakeKis,
    asp_record,
    cnt_record,
    frame,
    pingpong,
)  # fmt: skip

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
            await _until(lambda: len(server.connections) == 1 and len(server.connections[0]) == 4)
            assert server.approvals == [
                {"grant_type": "client_credentials", "appkey": APP_KEY, "secretkey": APP_SECRET}
            ]
            assert server.connections[0][0] == {
                "header": {"approval_key": APPROVAL_KEY, "custtype": "P", "tr_type": "1", "content-type": "utf-8"},
                "body": {"input": {"tr_id": "H0STCNT0", "tr_key": "005930"}},
            }
            assert [(m["body"]["input"]["tr_id"], m["body"]["input"]["tr_key"]) for m in server.connections[0]] == [
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
            await _until(lambda: len(server.connections) == 2 and len(server.connections[1]) == 4)
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
                await _until(lambda: len(server.connections) == 1 and len(server.connections[0]) == 2)
            finally:
                stop.set()
                await asyncio.wait_for(task, 3)
                publisher.close()
        assert "approval refused (HTTP 403)" in caplog.text
        assert APP_KEY not in caplog.text and APP_SECRET not in caplog.text, "a KIS key reached the logs"


async def test_rejected_registration_is_logged_and_the_rest_keeps_streaming(caplog, printed):
    async with FakeKis(max_registrations=3) as server:
        # a limit lower than ours: the 4th registration is refused by the server with MAX SUBSCRIBE OVER
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
def test_keys_come_from_settings_or_a_users_saved_keys(settings, user):
    from accounts.services import settings_update

    settings.KIS_APP_KEY, settings.KIS_APP_SECRET = "server-key", "server-secret"
    assert kis.kis_keys() == ("server-key", "server-secret")
    settings.KIS_APP_KEY = settings.KIS_APP_SECRET = ""
    with pytest.raises(kis.KisError):
        kis.kis_keys()
    settings_update(user=user, kis_app_key=APP_KEY, kis_app_secret=APP_SECRET, preferred_feed="kis")
    assert kis.kis_keys() == (APP_KEY, APP_SECRET)


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
            await _until(lambda: len(server.connections) == 2 and len(server.connections[1]) == 2)
            assert server.connections[0][0]["header"]["approval_key"] == "expired-approval-key"
            assert server.connections[1][0]["header"]["approval_key"] == APPROVAL_KEY
            assert len(server.approvals) == 2
            await server.send(frame("H0STCNT0", [SAMSUNG_1]))
            await _until(lambda: len(printed) == 1)
        finally:
            stop.set()
            await asyncio.wait_for(task, 3)
            publisher.close()
