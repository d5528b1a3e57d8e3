import datetime as dt

import pytest

from market import timetable
from market.clock import PracticeClock
from market.timetable import SEOUL
from orders import receivers, services
from orders.enums import OrderStatus
from orders.models import Order
from orders.tests.factories import SymbolFactory, book_around, publish_book

pytestmark = pytest.mark.django_db
CODE = "005930"


@pytest.fixture(autouse=True)
def _forget_handled_close(monkeypatch):
    monkeypatch.setattr(receivers, "_last_close_handled", None)


def test_first_tick_after_the_close_expires_older_day_orders(user, practice_clock):
    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="m", initial_cash=10_000_000)
    stale, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000
    )
    fresh, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000
    )
    close = timetable.last_regular_close(practice_clock.now())  # orders are stamped in market time
    Order.objects.filter(pk=stale.pk).update(created_at=close - dt.timedelta(minutes=5))
    Order.objects.filter(pk=fresh.pk).update(created_at=close + dt.timedelta(seconds=1))
    receivers._last_close_handled = None  # the placements' own ticks came before the backdating
    publish_book(book_around(CODE, 69_900, 70_000))
    assert Order.objects.get(pk=stale.pk).status == OrderStatus.EXPIRED
    assert Order.objects.get(pk=fresh.pk).status == OrderStatus.NEW
    # Handled once per close: later ticks do not look again.
    assert receivers.expire_after_close() == 0


def test_day_orders_expire_when_the_practice_clock_passes_the_close(user):
    """Placed at 15:25 on the market clock, the order expires once the clock reads 15:30."""
    from market import clock

    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="m", initial_cash=10_000_000)
    wall = [dt.datetime.now(tz=dt.UTC)]
    day = timetable.next_trading_day(dt.date.today())
    fast = PracticeClock.starting(
        dt.datetime.combine(day, dt.time(15, 25), tzinfo=SEOUL), speed=60, wall=lambda: wall[0]
    )
    clock.set_market_clock(fast)
    receivers.expire_after_close()  # the previous close is handled
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000
    )
    Order.objects.filter(pk=order.pk).update(created_at=wall[0])
    publish_book(book_around(CODE, 69_900, 70_000))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW  # 15:25: the closing call
    wall[0] += dt.timedelta(seconds=5, milliseconds=100)  # five minutes and a bit of market time
    assert fast.status().phase == "closed"
    publish_book(book_around(CODE, 69_900, 70_000))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED


def test_an_order_while_the_market_is_closed_is_refused_naming_the_next_session(user, practice_clock):
    from market import clock, venue

    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="m", initial_cash=10_000_000)
    day = timetable.next_trading_day(dt.date.today())
    evening = dt.datetime.combine(day, dt.time(18, 30), tzinfo=SEOUL)
    clock.set_market_clock(PracticeClock.starting(evening))
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000
    )
    assert order.status == OrderStatus.REJECTED and order.filled_quantity == 0
    assert order.reject_reason == venue.closed_message(evening, "regular")
    following = timetable.next_trading_day(day)
    assert f"{following.month}월 {following.day}일" in order.reject_reason and "08:30" in order.reject_reason
    assert services.Account.objects.get(pk=account.pk).reserved_cash == 0


def _quote():
    from market.state import Quote

    now = dt.datetime.now(tz=SEOUL)
    return Quote(code=CODE, price=70_000, open=70_000, high=70_000, low=70_000, prev_close=70_000, volume=0,
                 value=0, best_bid=None, best_ask=None, time=now)  # fmt: skip
