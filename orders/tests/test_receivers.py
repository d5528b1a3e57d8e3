import datetime as dt

import pytest

from market.rules import SEOUL
from orders import receivers, services
from orders.enums import OrderStatus
from orders.models import Order
from orders.tests.factories import SymbolFactory, book_around, publish_book

pytestmark = pytest.mark.django_db
CODE = "005930"


@pytest.fixture(autouse=True)
def _forget_handled_close(monkeypatch):
    monkeypatch.setattr(receivers, "_last_close_handled", None)


def test_last_close_is_the_most_recent_1530_kst():
    before = dt.datetime(2026, 3, 4, 15, 29, tzinfo=SEOUL)
    after = dt.datetime(2026, 3, 4, 15, 30, tzinfo=SEOUL)
    assert receivers.last_close(before) == dt.datetime(2026, 3, 3, 15, 30, tzinfo=SEOUL)
    assert receivers.last_close(after) == after


def test_first_tick_after_the_close_expires_older_day_orders(user):
    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="m", initial_cash=10_000_000)
    stale, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000
    )
    fresh, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000
    )
    close = receivers.last_close(dt.datetime.now(tz=SEOUL))
    Order.objects.filter(pk=stale.pk).update(created_at=close - dt.timedelta(minutes=5))
    Order.objects.filter(pk=fresh.pk).update(created_at=close + dt.timedelta(seconds=1))
    publish_book(book_around(CODE, 69_900, 70_000))
    assert Order.objects.get(pk=stale.pk).status == OrderStatus.EXPIRED
    assert Order.objects.get(pk=fresh.pk).status == OrderStatus.NEW
    # Handled once per close: later ticks do not look again.
    assert receivers.expire_after_close() == 0
