import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from config import ws as guard
from config.asgi import application
from config.ws import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED
from market import consumers, events, services, timetable
from market.feeds.publisher import Publisher
from market.models import Symbol
from market.state import BookLevel, OrderBook, Quote, Trade, store

pytestmark = pytest.mark.django_db(transaction=True)
T = dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.UTC)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _quote(code="005930", price=71_100):
    return Quote(
        code=code,
        price=price,
        open=71_000,
        high=71_200,
        low=70_900,
        prev_close=71_000,
        volume=10,
        value=price * 10,
        best_bid=price,
        best_ask=price + 100,
        time=T,
    )


def _book(code="005930", bid=71_100):
    asks = tuple(BookLevel(bid + 100 * (i + 1), 5) for i in range(10))
    bids = tuple(BookLevel(bid - 100 * i, 7) for i in range(10))
    return OrderBook(code=code, asks=asks, bids=bids, time=T)


@pytest.fixture
def symbols(db):
    Symbol.objects.create(code="005930", name="삼성전자", market="KOSPI", prev_close=71_000)
    Symbol.objects.create(code="000660", name="SK하이닉스", market="KOSPI", prev_close=198_000)
    Symbol.objects.create(code="035720", name="카카오", market="KOSPI", prev_close=41_950)


async def _open(path, user=None):
    headers = [ORIGIN]
    if user is not None:
        client = AsyncClient()
        await sync_to_async(client.force_login)(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    ws = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await ws.connect()
    assert connected  # accepted first, so the close code reaches the browser
    return ws


async def _close_code(ws) -> int:
    while True:
        message = await ws.receive_output(timeout=2)
        if message["type"] == "websocket.close":
            return message["code"]


@pytest.mark.parametrize("path", ["/ws/quotes/005930", "/ws/quotes"])
async def test_anonymous_sockets_are_closed_with_4401(symbols, path):
    ws = await _open(path)
    assert await _close_code(ws) == CLOSE_UNAUTHENTICATED


@pytest.mark.parametrize("code", ["123456", "abc", "999999"])
async def test_unknown_code_is_closed_with_4404(symbols, user, code):
    ws = await _open(f"/ws/quotes/{code}", user)
    assert (await ws.receive_json_from()) == {"type": "error", "message": services.SYMBOL_NOT_FOUND.format(code=code)}
    assert await _close_code(ws) == CLOSE_NOT_FOUND


async def test_single_symbol_stream_sends_state_then_every_trade_and_book(symbols, user):
    await sync_to_async(store().put)(quote=_quote(), book=_book())
    ws = await _open("/ws/quotes/005930", user)
    first = await ws.receive_json_from()
    assert first["type"] == "quote" and first["quote"]["price"] == 71_100 and first["quote"]["name"] == "삼성전자"
    second = await ws.receive_json_from()
    assert second["type"] == "book" and second["book"]["bids"][0] == {"price": 71_100, "quantity": 7}
    assert (await ws.receive_json_from())["type"] == "market.status"
    publisher = Publisher(names={"005930": "삼성전자"}, send_signals=False)
    try:
        trade = Trade(code="005930", price=71_200, quantity=3, side="buy", time=T)
        await publisher.trade(trade, _quote(price=71_200))
        await publisher.book(_book(bid=71_200))
        await publisher.book(_book(code="000660", bid=190_000))  # another symbol: not on this socket
        message = await ws.receive_json_from()
        assert message == {
            "type": "trade",
            "trade": {
                "code": "005930",
                "price": 71_200,
                "quantity": 3,
                "side": "buy",
                "time": "2024-06-12T10:00:00+09:00",
            },
            "quote": {**message["quote"], "price": 71_200},
        }
        assert (await ws.receive_json_from())["book"]["bids"][0]["price"] == 71_200
        assert await ws.receive_nothing(timeout=0.3)
        await ws.send_json_to({"action": "subscribe", "codes": ["000660"]})
        assert (await ws.receive_json_from()) == {"type": "error", "message": consumers.READ_ONLY}
    finally:
        await sync_to_async(publisher.close)()
    await ws.disconnect()


async def test_multi_symbol_socket_subscribes_and_unsubscribes(symbols, user, settings):
    settings.MARKET_WS_MAX_CODES = 2
    await sync_to_async(store().put)(quote=_quote("000660", 190_000), book=_book("000660", 190_000))
    ws = await _open("/ws/quotes", user)
    assert (await ws.receive_json_from()) == {"type": "hello", "stream": "quotes", "max_codes": 2}
    assert (await ws.receive_json_from())["type"] == "market.status"
    await ws.send_json_to({"action": "subscribe", "codes": ["005930", "000660"]})
    assert (await ws.receive_json_from()) == {"type": "subscribed", "codes": ["000660", "005930"]}
    snapshot = [await ws.receive_json_from(), await ws.receive_json_from()]
    assert [m["type"] for m in snapshot] == ["quote", "book"]  # 005930 has no state yet: nothing for it
    assert snapshot[0]["quote"]["code"] == "000660"
    await ws.send_json_to({"action": "subscribe", "codes": ["035720"]})
    assert (await ws.receive_json_from()) == {"type": "error", "message": consumers.TOO_MANY_CODES.format(limit=2)}
    assert consumers.TOO_MANY_CODES.format(limit=2).startswith("한 연결에서는 종목을 2개까지 구독할 수 있습니다.")
    publisher = Publisher(names={}, send_signals=False)
    try:
        await publisher.book(_book("005930", 71_000))
        assert (await ws.receive_json_from())["book"]["code"] == "005930"
        await ws.send_json_to({"action": "unsubscribe", "codes": ["005930"]})
        assert (await ws.receive_json_from()) == {"type": "unsubscribed", "codes": ["000660"]}
        await publisher.book(_book("005930", 71_100))
        await publisher.book(_book("000660", 190_500))
        assert (await ws.receive_json_from())["book"]["code"] == "000660"
    finally:
        await sync_to_async(publisher.close)()
    await ws.disconnect()


BAD_MESSAGES = [
    ('{"action": "dance", "codes": ["005930"]}', consumers.BAD_ACTION),
    ('{"codes": ["005930"]}', consumers.BAD_ACTION),
    ('{"action": "subscribe", "codes": "005930"}', consumers.BAD_CODES),
    ('{"action": "subscribe", "codes": []}', consumers.BAD_CODES),
    ('{"action": "subscribe", "codes": ["59"]}', consumers.BAD_CODES),
    ('{"action": "subscribe", "codes": [5930]}', consumers.BAD_CODES),
    ('{"action": "subscribe", "codes": ["123456", "005930"]}', consumers.UNKNOWN_CODES.format(codes="123456")),
    ("{not json", guard.NOT_JSON),
]


async def test_multi_symbol_socket_rejects_bad_messages(symbols, user):
    # a socket is closed after 5 mistakes (config.ws): 3 bad messages per socket, then a good one
    for start in range(0, len(BAD_MESSAGES), 3):
        ws = await _open("/ws/quotes", user)
        await ws.receive_json_from()  # hello
        await ws.receive_json_from()  # market.status
        for message, expected in BAD_MESSAGES[start : start + 3]:
            await ws.send_to(text_data=message)
            assert (await ws.receive_json_from()) == {"type": "error", "message": expected}, message
        await ws.send_json_to({"action": "subscribe", "codes": ["035720"]})  # the socket still works
        assert (await ws.receive_json_from()) == {"type": "subscribed", "codes": ["035720"]}
        await ws.disconnect()


async def test_in_process_feed_reaches_browsers_across_event_loops(symbols, user, settings, busy_market_clock):
    """Embedded default: the feed runs on its own thread and loop, consumers on the server's."""
    from market import runner

    settings.MARKET_FEED_TICKS_PER_SECOND = 20
    ws = await _open("/ws/quotes/005930", user)
    await sync_to_async(runner.start_in_process_feed)()
    try:
        seen = set()
        while "trade" not in seen:
            message = await ws.receive_json_from(timeout=5)
            seen.add(message["type"])
            assert message.get("book", message.get("trade", {})).get("code", "005930") == "005930"
    finally:
        await sync_to_async(runner.stop_in_process_feed)()
    assert seen >= {"trade", "book"}
    await ws.disconnect()


async def test_every_quote_socket_gets_the_status_on_connect_and_on_each_change(symbols, user, practice_clock):
    single = await _open("/ws/quotes/005930", user)
    multi = await _open("/ws/quotes", user)
    assert (await multi.receive_json_from())["type"] == "hello"
    on_connect = [await single.receive_json_from(), await multi.receive_json_from()]
    expected = events.status_payload(practice_clock.status(), clock="practice", speed=1.0)
    for message in on_connect:
        assert message["type"] == "market.status"
        assert {k: v for k, v in message.items() if k not in ("type", "now")} == {
            k: v for k, v in expected.items() if k != "now"
        }
        assert message["phase"] == "continuous" and message["clock"] == "practice"
    closing = timetable.status_at(practice_clock.status().next_phase_at)  # 15:20: the closing call
    publisher = Publisher(names={}, send_signals=False)
    try:
        await publisher.status(closing)
        for ws in (single, multi):
            pushed = await ws.receive_json_from()
            assert pushed == {"type": "market.status", **events.status_payload(closing, clock="practice", speed=1.0)}
            assert pushed["phase"] == "closing_auction" and pushed["next_phase"] == "closed"
    finally:
        await sync_to_async(publisher.close)()
    await single.disconnect()
    await multi.disconnect()
