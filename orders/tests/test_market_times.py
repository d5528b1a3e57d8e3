"""Order, fill and ledger times are market-clock times: on a practice clock (here the next trading
day's 10:00, at least ten hours from the wall's now) an order, its fill, the cash rows, the daily
snapshot, T+2 and the API all count on the market's time and day, not the wall's."""

import datetime as dt

import pytest
from django.utils import timezone

from market.timetable import SEOUL, next_trading_day
from orders import costs, history, selectors, services
from orders.enums import CashEntryKind, SnapshotTimeframe
from orders.models import AccountSnapshot, CashEntry, Order, Position, Trade
from orders.tests.factories import SymbolFactory, publish_trade

pytestmark = pytest.mark.django_db
CODE = "005930"


def within(moment: dt.datetime, before: dt.datetime, after: dt.datetime) -> bool:
    return before <= moment <= after


def test_an_order_its_fill_and_its_cash_rows_carry_the_market_clock_s_times(user, practice_clock):
    SymbolFactory(code=CODE, prev_close=70_000)
    assert practice_clock.now() - timezone.now() > dt.timedelta(hours=10)  # the clocks differ
    opened = practice_clock.now()
    account = services.account_create(owner=user, name="a", initial_cash=10_000_000)
    placed_from = practice_clock.now()
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=5, price=69_500
    )
    placed_until = practice_clock.now()
    publish_trade(CODE, 69_500, 5)
    filled_until = practice_clock.now()

    order = Order.objects.get(pk=order.pk)
    assert within(order.created_at, placed_from, placed_until)
    assert within(order.updated_at, placed_until, filled_until)
    trade = Trade.objects.get(order=order)
    assert within(trade.time, placed_until, filled_until)  # the execution's own time (the event's `at`)
    rows = {entry.kind: entry.time for entry in CashEntry.objects.filter(account=account)}
    assert within(rows[CashEntryKind.DEPOSIT], opened, placed_from)
    assert rows[CashEntryKind.BUY] == trade.time
    assert within(Position.objects.get(account=account).updated_at, placed_until, filled_until)
    account.refresh_from_db()
    assert within(account.created_at, opened, placed_from)


def test_t_plus_2_the_snapshot_and_the_api_count_on_the_market_s_day(auth_client, user, practice_clock):
    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="a", initial_cash=10_000_000)
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=5, price=69_500)
    publish_trade(CODE, 69_500, 5)
    market_day = practice_clock.today()
    account.refresh_from_db()

    # The purchase settles two trading days after the market's day: pending today and tomorrow.
    assert costs.settlement_date(market_day) == next_trading_day(next_trading_day(market_day))
    balances = selectors.account_balances([account], practice_clock.now())[account.pk]
    assert balances.settled == 10_000_000 and balances.d1 == 10_000_000 and balances.d2 == account.cash
    body = auth_client.get(f"/api/v1/accounts/{account.pk}").json()
    assert (body["settled_cash"], body["d2_cash"]) == (10_000_000, account.cash)

    history.account_snapshots_take()
    day_row = AccountSnapshot.objects.get(account=account, timeframe=SnapshotTimeframe.DAY)
    assert day_row.time == dt.datetime.combine(market_day, dt.time(0), tzinfo=SEOUL)

    fill = auth_client.get("/api/v1/trades", {"account": account.pk}).json()["results"][0]
    assert dt.datetime.fromisoformat(fill["time"]).astimezone(SEOUL).date() == market_day
    order = auth_client.get("/api/v1/orders", {"account": account.pk}).json()["results"][0]
    assert dt.datetime.fromisoformat(order["created_at"]).astimezone(SEOUL).date() == market_day
