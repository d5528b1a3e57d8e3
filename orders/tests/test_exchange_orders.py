"""Users' orders in the exchange: time priority, fills at their own price, liquidity used up,
정정 and partial cancels, the queue ahead, and the exchange away (503)."""

import pytest

from config.exceptions import DomainError, ServiceUnavailable
from market import venue
from orders import messages, services
from orders.enums import OrderStatus
from orders.models import Account, Order, Position, Trade
from orders.tests.factories import SymbolFactory, book_around, publish_trade, set_book
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db
CODE = "005930"


@pytest.fixture
def symbol():
    return SymbolFactory(code=CODE, prev_close=70_000)


@pytest.fixture
def alice(user):
    return services.account_create(owner=user, name="a", initial_cash=10_000_000)


@pytest.fixture
def bob(other_user):
    return services.account_create(owner=other_user, name="b", initial_cash=10_000_000)


def buy(account: Account, price: int, quantity: int) -> Order:
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=quantity, price=price
    )
    return order


def test_two_users_orders_at_one_price_fill_in_the_order_they_were_placed(symbol, alice, bob):
    first = buy(bob, 69_500, 5)
    second = buy(alice, 69_500, 5)
    publish_trade(CODE, 69_500, 7)
    assert Order.objects.get(pk=first.pk).filled_quantity == 5
    assert Order.objects.get(pk=second.pk).filled_quantity == 2
    assert set(Trade.objects.values_list("price", flat=True)) == {69_500}
    assert_account_invariants(alice.pk)
    assert_account_invariants(bob.pk)


def test_a_resting_order_is_part_of_the_public_book_with_its_queue_ahead(symbol, alice, bob, exchange):
    exchange.add_liquidity(CODE, "buy", 69_500, 300)
    order = buy(alice, 69_500, 10)
    _, bids = exchange.book(CODE)
    assert bids[0] == (69_500, 310)  # the level grew by the order's quantity
    assert order.queue_ahead == 300
    assert services.order_queue_ahead(order=order) == 300
    publish_trade(CODE, 69_500, 120)  # 120 of the 300 ahead trade
    assert services.order_queue_ahead(order=Order.objects.get(pk=order.pk)) == 180


def test_what_a_marketable_order_took_is_gone_for_the_next(symbol, alice, bob, exchange):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=2))
    first, _ = services.order_place(account_id=alice.pk, symbol=CODE, side="buy", type="market", quantity=10)
    second, _ = services.order_place(account_id=bob.pk, symbol=CODE, side="buy", type="market", quantity=10)
    assert Trade.objects.get(order=first).price == 70_000
    assert Trade.objects.get(order=second).price == 70_100  # the 70,000 offer was used up
    asks, _ = exchange.book(CODE)
    assert asks == []


def test_a_resting_buy_never_fills_above_its_limit_nor_below_the_price_that_traded(symbol, alice):
    order = buy(alice, 69_500, 10)
    publish_trade(CODE, 69_000, 4)  # a seller through the limit: the fill is at 69,500, where it rested
    publish_trade(CODE, 69_600, 4)  # above the limit: nothing
    trades = list(Trade.objects.filter(order=order).values_list("price", "quantity"))
    assert trades == [(69_500, 4)]


def test_modify_a_price_loses_priority_a_smaller_quantity_keeps_it(symbol, alice, bob):
    first = buy(alice, 69_500, 10)
    second = buy(bob, 69_500, 10)
    services.order_modify(order_id=first.pk, quantity=6)  # smaller: still first in the queue
    publish_trade(CODE, 69_500, 6)
    assert Order.objects.get(pk=first.pk).status == OrderStatus.FILLED
    assert Order.objects.get(pk=second.pk).filled_quantity == 0
    third = buy(alice, 69_400, 10)
    services.order_modify(order_id=third.pk, price=69_500)  # a new price: behind bob
    assert services.order_queue_ahead(order=Order.objects.get(pk=third.pk)) == 10
    moved = Order.objects.get(pk=third.pk)
    assert moved.price == 69_500 and moved.reserved_cash == services.reservation_for(moved, 10)
    assert Account.objects.get(pk=alice.pk).reserved_cash == moved.reserved_cash
    assert_account_invariants(alice.pk)


def test_modify_to_more_than_the_cash_pays_for_is_refused_and_holds_nothing_more(symbol, alice):
    order = buy(alice, 69_500, 10)
    held = Account.objects.get(pk=alice.pk).reserved_cash
    with pytest.raises(DomainError) as exc:
        services.order_modify(order_id=order.pk, quantity=1_000)
    assert "주문가능금액이 부족합니다" in exc.value.message
    assert Account.objects.get(pk=alice.pk).reserved_cash == held


def test_a_partial_cancel_keeps_priority_and_gives_back_its_part(symbol, alice, bob):
    first = buy(alice, 69_500, 10)
    buy(bob, 69_500, 10)
    services.order_cancel(order_id=first.pk, quantity=4)
    first = Order.objects.get(pk=first.pk)
    assert first.quantity == 6 and first.status == OrderStatus.NEW
    assert first.reserved_cash == services.reservation_for(first, 6)
    publish_trade(CODE, 69_500, 6)
    assert Order.objects.get(pk=first.pk).status == OrderStatus.FILLED
    assert_account_invariants(alice.pk)


def test_a_partial_cancel_of_a_sell_gives_back_its_shares(symbol, alice):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=1))
    services.order_place(account_id=alice.pk, symbol=CODE, side="buy", type="limit", quantity=10, price=70_000)
    sell, _ = services.order_place(
        account_id=alice.pk, symbol=CODE, side="sell", type="limit", quantity=10, price=71_000
    )
    services.order_cancel(order_id=sell.pk, quantity=3)
    assert Position.objects.get(account=alice).reserved_quantity == 7
    assert_account_invariants(alice.pk)


def test_with_the_exchange_away_an_order_is_refused_with_503_and_nothing_is_recorded(symbol, alice, settings):
    settings.REDIS_URL = ""
    venue.serve(None)
    with pytest.raises(ServiceUnavailable) as exc:
        buy(alice, 69_500, 10)
    assert exc.value.status_code == 503 and exc.value.message == venue.UNAVAILABLE
    assert not Order.objects.filter(account=alice).exists()
    assert Account.objects.get(pk=alice.pk).reserved_cash == 0


def test_an_order_the_exchange_has_no_book_for_is_refused_and_holds_nothing(alice):
    from market.state import store
    from orders.tests.factories import quote_for

    SymbolFactory(code="000660", prev_close=None)  # its band comes from the feed's quote: no book here
    store().put(quote=quote_for("000660", 120_000, prev_close=120_000))
    order, created = services.order_place(
        account_id=alice.pk, symbol="000660", side="buy", type="limit", quantity=3, price=120_000
    )
    assert created and order.status == OrderStatus.REJECTED
    assert order.reject_reason == venue.NO_BOOK.format(code="000660")
    assert Account.objects.get(pk=alice.pk).reserved_cash == 0
    assert_account_invariants(alice.pk)


def test_orders_of_one_batch_are_held_in_turn_and_a_repeated_client_order_id_is_one_order(symbol, alice):
    """Commands queued while the owner is busy are admitted together: each order sees the holds of
    those before it, and the second use of a client_order_id answers the first order."""
    exchange = venue.local()
    place = {"side": "buy", "type": "limit", "time_in_force": "DAY", "price": 69_500, "condition": None}
    request = {**place, "account": alice.pk, "owner": None, "upper": 91_000, "language": "ko"}
    commands = [
        venue.Place(code=CODE, board="regular", request={**request, "quantity": 100, "client_order_id": "a"}),
        venue.Place(code=CODE, board="regular", request={**request, "quantity": 100, "client_order_id": "a"}),
        venue.Place(code=CODE, board="regular", request={**request, "quantity": 100, "client_order_id": "b"}),
    ]
    first, again, third = (slot.result() for slot in exchange.send_many(commands, timeout=5))
    assert first.answer["created"] and first.queue_ahead == 0
    assert again.answer == {"order_id": first.answer["order_id"], "created": False} and again.events == []
    # 10,000,000 won holds one order of 100 × 69,500 (+ commission), not two
    assert third.answer["refused"]["field"] == "quantity" and third.answer["refused"]["code"] == "invalid"
    assert list(Order.objects.values_list("client_order_id", flat=True)) == ["a"]
    assert Account.objects.get(pk=alice.pk).reserved_cash == Order.objects.get().reserved_cash
    assert_account_invariants(alice.pk)


def test_the_order_list_shows_each_resting_orders_queue_ahead_from_one_batch(auth_client, symbol, alice, exchange):
    exchange.add_liquidity(CODE, "buy", 69_500, 300)
    first, second = buy(alice, 69_500, 10), buy(alice, 69_400, 5)
    exchange.add_liquidity(CODE, "sell", 70_000, 3)
    filled, _ = services.order_place(account_id=alice.pk, symbol=CODE, side="buy", type="market", quantity=3)
    batches = []
    run_here = exchange.venue.run_here
    exchange.venue.run_here = lambda steps, answers=None: batches.append(len(steps)) or run_here(steps, answers)
    try:
        rows = auth_client.get(f"/api/v1/orders?account={alice.pk}").json()["results"]
    finally:
        exchange.venue.run_here = run_here
    ahead = {row["id"]: row["queue_ahead"] for row in rows}
    assert ahead == {first.pk: 300, second.pk: 0, filled.pk: None}
    assert batches == [2], "the two open orders asked about in one batch"


def test_the_api_answers_503_in_korean_while_the_exchange_is_away(auth_client, symbol, alice, settings):
    settings.REDIS_URL = ""
    venue.serve(None)
    body = {"account": alice.pk, "symbol": CODE, "side": "buy", "type": "limit", "quantity": 1, "price": 69_500}
    response = auth_client.post("/api/v1/orders", body, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["message"] == venue.UNAVAILABLE


def test_a_cancel_without_a_body_cancels_it_all_and_a_json_null_body_is_refused(auth_client, symbol, alice):
    order = buy(alice, 69_500, 10)
    refused = auth_client.post(f"/api/v1/orders/{order.pk}/cancel", "null", content_type="application/json")
    assert refused.status_code == 400 and Order.objects.get(pk=order.pk).is_open
    cancelled = auth_client.post(f"/api/v1/orders/{order.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_modify_and_partial_cancel_through_the_api(auth_client, symbol, alice, exchange):
    exchange.add_liquidity(CODE, "buy", 69_600, 200)
    body = {"account": alice.pk, "symbol": CODE, "side": "buy", "type": "limit", "quantity": 10, "price": 69_500}
    order = auth_client.post("/api/v1/orders", body, format="json").json()
    assert order["session"] == "regular" and order["queue_ahead"] == 0
    modified = auth_client.post(f"/api/v1/orders/{order['id']}/modify", {"price": 69_600}, format="json")
    assert modified.status_code == 200 and modified.json()["price"] == 69_600
    assert modified.json()["queue_ahead"] == 200, "behind the 200 resting at its new price"
    cancelled = auth_client.post(f"/api/v1/orders/{order['id']}/cancel", {"quantity": 4}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["quantity"] == 6
    assert cancelled.json()["queue_ahead"] == 200, "a partial cancel keeps its place"
    off_tick = auth_client.post(f"/api/v1/orders/{order['id']}/modify", {"price": 69_650}, format="json")
    assert off_tick.status_code == 422 and "호가단위" in off_tick.json()["error"]["message"]
    nothing = auth_client.post(f"/api/v1/orders/{order['id']}/modify", {}, format="json")
    assert nothing.status_code == 422 and nothing.json()["error"]["message"] == messages.MODIFY_NOTHING
    detail = auth_client.get(f"/api/v1/orders/{order['id']}").json()
    assert detail["queue_ahead"] == 200 and detail["quantity"] == 6


def test_resting_orders_come_back_in_their_priority_after_a_restart(symbol, alice, bob, exchange):
    first = buy(bob, 69_500, 5)
    second = buy(alice, 69_500, 5)
    # The exchange restarts: a new one, empty, re-entered from the ledger's open orders.
    from market.testing import Exchange

    with Exchange() as restarted:
        for command in venue.resting_orders():
            restarted.venue.send(command, timeout=5)
        assert restarted.book(CODE)[1] == [(69_500, 10)]
        publish_trade(CODE, 69_500, 5)
    assert Order.objects.get(pk=first.pk).status == OrderStatus.FILLED
    assert Order.objects.get(pk=second.pk).filled_quantity == 0
    assert Trade.objects.count() == 1  # nothing filled twice


@pytest.mark.services  # four writers at once: SQLite's shared in-memory test database locks whole tables
@pytest.mark.django_db(transaction=True)
def test_orders_queued_while_the_book_owner_is_busy_are_booked_in_one_transaction(exchange, django_user_model):
    """Group commit: the commands that queue up while the owner works run as one batch, and the
    exchange's answer to all of them is booked in one delivery (one transaction), each order
    filled exactly once at the price it took."""
    import threading
    import time

    from django.db import connections

    from market import signals

    SymbolFactory(code=CODE, prev_close=70_000)
    exchange.add_liquidity(CODE, "sell", 70_000, 2)
    exchange.add_liquidity(CODE, "sell", 70_100, 10)
    accounts = [
        services.account_create(
            owner=django_user_model.objects.create_user(username=f"g{n}"), name="g", initial_cash=10**7
        )
        for n in range(4)
    ]
    deliveries: list[set[str]] = []

    def record(sender, events, **kwargs):
        deliveries.append({e["order_id"] for e in events if e["type"] == "accepted"})

    signals.order_events.connect(record, weak=False)
    placed: dict[int, Order] = {}

    def place(account: Account) -> None:
        try:
            placed[account.pk], _ = services.order_place(
                account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=1
            )
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=place, args=(a,)) for a in accounts]
        with exchange.venue.lock:  # the owner is busy: the four commands queue up behind it
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while len(exchange.venue._queue) < 4 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(exchange.venue._queue) == 4
        for thread in threads:
            thread.join(timeout=30)
    finally:
        signals.order_events.disconnect(record)
    assert deliveries == [{f"o{placed[a.pk].pk}" for a in accounts}]
    assert all(placed[a.pk].status == OrderStatus.FILLED for a in accounts)
    # queued in an order the threads chose; two took the 70,000 shares, two the 70,100 ones
    assert sorted(Trade.objects.values_list("price", flat=True)) == [70_000, 70_000, 70_100, 70_100]
    for account in accounts:
        assert Trade.objects.filter(account=account).count() == 1
        assert_account_invariants(account.pk)


@pytest.mark.services
def test_a_web_process_asks_the_owner_about_a_page_of_orders_over_redis_in_one_batch(symbol, alice, exchange):
    """The services transport: commands pushed at once reach the owner's listener as one batch
    and each hears its own answer; with no owner holding the feed lock they answer unavailable."""
    import threading

    import redis
    from django.conf import settings

    exchange.add_liquidity(CODE, "buy", 69_500, 300)
    resting = [buy(alice, 69_500, 10), buy(alice, 69_500, 5)]
    commands = [venue.Inspect(ref=f"o{o.pk}", code=CODE, board="regular") for o in resting]
    inbox, lock_key = venue._keys()
    client = redis.Redis.from_url(settings.REDIS_URL)
    away = venue._redis_send_all(commands, timeout=1)  # nobody holds the lock: taken back at once
    assert all(isinstance(r, venue.VenueUnavailable) for r in away) and not client.llen(inbox)

    batches = []
    run_here = exchange.venue.run_here
    exchange.venue.run_here = lambda steps, answers=None: batches.append(len(steps)) or run_here(steps, answers)
    stop = threading.Event()
    listener = threading.Thread(target=venue.listen, args=(stop,))
    client.set(lock_key, "owner")
    listener.start()
    try:
        replies = venue._redis_send_all(commands, timeout=5)  # one LPUSH: the listener takes both at once
    finally:
        stop.set()
        listener.join(timeout=5)
        exchange.venue.run_here = run_here
        client.delete(lock_key, inbox)
    assert [r.queue_ahead for r in replies] == [300, 310]
    assert batches == [2]
