"""Conditional orders (자동감시주문): stops, take-profits, trailing stops, OCO brackets, on the prints
of the exchange, placed through the ordinary order path by the watcher's thread."""

import contextlib

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.exceptions import DomainError
from market import signals, venue
from market.state import store
from market.tests.fake_kis import asp_record, frame
from orders import conditions, services
from orders.enums import ConditionStatus, OrderStatus
from orders.models import Account, Condition, Order, Position, Trade
from orders.tests.factories import SymbolFactory
from orders.tests.invariants import assert_account_invariants
from orders.tests.test_kis_orders import _until, kis_feed_trading

# The watcher's thread has its own database connection: it sees only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)
CODE = "005930"


@pytest.fixture
def symbol():
    return SymbolFactory(code=CODE, prev_close=70_000)


@pytest.fixture
def holder(user, symbol, exchange, watcher) -> Account:
    """An account that bought 10 shares at 70,000 (the last price is 70,000)."""
    account = services.account_create(owner=user, name="main", initial_cash=10_000_000)
    exchange.add_liquidity(CODE, "sell", 70_000, 10)
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)
    watcher.settle()
    return account


def print_at(exchange, price: int) -> None:
    """Two other participants trade one share at `price`, leaving nothing in the book."""
    exchange.add_liquidity(CODE, "buy", price, 1)
    exchange.trade(CODE, price, 1)


def floor(exchange, price: int = 67_900) -> None:
    """Others' bids below every print, for the sells the triggers place."""
    exchange.add_liquidity(CODE, "buy", price, 100)


def stop(account: Account, **fields) -> Condition:
    params = {"symbol": CODE, "side": "sell", "quantity": 10, "trigger": "stop", "trigger_price": 68_000}
    return conditions.condition_create(account_id=account.pk, **(params | fields))


def fresh(condition: Condition) -> Condition:
    return Condition.objects.get(pk=condition.pk)


@contextlib.contextmanager
def prints_unseen_by_the_watcher():
    """The exchange prints as usual, but the watcher does not hear of it: as in KIS mode, where a
    fill is booked after its print was published, or comes from a new book without a print."""
    signals.trade_printed.disconnect(dispatch_uid="orders.conditions")
    try:
        yield
    finally:
        signals.trade_printed.connect(conditions.on_trade_printed, dispatch_uid="orders.conditions")


def free_shares(account: Account) -> tuple[int, int]:
    """(shares held, shares held by open sell orders) of CODE."""
    return (
        Position.objects.filter(account=account, symbol__code=CODE).values_list("quantity", "reserved_quantity").get()
    )


def test_a_sell_stop_waits_for_its_price_then_sells_through_the_ordinary_path(holder, exchange, watcher):
    condition = stop(holder)
    floor(exchange)
    print_at(exchange, 69_000)
    watcher.settle()
    assert fresh(condition).status == ConditionStatus.ACTIVE
    print_at(exchange, 68_000)
    watcher.settle()
    condition = fresh(condition)
    assert condition.status == ConditionStatus.TRIGGERED and condition.triggered_at is not None
    order = Order.objects.get(pk=condition.order_id)
    assert order.condition_id == condition.pk and order.client_order_id == f"condition-{condition.pk}-0"
    assert order.side == "sell" and order.type == "market" and order.status == OrderStatus.FILLED
    assert set(Trade.objects.filter(order=order).values_list("price", flat=True)) == {67_900}
    assert_account_invariants(holder.pk)


def test_a_stop_limit_places_a_limit_order_at_its_limit(holder, exchange, watcher):
    condition = stop(holder, order_type="limit", limit_price=67_800)
    floor(exchange)
    print_at(exchange, 68_000)
    watcher.settle()
    order = Order.objects.get(pk=fresh(condition).order_id)
    assert order.type == "limit" and order.price == 67_800
    assert order.status == OrderStatus.FILLED  # the bids at 67,900 are above its limit
    assert Trade.objects.get(order=order).price == 67_900


def test_a_buy_stop_triggers_when_the_price_rises_to_it(user, symbol, exchange, watcher):
    account = services.account_create(owner=user, name="b", initial_cash=10_000_000)
    condition = conditions.condition_create(
        account_id=account.pk, symbol=CODE, side="buy", quantity=3, trigger="stop", trigger_price=71_000
    )
    exchange.add_liquidity(CODE, "sell", 71_000, 100)
    exchange.trade(CODE, 71_000, 1, side="buy")  # someone buys one at 71,000
    watcher.settle()
    order = Order.objects.get(pk=fresh(condition).order_id)
    assert order.side == "buy" and order.filled_quantity == 3
    assert_account_invariants(account.pk)


def test_a_trailing_stop_follows_the_high_and_sells_on_the_pullback(holder, exchange, watcher):
    condition = stop(holder, trigger="trailing", trigger_price=None, trail_amount=1_000)
    assert condition.extreme == 70_000
    floor(exchange, 69_000)
    for price in (71_000, 72_000):
        print_at(exchange, price)
        watcher.settle()
    assert fresh(condition).extreme == 72_000 and fresh(condition).status == ConditionStatus.ACTIVE
    print_at(exchange, 71_500)
    watcher.settle()
    assert fresh(condition).status == ConditionStatus.ACTIVE, "500 below the high is inside the trail"
    print_at(exchange, 71_000)
    watcher.settle()
    condition = fresh(condition)
    assert condition.status == ConditionStatus.TRIGGERED and condition.extreme == 72_000
    assert Order.objects.get(pk=condition.order_id).filled_quantity == 10


def test_a_trailing_stop_in_percent(holder, exchange, watcher):
    condition = stop(holder, trigger="trailing", trigger_price=None, trail_percent="2.5")
    floor(exchange, 69_000)
    print_at(exchange, 72_000)
    watcher.settle()
    print_at(exchange, 70_300)  # 72,000 − 2.5% = 70,200: not yet
    watcher.settle()
    assert fresh(condition).status == ConditionStatus.ACTIVE
    print_at(exchange, 70_200)
    watcher.settle()
    assert fresh(condition).status == ConditionStatus.TRIGGERED


def test_an_oco_bracket_on_shares_held_sells_once_and_cancels_the_other_leg(holder, exchange, watcher):
    entry, (take_profit, stop_loss) = conditions.bracket_create(
        account_id=holder.pk, symbol=CODE, quantity=10, take_profit=72_000, stop_loss=68_000
    )
    assert entry is None and take_profit.oco_group == stop_loss.oco_group != ""
    floor(exchange)
    print_at(exchange, 72_000)
    watcher.settle()
    assert fresh(take_profit).status == ConditionStatus.TRIGGERED
    assert fresh(stop_loss).status == ConditionStatus.CANCELLED
    assert fresh(stop_loss).message == conditions.OCO_CANCELLED
    print_at(exchange, 68_000)
    watcher.settle()
    assert fresh(stop_loss).order_id is None
    assert Order.objects.filter(condition__isnull=False).count() == 1
    assert_account_invariants(holder.pk)


def bracket_on_entry(user):
    """A new account's bracket on a limit buy of 10 at 69,500: take profit 72,000, stop 68,000."""
    account = services.account_create(owner=user, name="e", initial_cash=10_000_000)
    entry, legs = conditions.bracket_create(
        account_id=account.pk,
        symbol=CODE,
        quantity=10,
        take_profit=72_000,
        stop_loss=68_000,
        entry={"type": "limit", "price": 69_500},
    )
    return account, entry, legs


def test_a_bracket_on_an_entry_order_waits_for_its_fills_and_watches_what_filled(user, symbol, exchange, watcher):
    account, entry, legs = bracket_on_entry(user)
    assert entry.status == OrderStatus.NEW
    assert [fresh(leg).status for leg in legs] == [ConditionStatus.WAITING] * 2
    exchange.trade(CODE, 69_500, 4)  # someone sells 4 into the entry
    watcher.settle()
    assert [(fresh(leg).status, fresh(leg).quantity) for leg in legs] == [(ConditionStatus.ACTIVE, 4)] * 2
    services.order_cancel(order_id=entry.pk)  # the rest of the entry: the legs keep watching the 4
    floor(exchange)
    print_at(exchange, 68_000)
    watcher.settle()
    _, stop_loss = (fresh(leg) for leg in legs)
    assert stop_loss.status == ConditionStatus.TRIGGERED
    assert Order.objects.get(pk=stop_loss.order_id).filled_quantity == 4
    assert_account_invariants(account.pk)


def test_bracket_legs_start_watching_as_soon_as_their_entrys_fill_is_booked(user, symbol, exchange, watcher):
    """No print after the fill: the booked fill alone arms the legs (an illiquid symbol may not
    print again for a long time)."""
    account, entry, legs = bracket_on_entry(user)
    with prints_unseen_by_the_watcher():
        exchange.trade(CODE, 69_500, 4)  # another participant sells 4 into the resting entry
        watcher.settle()
    assert Order.objects.get(pk=entry.pk).filled_quantity == 4
    assert [(fresh(leg).status, fresh(leg).quantity) for leg in legs] == [(ConditionStatus.ACTIVE, 4)] * 2
    services.order_cancel(order_id=entry.pk)  # the rest of the entry (it would take the next print)
    floor(exchange)
    print_at(exchange, 68_000)  # and they watch: the stop sells the 4
    watcher.settle()
    take_profit, stop_loss = (fresh(leg) for leg in legs)
    assert (take_profit.status, stop_loss.status) == (ConditionStatus.CANCELLED, ConditionStatus.TRIGGERED)
    assert Order.objects.get(pk=stop_loss.order_id).filled_quantity == 4
    assert_account_invariants(account.pk)


def test_each_later_fill_of_the_entry_raises_what_the_legs_watch(user, symbol, exchange, watcher):
    account, entry, legs = bracket_on_entry(user)
    with prints_unseen_by_the_watcher():
        for sold, filled in ((4, 4), (3, 7), (3, 10)):
            exchange.trade(CODE, 69_500, sold)
            watcher.settle()
            assert [(fresh(leg).status, fresh(leg).quantity) for leg in legs] == [(ConditionStatus.ACTIVE, filled)] * 2
    assert Order.objects.get(pk=entry.pk).status == OrderStatus.FILLED
    floor(exchange)
    print_at(exchange, 68_000)
    watcher.settle()
    stop_loss = fresh(legs[1])
    assert stop_loss.status == ConditionStatus.TRIGGERED
    assert Order.objects.get(pk=stop_loss.order_id).filled_quantity == 10, "all the entry bought"
    assert free_shares(account) == (0, 0)
    assert_account_invariants(account.pk)


def test_a_leg_that_triggers_while_its_entry_is_partly_open_cancels_the_rest_of_the_entry(
    user, symbol, exchange, watcher
):
    """As brokers do: no share the entry would buy later is left without its stop. (The price can
    rise to the take-profit while the entry's bid still rests below; it cannot fall to the stop
    without filling that bid first.)"""
    account, entry, legs = bracket_on_entry(user)
    exchange.trade(CODE, 69_500, 4)
    watcher.settle()
    assert [fresh(leg).quantity for leg in legs] == [4, 4]
    floor(exchange)
    print_at(exchange, 72_000)
    watcher.settle()
    entry = Order.objects.get(pk=entry.pk)
    assert (entry.status, entry.filled_quantity) == (OrderStatus.CANCELLED, 4)
    assert entry.reserved_cash == 0, "the cancelled rest holds no cash"
    take_profit, stop_loss = fresh(legs[0]), fresh(legs[1])
    assert (take_profit.status, stop_loss.status) == (ConditionStatus.TRIGGERED, ConditionStatus.CANCELLED)
    sold = Order.objects.get(pk=take_profit.order_id)
    assert (sold.filled_quantity, sold.avg_fill_price) == (4, 67_900), "sold to the others' bid, not to its own entry"
    exchange.trade(CODE, 69_500, 6)  # the entry's price trades again: nothing of ours rests there
    assert Order.objects.get(pk=entry.pk).filled_quantity == 4
    assert free_shares(account) == (0, 0)
    assert_account_invariants(account.pk)


def test_bracket_legs_end_as_soon_as_their_entry_ends_unfilled(user, symbol, exchange, watcher):
    _, entry, legs = bracket_on_entry(user)
    with prints_unseen_by_the_watcher():
        services.order_cancel(order_id=entry.pk)
        watcher.settle()
    assert {(fresh(leg).status, fresh(leg).message) for leg in legs} == {
        (ConditionStatus.CANCELLED, conditions.ENTRY_NOT_FILLED)
    }


def test_a_bracket_whose_entry_the_exchange_refuses_sets_no_legs_and_says_why(auth_client, user, symbol, exchange):
    """Placed in the evening, the entry buy is refused (the regular board is closed): the bracket is
    refused with the exchange's reason, which names the next session, and no leg waits on it."""
    import datetime as dt

    from market import clock, timetable
    from market.clock import PracticeClock

    account = services.account_create(owner=user, name="e", initial_cash=10_000_000)
    day = timetable.next_trading_day(dt.date.today())
    evening = dt.datetime.combine(day, dt.time(18, 30), tzinfo=timetable.SEOUL)
    clock.set_market_clock(PracticeClock.starting(evening))
    body = {"account": account.pk, "symbol": CODE, "quantity": 10, "take_profit": 72_000, "stop_loss": 68_000}
    response = auth_client.post(
        "/api/v1/conditions/bracket", {**body, "entry": {"type": "limit", "price": 69_500}}, format="json"
    )
    assert response.status_code == 422, response.content
    entry = Order.objects.get(account=account)
    assert entry.status == OrderStatus.REJECTED
    error = response.json()["error"]
    reason = venue.closed_message(evening, "regular")
    assert error["message"] == conditions.ENTRY_ENDED.format(order=entry.pk, reason=reason)
    assert "entry" in error["fields"]
    assert not Condition.objects.filter(account=account).exists()
    assert Account.objects.get(pk=account.pk).reserved_cash == 0
    assert_account_invariants(account.pk)


def test_booking_a_fill_asks_the_conditions_table_nothing(user, symbol, exchange, watcher):
    """The common case, a fill of an order without a bracket: whether a bracket waits on it is the
    watcher's question, on its own thread, not the booking's."""
    account = services.account_create(owner=user, name="plain", initial_cash=10_000_000)
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", price=69_500, quantity=10
    )
    with CaptureQueriesContext(connection) as booking:
        exchange.trade(CODE, 69_500, 10)
    watcher.settle()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FILLED
    assert booking.captured_queries, "the fill was booked on this thread"
    assert not [q["sql"] for q in booking.captured_queries if "orders_condition" in q["sql"]]


async def test_in_kis_mode_a_fill_from_a_new_book_arms_the_legs_without_a_print(user, practice_clock, watcher):
    """KIS mode fills a resting order when the real book's other side reaches its price: no print."""
    await sync_to_async(SymbolFactory)(code=CODE, prev_close=71_500)
    account = await sync_to_async(services.account_create)(owner=user, name="kis", initial_cash=100_000_000)
    day = practice_clock.now().strftime("%Y%m%d")

    def asks_down_to(price: int, quantity: int) -> str:
        """A book whose best ask is `quantity` at `price` (bids from 100 won below)."""
        return asp_record(
            MKSC_SHRN_ISCD=CODE,
            BSOP_HOUR="100005",
            **{f"ASKP{i}": price + 100 * (i - 1) for i in range(1, 11)},
            **{f"BIDP{i}": price - 100 * i for i in range(1, 11)},
            **{f"ASKP_RSQN{i}": quantity if i == 1 else 100 for i in range(1, 11)},
            **{f"BIDP_RSQN{i}": 100 for i in range(1, 11)},
        )

    def legs_watch(quantity: int):
        def check() -> bool:
            rows = Condition.objects.filter(account=account).values_list("status", "quantity")
            return sorted(rows) == [(ConditionStatus.ACTIVE, quantity)] * 2

        return check

    async with kis_feed_trading(day) as (server, publisher):
        await _until(lambda: publisher.books >= 1 and store().quote(CODE) is not None)
        entry, legs = await sync_to_async(conditions.bracket_create)(
            account_id=account.pk,
            symbol=CODE,
            quantity=10,
            take_profit=73_000,
            stop_loss=70_000,
            entry={"type": "limit", "price": 71_000},
        )
        assert entry.status == OrderStatus.NEW and {leg.status for leg in legs} == {ConditionStatus.WAITING}
        await server.send(frame("H0STASP0", [asks_down_to(71_000, 4)]))  # 4 offered at the entry's price
        await _until(legs_watch(4))
        await server.send(frame("H0STASP0", [asks_down_to(71_000, 30)]))  # a new book: the other 6
        await _until(legs_watch(10))
        assert await sync_to_async(lambda: Order.objects.get(pk=entry.pk).status)() == OrderStatus.FILLED
        prices = await sync_to_async(lambda: set(Trade.objects.filter(order=entry).values_list("price", flat=True)))()
        assert prices == {71_000}
        assert store().quote(CODE).price == 71_000, "no print since the one before the entry"
    await sync_to_async(watcher.settle)()


def test_bracket_legs_end_when_their_entry_ends_unfilled(user, symbol, exchange, watcher):
    account, entry, legs = bracket_on_entry(user)
    services.order_cancel(order_id=entry.pk)
    print_at(exchange, 69_800)
    watcher.settle()
    assert {(fresh(leg).status, fresh(leg).message) for leg in legs} == {
        (ConditionStatus.CANCELLED, conditions.ENTRY_NOT_FILLED)
    }


def test_a_stop_whose_shares_were_sold_meanwhile_fails_with_the_reason(holder, exchange, watcher):
    condition = stop(holder)
    exchange.add_liquidity(CODE, "buy", 69_000, 10)
    services.order_place(account_id=holder.pk, symbol=CODE, side="sell", type="market", quantity=10)
    print_at(exchange, 68_000)
    watcher.settle()
    condition = fresh(condition)
    assert condition.status == ConditionStatus.FAILED and condition.order_id is None
    assert condition.message == conditions.NO_SHARES_AT_TRIGGER.format(code=CODE)


def test_a_trigger_while_the_exchange_is_away_is_placed_on_the_next_print(holder, exchange, watcher, settings):
    condition = stop(holder)
    settings.REDIS_URL = ""  # no other way to reach an exchange
    exchange.add_liquidity(CODE, "buy", 68_000, 100)
    exchange.trade(CODE, 68_000, 1)
    served = venue.local()
    venue.serve(None)  # the exchange goes away before the watcher places the order
    try:
        watcher.settle()
    finally:
        venue.serve(served)
    condition = fresh(condition)
    assert condition.status == ConditionStatus.TRIGGERED and condition.order_id is None
    assert not Order.objects.filter(condition_id=condition.pk).exists(), "nothing recorded while it is away"
    print_at(exchange, 68_000)
    watcher.settle()
    condition = fresh(condition)
    assert condition.order_id is not None, "placed again on the next print"
    assert Order.objects.get(pk=condition.order_id).status == OrderStatus.FILLED
    assert_account_invariants(holder.pk)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"trigger_price": 70_500}, conditions.ALREADY_MET.format(last=70_000)),
        ({"quantity": 11}, conditions.NOT_ENOUGH_SHARES.format(code=CODE, held=10)),
        ({"trigger": "trailing", "trigger_price": None}, conditions.TRAIL_REQUIRED),
        ({"trigger": "trailing", "trigger_price": None, "trail_percent": "31"}, conditions.TRAIL_PERCENT_RANGE),
        ({"order_type": "limit"}, conditions.LIMIT_PRICE_REQUIRED),
        ({"trigger_price": 68_050}, conditions.TRIGGER_PRICE_OFF_TICK.format(price=68_050)),
        ({"trigger": "soon"}, conditions.BAD_TRIGGER),
    ],
)
def test_conditions_that_cannot_work_are_refused_with_the_reason(holder, fields, message):
    with pytest.raises(DomainError) as refused:
        stop(holder, **fields)
    assert refused.value.message == message
    assert not Condition.objects.exists()


def rest_a_sell(account: Account, quantity: int) -> Order:
    """An open sell of `quantity` far above the market: those shares are held by it."""
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="sell", type="limit", price=75_000, quantity=quantity
    )
    assert order.status == OrderStatus.NEW
    return order


def test_a_sell_condition_watches_at_most_the_shares_open_sell_orders_do_not_hold(holder, exchange, watcher):
    rest_a_sell(holder, 4)
    assert free_shares(holder) == (10, 4)
    too_many = conditions.NOT_ENOUGH_FREE_SHARES.format(code=CODE, available=6, held=10, reserved=4)
    with pytest.raises(DomainError) as refused:
        stop(holder, quantity=7)
    assert (refused.value.message, refused.value.field) == (too_many, "quantity")
    assert "매도 가능 수량은 6주" in too_many
    with pytest.raises(DomainError) as refused:
        conditions.bracket_create(account_id=holder.pk, symbol=CODE, quantity=7, take_profit=72_000, stop_loss=68_000)
    assert refused.value.message == too_many
    assert not Condition.objects.exists()

    condition = stop(holder, quantity=6)
    _, legs = conditions.bracket_create(
        account_id=holder.pk, symbol=CODE, quantity=6, take_profit=72_000, stop_loss=68_000
    )
    assert [c.status for c in (condition, *legs)] == [ConditionStatus.ACTIVE] * 3
    assert free_shares(holder) == (10, 4), "a condition holds nothing until it triggers"


def test_the_api_refuses_a_sell_condition_on_shares_held_by_open_sells(auth_client, holder, exchange, watcher):
    rest_a_sell(holder, 4)
    too_many = conditions.NOT_ENOUGH_FREE_SHARES.format(code=CODE, available=6, held=10, reserved=4)
    body = {"account": holder.pk, "symbol": CODE, "side": "sell", "trigger": "stop", "trigger_price": 68_000}
    bracket = {"account": holder.pk, "symbol": CODE, "take_profit": 72_000, "stop_loss": 68_000}
    for path, fields in (("/api/v1/conditions", body), ("/api/v1/conditions/bracket", bracket)):
        refused = auth_client.post(path, fields | {"quantity": 7}, format="json")
        assert refused.status_code == 422, refused.content
        assert refused.json()["error"]["message"] == too_many
        assert refused.json()["error"]["fields"] == {"quantity": [too_many]}
        created = auth_client.post(path, fields | {"quantity": 6}, format="json")
        assert created.status_code == 201, created.content
    assert auth_client.get(f"/api/v1/conditions?account={holder.pk}").json()["count"] == 3


def test_the_api_creates_lists_and_cancels_conditions_and_orders_link_to_them(auth_client, holder, exchange, watcher):
    body = {"account": holder.pk, "symbol": CODE, "side": "sell", "quantity": 5, "trigger": "stop"}
    refused = auth_client.post("/api/v1/conditions", body, format="json")
    assert refused.status_code == 422 and refused.json()["error"]["message"] == conditions.TRIGGER_PRICE_REQUIRED
    created = auth_client.post("/api/v1/conditions", body | {"trigger_price": 68_000}, format="json")
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["status"] == "active" and item["trigger_price"] == 68_000 and item["order"] is None
    bracket = auth_client.post(
        "/api/v1/conditions/bracket",
        {"account": holder.pk, "symbol": CODE, "quantity": 5, "take_profit": 68_000, "stop_loss": 72_000},
        format="json",
    )
    assert bracket.status_code == 422 and "이익실현 가격" in bracket.json()["error"]["message"]
    listed = auth_client.get(f"/api/v1/conditions?account={holder.pk}&status=active").json()
    assert [row["id"] for row in listed["results"]] == [item["id"]]
    cancelled = auth_client.post(f"/api/v1/conditions/{item['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = auth_client.post(f"/api/v1/conditions/{item['id']}/cancel")
    assert again.status_code == 422 and "취소" in again.json()["error"]["message"]

    live = auth_client.post("/api/v1/conditions", body | {"trigger_price": 68_000}, format="json").json()
    floor(exchange)
    print_at(exchange, 68_000)
    watcher.settle()
    order_id = auth_client.get(f"/api/v1/conditions?account={holder.pk}").json()["results"][0]["order"]
    assert auth_client.get(f"/api/v1/orders/{order_id}").json()["condition"] == live["id"]


def test_other_users_conditions_are_not_found(auth_client, other_user, symbol, exchange):
    account = services.account_create(owner=other_user, name="x", initial_cash=1_000_000)
    condition = conditions.condition_create(
        account_id=account.pk, symbol=CODE, side="buy", quantity=1, trigger="stop", trigger_price=71_000
    )
    response = auth_client.post(f"/api/v1/conditions/{condition.pk}/cancel")
    assert response.status_code == 404 and response.json()["error"]["message"] == conditions.CONDITION_NOT_FOUND
    assert auth_client.get("/api/v1/conditions").json()["count"] == 0


def test_a_reset_cancels_the_accounts_conditions(holder):
    condition = stop(holder)
    services.account_reset(account_id=holder.pk)
    assert fresh(condition).status == ConditionStatus.CANCELLED


async def test_conditions_changes_reach_the_owners_order_stream(user, symbol, exchange, watcher):
    from asgiref.sync import sync_to_async

    from orders.consumers import READ_ONLY
    from orders.tests.test_api import _connect

    account = await sync_to_async(services.account_create)(owner=user, name="ws", initial_cash=10_000_000)
    stream = await _connect(user)
    create = sync_to_async(conditions.condition_create)
    condition = await create(
        account_id=account.pk, symbol=CODE, side="buy", quantity=2, trigger="stop", trigger_price=71_000
    )
    message = await stream.receive_json_from(timeout=5)
    assert message["type"] == "condition" and message["condition"]["id"] == condition.pk
    assert message["condition"]["status"] == "active"

    def rise() -> None:
        exchange.add_liquidity(CODE, "sell", 71_000, 100)
        exchange.trade(CODE, 71_000, 1, side="buy")
        watcher.settle()

    await sync_to_async(rise)()
    seen = [await stream.receive_json_from(timeout=5) for _ in range(4)]
    updates = [m["condition"] for m in seen if m["type"] == "condition"]
    assert updates[0]["status"] == "triggered" and updates[-1]["order"] is not None
    assert any(m["type"] == "fill" and m["order"]["condition"] == condition.pk for m in seen)
    await stream.send_json_to({"hello": 1})
    assert (await stream.receive_json_from(timeout=5)) == {"type": "error", "message": READ_ONLY}
    await stream.disconnect()
