import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from config.asgi import application
from market.state import store
from orders import messages, services
from orders.enums import OrderStatus
from orders.models import Order
from orders.tests.factories import SymbolFactory, book_around, publish_book, quote_for, set_book
from orders.tests.invariants import assert_account_invariants

CODE = "005930"
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture
def symbol(db):
    return SymbolFactory(code=CODE, prev_close=70_000)


@pytest.fixture
def account(user):
    return services.account_create(owner=user, name="main", initial_cash=10_000_000)


def order_body(account, **kwargs):
    return {
        "account": account.pk,
        "symbol": CODE,
        "side": "buy",
        "type": "limit",
        "quantity": 10,
        "price": 69_000,
        **kwargs,
    }


@pytest.mark.django_db
def test_create_and_list_accounts(auth_client):
    response = auth_client.post("/api/v1/accounts", {"name": "swing", "initial_cash": 5_000_000}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["cash"] == 5_000_000 and body["equity"] == 5_000_000 and body["available_cash"] == 5_000_000
    assert body["total_pnl"] == 0 and body["return_rate"] == 0
    listed = auth_client.get("/api/v1/accounts").json()
    assert listed["count"] == 1 and listed["results"][0]["name"] == "swing"


@pytest.mark.django_db
def test_account_numbers_follow_live_quotes(auth_client, account, symbol):
    set_book(book_around(CODE, 69_900, 70_000))
    auth_client.post("/api/v1/orders", order_body(account, type="market", price=None), format="json")
    store().put(quote=quote_for(CODE, 77_000, 70_000))
    body = auth_client.get(f"/api/v1/accounts/{account.pk}").json()
    # Bought 10 at 70,000 (+105 commission); now worth 770,000.
    assert body["cash"] == 10_000_000 - 700_000 - 105
    assert body["market_value"] == 770_000
    assert body["unrealized_pnl"] == 70_000
    assert body["equity"] == 10_000_000 - 700_105 + 770_000
    assert body["total_pnl"] == 70_000 - 105
    assert body["realized_pnl"] == -105, "the buy commission is a realised cost"
    assert body["realized_pnl"] + body["unrealized_pnl"] == body["total_pnl"]
    assert body["return_rate"] == round((70_000 - 105) * 100 / 10_000_000, 4)
    # Bought today: nothing settles before T+2, so 예수금 is still the whole deposit.
    assert body["settled_cash"] == 10_000_000 and body["d1_cash"] == 10_000_000
    assert body["d2_cash"] == body["cash"] and body["orderable_cash"] == body["available_cash"]
    positions = auth_client.get(f"/api/v1/positions?account={account.pk}").json()["results"]
    assert positions == [
        {
            "account": account.pk,
            "symbol": CODE,
            "symbol_name": "삼성전자",
            "quantity": 10,
            "reserved_quantity": 0,
            "avg_cost": "70000.0000",
            "realized_pnl": -105,
            "last_price": 77_000,
            "market_value": 770_000,
            "unrealized_pnl": 70_000,
            "unrealized_pnl_rate": 10.0,
        }
    ]


@pytest.mark.django_db
def test_deposit_and_reset(auth_client, account):
    response = auth_client.post(f"/api/v1/accounts/{account.pk}/deposit", {"amount": 1_000}, format="json")
    assert response.status_code == 200 and response.json()["cash"] == 10_001_000
    for amount in (-1, 0, "5", messages.MAX_CASH + 1):  # outside the schema's integer 1..10^15
        response = auth_client.post(f"/api/v1/accounts/{account.pk}/deposit", {"amount": amount}, format="json")
        assert response.status_code == 400 and "amount" in response.json()["error"]["fields"]
    response = auth_client.post(f"/api/v1/accounts/{account.pk}/reset", {"initial_cash": 3_000}, format="json")
    assert response.status_code == 200 and response.json()["cash"] == 3_000 and response.json()["initial_cash"] == 3_000


@pytest.mark.django_db
def test_place_list_detail_cancel(auth_client, account, symbol):
    response = auth_client.post("/api/v1/orders", order_body(account), format="json")
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "new" and order["symbol"] == CODE and order["symbol_name"] == "삼성전자"
    assert order["account"] == account.pk and order["price"] == 69_000 and order["time_in_force"] == "DAY"
    assert auth_client.get(f"/api/v1/orders/{order['id']}").json()["id"] == order["id"]
    assert auth_client.get(f"/api/v1/orders?status=new&symbol={CODE}&account={account.pk}").json()["count"] == 1
    assert auth_client.get("/api/v1/orders?status=filled").json()["count"] == 0
    cancelled = auth_client.post(f"/api/v1/orders/{order['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = auth_client.post(f"/api/v1/orders/{order['id']}/cancel")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == messages.ORDER_NOT_OPEN.format(status=OrderStatus.CANCELLED.label)


@pytest.mark.django_db
def test_validation_errors_are_human(auth_client, account, symbol):
    # Schema-valid, refused by KRX's tick rule and by the ledger: 422.
    response = auth_client.post("/api/v1/orders", order_body(account, price=69_050), format="json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == messages.PRICE_OFF_TICK.format(price=69_050, tick=100, down=69_000, up=69_100)
    assert error["fields"] == {"price": [error["message"]]}
    response = auth_client.post("/api/v1/orders", order_body(account, quantity=1_000), format="json")
    assert response.status_code == 422 and response.json()["error"]["message"].startswith("주문가능금액이 부족합니다")
    for wrong in ({"symbol": "5930"}, {"quantity": 0}, {"account": "1"}, {"price": 0}):
        response = auth_client.post("/api/v1/orders", {**order_body(account), **wrong}, format="json")
        assert response.status_code == 400 and set(wrong) == set(response.json()["error"]["fields"])


@pytest.mark.django_db
def test_client_order_id_answers_200_with_the_first_order(auth_client, account, symbol):
    first = auth_client.post("/api/v1/orders", order_body(account, client_order_id="k-1"), format="json")
    second = auth_client.post("/api/v1/orders", order_body(account, client_order_id="k-1", quantity=3), format="json")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["id"] == first.json()["id"] and second.json()["quantity"] == 10


@pytest.mark.django_db
def test_a_user_sees_and_touches_only_their_own(auth_client, other_user, symbol):
    theirs = services.account_create(owner=other_user, name="theirs", initial_cash=1_000_000)
    order, _ = services.order_place(
        account_id=theirs.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000
    )
    assert auth_client.get(f"/api/v1/accounts/{theirs.pk}").status_code == 404
    assert auth_client.post(f"/api/v1/accounts/{theirs.pk}/deposit", {"amount": 5}, format="json").status_code == 404
    assert auth_client.post(f"/api/v1/accounts/{theirs.pk}/reset", {}, format="json").status_code == 404
    assert auth_client.get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert auth_client.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 404
    assert auth_client.post("/api/v1/orders", order_body(theirs), format="json").status_code == 404
    assert auth_client.get("/api/v1/orders").json()["count"] == 0
    for path in ("orders", "positions", "trades"):
        assert auth_client.get(f"/api/v1/{path}?account={theirs.pk}").status_code == 404
    assert auth_client.get("/api/v1/accounts").json()["count"] == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW


@pytest.mark.django_db
def test_anonymous_is_refused(api_client):
    assert api_client.get("/api/v1/accounts").status_code in (401, 403)
    assert api_client.post("/api/v1/orders", {}, format="json").status_code in (401, 403)


@pytest.mark.django_db
def test_trades_list_and_filters(auth_client, account, symbol):
    SymbolFactory(code="000660", name="SK하이닉스", prev_close=100_000)
    set_book(book_around(CODE, 69_900, 70_000))
    set_book(book_around("000660", 99_900, 100_000), prev_close=100_000)
    auth_client.post("/api/v1/orders", order_body(account, type="market", price=None, quantity=2), format="json")
    auth_client.post(
        "/api/v1/orders", order_body(account, symbol="000660", type="market", price=None, quantity=1), format="json"
    )
    trades = auth_client.get(f"/api/v1/trades?account={account.pk}").json()
    assert trades["count"] == 2
    only = auth_client.get(f"/api/v1/trades?symbol={CODE}").json()["results"]
    assert [(t["symbol"], t["quantity"], t["price"], t["commission"], t["tax"]) for t in only] == [
        (CODE, 2, 70_000, 21, 0)
    ]


@pytest.mark.django_db
def test_costs_endpoint(auth_client, settings):
    settings.ORDERS_COMMISSION_RATE = "0.00015"
    body = auth_client.get("/api/v1/orders/costs").json()
    assert body["commission_rate"] == "0.00015"
    assert set(body["market_tax_rates"]) == {"KOSPI", "KOSDAQ", "KONEX"}
    assert body["sell_tax_rate"] == body["market_tax_rates"]["KOSPI"]


@pytest.mark.django_db
def test_order_list_query_count_does_not_grow_with_rows(auth_client, account, symbol):
    for i in range(3):
        services.order_place(
            account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000 + i * 100
        )
    with CaptureQueriesContext(connection) as few:
        assert auth_client.get("/api/v1/orders").status_code == 200
    for i in range(20):
        services.order_place(
            account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=61_000 + i * 100
        )
    with CaptureQueriesContext(connection) as many:
        assert auth_client.get("/api/v1/orders").json()["count"] == 23
    # count + page (orders joined with symbols), no per-row queries.
    assert len(many) == len(few) == 2


@pytest.mark.django_db
def test_account_list_query_count_does_not_grow_with_positions(
    auth_client, user, symbol, django_assert_max_num_queries
):
    set_book(book_around(CODE, 69_900, 70_000))
    for name in ("a", "b", "c"):
        acc = services.account_create(owner=user, name=name, initial_cash=1_000_000)
        services.order_place(account_id=acc.pk, symbol=CODE, side="buy", type="market", quantity=1)
    with django_assert_max_num_queries(4):  # count, accounts, positions with symbols, unsettled cash
        assert auth_client.get("/api/v1/accounts").json()["count"] == 3


@pytest.mark.django_db
def test_order_placement_is_throttled(user, other_user, account, symbol, monkeypatch):
    from django.core.cache import cache

    from config.throttling import AtomicScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(AtomicScopedRateThrottle, "THROTTLE_RATES", {"login": "5/min", "orders": "2/min"})
    clock = [6_000_010.0]  # 10 s into a minute window
    monkeypatch.setattr(AtomicScopedRateThrottle, "timer", lambda self: clock[0])
    try:
        client = APIClient()
        client.force_authenticate(user)
        codes = [client.post("/api/v1/orders", order_body(account), format="json").status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        refused = client.post("/api/v1/orders", order_body(account), format="json")
        assert refused.status_code == 429 and refused["Retry-After"] == "50"  # until the window ends
        assert client.get("/api/v1/orders").status_code == 200  # reading is not throttled
        other = APIClient()
        other.force_authenticate(other_user)  # counted per user
        theirs = services.account_create(owner=other_user, name="o", initial_cash=10_000_000)
        assert other.post("/api/v1/orders", order_body(theirs), format="json").status_code == 201
        clock[0] += 50  # the next window
        assert client.post("/api/v1/orders", order_body(account), format="json").status_code == 201
    finally:
        cache.clear()


@pytest.mark.django_db(transaction=True)
def test_the_order_throttle_holds_under_concurrent_requests(user, monkeypatch):
    """Requests racing each other must not all slip under the limit (one atomic count each)."""
    import threading

    from django.core.cache import cache

    from config.throttling import AtomicScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(AtomicScopedRateThrottle, "THROTTLE_RATES", {"login": "5/min", "orders": "5/min"})
    monkeypatch.setattr(AtomicScopedRateThrottle, "timer", lambda self: 6_000_000.0)
    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="t", initial_cash=100_000_000)
    codes: list[int] = []
    barrier = threading.Barrier(12)

    def post() -> None:
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            codes.append(client.post("/api/v1/orders", order_body(account), format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    cache.clear()
    assert codes.count(429) == 7, codes
    if connection.vendor == "postgresql":  # SQLite may answer some of the five 503 (database busy)
        assert codes.count(201) == 5, codes


# --- /ws/orders -----------------------------------------------------------------------------------


async def _connect(user):
    from django.test import AsyncClient

    client = AsyncClient()
    await sync_to_async(client.force_login)(user)
    cookie = client.cookies["sessionid"].value
    communicator = WebsocketCommunicator(
        application, "/ws/orders", headers=[(b"cookie", f"sessionid={cookie}".encode()), ORIGIN]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "stream": "orders"}
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_ws_orders_refuses_anonymous():
    communicator = WebsocketCommunicator(application, "/ws/orders", headers=[ORIGIN])
    connected, code = await communicator.connect()
    assert not connected and code == 4401
    await communicator.disconnect()  # let the consumer finish before the test's loop closes


@pytest.mark.django_db(transaction=True)
async def test_ws_orders_pushes_only_the_users_own_updates(user, other_user):
    await sync_to_async(SymbolFactory)(code=CODE, prev_close=70_000)
    mine = await sync_to_async(services.account_create)(owner=user, name="m", initial_cash=10_000_000)
    theirs = await sync_to_async(services.account_create)(owner=other_user, name="t", initial_cash=10_000_000)
    communicator = await _connect(user)
    place = sync_to_async(services.order_place)
    await place(account_id=theirs.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000)
    order, _ = await place(account_id=mine.pk, symbol=CODE, side="buy", type="limit", quantity=2, price=69_500)
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "order" and message["order"]["id"] == order.pk and message["order"]["status"] == "new"
    await sync_to_async(publish_book)(book_around(CODE, 69_400, 69_500))
    fill = await communicator.receive_json_from(timeout=3)
    assert fill["type"] == "fill"
    assert fill["trade"]["quantity"] == 2 and fill["trade"]["price"] == 69_500
    assert fill["order"]["status"] == "filled"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
    await sync_to_async(assert_account_invariants)(mine.pk)
    await sync_to_async(connections.close_all)()  # the executor thread's connection, before the DB is dropped


@pytest.mark.django_db
def test_stream_payloads_have_the_api_shape(auth_client, account, symbol):
    from orders.events import order_payload, trade_payload
    from orders.models import Trade

    set_book(book_around(CODE, 69_900, 70_000, quantity=3))
    response = auth_client.post("/api/v1/orders", order_body(account, price=70_100, quantity=5), format="json")
    order = Order.objects.select_related("symbol").get(pk=response.json()["id"])
    assert order_payload(order) == auth_client.get(f"/api/v1/orders/{order.pk}").json()
    trade = Trade.objects.select_related("symbol").filter(order=order).first()
    listed = auth_client.get(f"/api/v1/trades?symbol={CODE}").json()["results"]
    assert trade_payload(trade) == next(t for t in listed if t["id"] == trade.pk)


@pytest.mark.django_db(transaction=True)
async def test_ws_orders_gets_fills_booked_on_the_feed_thread(user):
    """The feed runs signals on its own worker thread (not an async_to_sync hop of this loop)."""
    import asyncio
    import threading

    await sync_to_async(SymbolFactory)(code=CODE, prev_close=70_000)
    account = await sync_to_async(services.account_create)(owner=user, name="m", initial_cash=10_000_000)
    communicator = await _connect(user)
    order, _ = await sync_to_async(services.order_place)(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=2, price=69_500
    )
    assert (await communicator.receive_json_from(timeout=3))["type"] == "order"

    def feed_thread() -> None:
        try:
            publish_book(book_around(CODE, 69_400, 69_500))
        finally:
            connections.close_all()

    thread = threading.Thread(target=feed_thread)
    thread.start()
    await asyncio.get_running_loop().run_in_executor(None, thread.join)
    fill = await communicator.receive_json_from(timeout=3)
    assert fill["type"] == "fill" and fill["order"]["id"] == order.pk and fill["order"]["status"] == "filled"
    await communicator.disconnect()
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_ws_orders_delivers_a_burst_complete_and_in_commit_order(user):
    """Many transactions in quick succession share pushes (orders.events batches them per user):
    every order and fill must still arrive, once, in the order they were committed."""
    await sync_to_async(SymbolFactory)(code=CODE, prev_close=70_000)
    account = await sync_to_async(services.account_create)(owner=user, name="m", initial_cash=100_000_000)
    await sync_to_async(set_book)(book_around(CODE, 69_900, 70_000, quantity=1_000))
    communicator = await _connect(user)

    def burst() -> list[int]:
        try:
            return [
                services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=1)[0].pk
                for _ in range(12)
            ]
        finally:
            connections.close_all()

    placed = await sync_to_async(burst, thread_sensitive=False)()
    frames = [await communicator.receive_json_from(timeout=10) for _ in range(2 * len(placed))]
    assert [(f["type"], f["order"]["id"]) for f in frames] == [
        (kind, order_id) for order_id in placed for kind in ("order", "fill")
    ]
    assert all(f["order"]["status"] == "filled" for f in frames if f["type"] == "fill")
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
    await sync_to_async(connections.close_all)()


def test_the_throttle_counter_is_one_atomic_increment_with_an_expiry(settings):
    from django.core.cache import caches

    from config.cache import RedisCache
    from config.throttling import _count

    cache = caches["default"]
    cache.delete("throttle-test")
    try:
        assert [_count("throttle-test", 61) for _ in range(3)] == [1, 2, 3]
        if isinstance(cache, RedisCache):  # the services configuration: INCR + EXPIRE NX in Redis
            client = cache._cache.get_client(write=True)
            assert 0 < client.ttl(cache.make_and_validate_key("throttle-test")) <= 61
    finally:
        cache.delete("throttle-test")


def test_every_cache_backend_of_a_process_shares_one_redis_pool_and_client():
    """Under ASGI each request runs in a context of its own, where Django builds a new cache
    backend (`caches` is per context): the backends must not open a Redis connection each."""
    from django.core.cache import caches

    from config.cache import RedisCache

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("the embedded default caches in memory")
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    for write in (True, False):
        assert first._cache.get_client(write=write) is second._cache.get_client(write=write)
        assert first._cache._get_connection_pool(write) is second._cache._get_connection_pool(write)
    first.set("shared-pool-test", 1, 5)
    assert second.get("shared-pool-test") == 1
    second.delete("shared-pool-test")
