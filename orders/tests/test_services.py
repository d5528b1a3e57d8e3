import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import Conflict, DomainError
from market import timetable
from market.enums import Market
from market.state import BookLevel, OrderBook, store
from orders import costs, messages, services
from orders.enums import CashEntryKind, OrderStatus
from orders.models import Account, CashEntry, Order, Position, Trade
from orders.tests.factories import SymbolFactory, book_around, publish_book, publish_trade, quote_for, set_book
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db

CODE = "005930"


@pytest.fixture
def symbol():
    return SymbolFactory(code=CODE, prev_close=70_000)


@pytest.fixture
def account(user):
    return services.account_create(owner=user, name="main", initial_cash=10_000_000)


def place(account, **kwargs):
    params = {"account_id": account.pk, "symbol": CODE, "side": "buy", "type": "limit", "quantity": 10}
    params.update(kwargs)
    order, _ = services.order_place(**params)
    return order


def fresh(obj):
    obj.refresh_from_db()
    return obj


# --- accounts -----------------------------------------------------------------------------------


def test_account_create_opens_with_a_ledger_entry(account):
    assert account.cash == 10_000_000 and account.initial_cash == 10_000_000
    entry = CashEntry.objects.get(account=account)
    assert (entry.kind, entry.amount, entry.balance_after) == (CashEntryKind.DEPOSIT, 10_000_000, 10_000_000)
    assert_account_invariants(account.pk)


def test_account_create_default_cash_from_settings(user, settings):
    settings.ORDERS_DEFAULT_INITIAL_CASH = 5_000_000
    assert services.account_create(owner=user, name="x").cash == 5_000_000


def test_a_user_may_hold_several_accounts(user):
    services.account_create(owner=user, name="a", initial_cash=1)
    services.account_create(owner=user, name="b", initial_cash=2)
    assert Account.objects.filter(owner=user).count() == 2


@pytest.mark.parametrize("amount", [0, -5, 1.5, "100", True])
def test_deposit_rejects_non_positive_or_non_integer(account, amount):
    with pytest.raises(DomainError) as exc:
        services.account_deposit(account_id=account.pk, amount=amount)
    assert exc.value.message == messages.AMOUNT_NOT_POSITIVE


def test_deposit_adds_cash_and_ledger(account):
    services.account_deposit(account_id=account.pk, amount=2_500)
    account = fresh(account)
    assert account.cash == 10_002_500 and account.total_deposits == 2_500
    assert_account_invariants(account.pk)


def test_reset_cancels_orders_drops_positions_restores_cash(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000))
    place(account, type="market", quantity=5)
    resting = place(account, price=60_000, quantity=3)
    services.account_reset(account_id=account.pk, initial_cash=20_000_000)
    account = fresh(account)
    assert account.cash == 20_000_000 and account.reserved_cash == 0 and account.initial_cash == 20_000_000
    assert account.reset_at is not None
    assert not Position.objects.filter(account=account).exists()
    resting = fresh(resting)
    assert resting.status == OrderStatus.CANCELLED and resting.reject_reason == messages.CANCELLED_BY_RESET
    assert_account_invariants(account.pk)


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message_start"),
    [
        ({"quantity": 0}, messages.QUANTITY_NOT_POSITIVE),
        ({"quantity": -3}, messages.QUANTITY_NOT_POSITIVE),
        ({"quantity": 1.5}, messages.QUANTITY_NOT_POSITIVE),
        ({"price": None}, messages.PRICE_REQUIRED),
        ({"type": "market", "price": 70_000}, messages.PRICE_NOT_ALLOWED),
        ({"side": "short"}, messages.BAD_SIDE),
        ({"type": "stop"}, messages.BAD_TYPE),
        ({"time_in_force": "GTC"}, messages.BAD_TIF),
    ],
)
def test_order_input_rules(account, symbol, kwargs, message_start):
    params = {"price": 70_000, **kwargs}
    with pytest.raises(DomainError) as exc:
        place(account, **params)
    assert exc.value.message == message_start
    assert not Order.objects.exists()


def test_price_must_be_on_the_tick_grid(account, symbol):
    # 70,000 is in the 50,000–200,000 range: 100-won ticks.
    with pytest.raises(DomainError) as exc:
        place(account, price=70_050)
    assert exc.value.message == messages.PRICE_OFF_TICK.format(price=70_050, tick=100, down=70_000, up=70_100)


def test_price_must_be_inside_todays_band(account, symbol):
    # prev close 70,000: band 49,000 .. 91,000.
    for price in (48_900, 91_100):
        with pytest.raises(DomainError) as exc:
            place(account, price=price)
        assert exc.value.message == messages.PRICE_OUTSIDE_BAND.format(
            price=price, code=CODE, lower=49_000, upper=91_000
        )
    assert place(account, price=91_000).status == OrderStatus.NEW
    assert place(account, price=49_000).status == OrderStatus.NEW


def test_band_uses_the_feed_prev_close_when_the_master_has_none(account):
    SymbolFactory(code=CODE, prev_close=None)
    with pytest.raises(DomainError) as exc:
        place(account, price=70_000)
    assert exc.value.message == messages.NO_REFERENCE_PRICE.format(code=CODE)
    store().put(quote=quote_for(CODE, 10_000, 10_000))  # the feed knows the previous close
    with pytest.raises(DomainError) as exc:
        place(account, price=70_000)
    assert exc.value.message == messages.PRICE_OUTSIDE_BAND.format(price=70_000, code=CODE, lower=7_000, upper=13_000)


def test_inactive_unknown_and_suspended_symbols_are_refused(account):
    with pytest.raises(DomainError) as exc:
        place(account, price=70_000)
    assert exc.value.message == messages.SYMBOL_UNKNOWN.format(code=CODE)
    SymbolFactory(code="000001", is_active=False)
    SymbolFactory(code="000002", is_tradable=False)
    with pytest.raises(DomainError) as exc:
        place(account, symbol="000001", price=70_000)
    assert exc.value.message == messages.SYMBOL_INACTIVE.format(code="000001")
    with pytest.raises(DomainError) as exc:
        place(account, symbol="000002", price=70_000)
    assert exc.value.message == messages.SYMBOL_NOT_TRADABLE.format(code="000002")


def test_buy_needs_free_cash_including_commission(account, symbol):
    # 10,000,000 won: 142 × 70,000 = 9,940,000 (+1,491 commission) fits, 143 does not.
    with pytest.raises(DomainError) as exc:
        place(account, price=70_000, quantity=143)
    assert exc.value.message == messages.NOT_ENOUGH_CASH.format(needed=10_011_501, available=10_000_000)
    order = place(account, price=70_000, quantity=142)
    assert order.reserved_cash == 9_940_000 + 1_491
    assert fresh(account).reserved_cash == 9_941_491
    # The reservation is no longer free for the next order.
    with pytest.raises(DomainError):
        place(account, price=70_000, quantity=1)
    assert_account_invariants(account.pk)


def test_no_short_selling(account, symbol):
    with pytest.raises(DomainError) as exc:
        place(account, side="sell", price=70_000, quantity=1)
    assert exc.value.message == messages.NOT_ENOUGH_SHARES.format(available=0, code=CODE)


def test_sell_needs_free_shares(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000))
    place(account, type="market", quantity=10)
    place(account, side="sell", price=80_000, quantity=7)
    with pytest.raises(DomainError) as exc:
        place(account, side="sell", price=80_000, quantity=4)
    assert exc.value.message == messages.NOT_ENOUGH_SHARES.format(available=3, code=CODE)
    assert Position.objects.get(account=account).reserved_quantity == 7
    assert_account_invariants(account.pk)


# --- immediate matching ------------------------------------------------------------------------


def test_market_buy_walks_the_book_level_by_level(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10))
    order = place(account, type="market", quantity=25)
    assert order.status == OrderStatus.FILLED
    fills = list(Trade.objects.filter(order=order).order_by("id").values_list("price", "quantity"))
    assert fills == [(70_000, 10), (70_100, 10), (70_200, 5)]
    assert order.avg_fill_price == Decimal("70080.0000")  # (700,000 + 701,000 + 351,000) / 25
    position = Position.objects.get(account=account)
    assert position.quantity == 25 and position.cost_basis == 1_752_000 and position.avg_cost == Decimal("70080")
    commissions = sum(costs.commission_for(p * q) for p, q in fills)
    assert fresh(account).cash == 10_000_000 - 1_752_000 - commissions
    assert_account_invariants(account.pk)


def test_market_order_takes_the_depth_and_its_remainder_waits_holding_the_upper_limit(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=1, levels=3))
    order = place(account, type="market", quantity=5)
    # KRX: what a market order cannot take waits in the book (market.exchange); its cash is held
    # at today's upper limit (91,000 won), as brokers hold a market buy's.
    assert order.status == OrderStatus.PARTIALLY_FILLED and order.filled_quantity == 3
    assert order.reserved_cash == services.reservation_for(order, 2, filled_amount=order.filled_amount)
    assert order.reserved_cash >= 2 * 91_000
    assert_account_invariants(account.pk)


def test_market_buy_is_checked_at_the_upper_limit(account, symbol):
    with pytest.raises(DomainError) as exc:
        place(account, type="market", quantity=10**9)
    needed = costs.buy_reservation(91_000, 10**9)
    assert exc.value.message == messages.MARKET_BUY_RESERVED.format(upper=91_000, needed=needed, available=10_000_000)
    order = place(account, type="market", quantity=5)  # no sellers: it waits, holding 5 × 91,000
    assert order.status == OrderStatus.NEW and fresh(account).reserved_cash == costs.buy_reservation(91_000, 5)
    assert fresh(account).cash == 10_000_000


def test_a_large_market_buy_triggers_vi_and_never_fills_outside_the_band(account, symbol, exchange):
    # Asks 30% up from the 70,000 base; one above the 91,000 upper limit, which the exchange refuses.
    book = OrderBook(
        CODE, asks=(BookLevel(90_900, 1), BookLevel(91_000, 1), BookLevel(91_100, 50)), bids=(), time=timezone.now()
    )
    set_book(book)
    order = place(account, type="market", quantity=5)
    # The sweep stops before the static VI's trigger (±10% of the base): the order waits in the VI
    # call, holding the upper limit's cash; nothing fills outside the band.
    assert exchange.engine(CODE).vi is not None
    assert order.status == OrderStatus.NEW and order.filled_quantity == 0
    assert not Trade.objects.filter(price__gt=91_000).exists()
    assert_account_invariants(account.pk)


def test_marketable_limit_fills_at_the_ask_and_rests_the_rest(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10))
    order = place(account, price=70_100, quantity=30)
    assert order.status == OrderStatus.PARTIALLY_FILLED and order.filled_quantity == 20
    assert set(Trade.objects.filter(order=order).values_list("price", flat=True)) == {70_000, 70_100}
    # The remaining 10 keep 10 × 70,100 + commission reserved.
    assert order.reserved_cash == costs.buy_reservation(70_100, 10)
    assert fresh(account).reserved_cash == order.reserved_cash
    assert_account_invariants(account.pk)


def test_ioc_cancels_the_unfilled_rest(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10))
    order = place(account, price=70_000, quantity=30, time_in_force="IOC")
    assert order.status == OrderStatus.CANCELLED and order.filled_quantity == 10 and order.reserved_cash == 0
    assert fresh(account).reserved_cash == 0
    assert_account_invariants(account.pk)


def test_fok_is_all_or_nothing_against_visible_depth(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10))
    killed = place(account, price=70_100, quantity=21, time_in_force="FOK")
    assert killed.status == OrderStatus.CANCELLED and killed.filled_quantity == 0
    assert killed.reject_reason == messages.CANCEL_REASONS["fok"]
    filled = place(account, price=70_100, quantity=20, time_in_force="FOK")
    assert filled.status == OrderStatus.FILLED
    assert fresh(account).reserved_cash == 0
    assert_account_invariants(account.pk)


def test_sell_costs_and_realized_pnl_net_of_costs(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=1))
    place(account, type="market", quantity=10)  # 700,000 + 105 commission
    # bids 1.4% above the last trade (inside every VI range: further, the sale would halt in a VI)
    set_book(book_around(CODE, 71_000, 71_100))
    sell = place(account, side="sell", type="market", quantity=4)
    trade = Trade.objects.get(order=sell)
    day = costs.settlement_date(costs.trade_date(trade.time))  # the tax of its T+2 settlement day
    assert trade.price == 71_000 and trade.commission == 42  # floor(284,000 × 0.00015)
    assert trade.tax == costs.sell_tax_for(284_000, Market.KOSPI, day)
    position = Position.objects.get(account=account)
    assert position.quantity == 6 and position.cost_basis == 420_000
    assert position.realized_pnl == 284_000 - 280_000 - 42 - trade.tax - 105  # the buy's commission too
    assert_account_invariants(account.pk)


# --- resting orders on ticks -----------------------------------------------------------------------


def test_resting_buy_fills_at_its_own_limit_when_sellers_reach_it(account, symbol):
    order = place(account, price=69_500, quantity=5)
    publish_book(book_around(CODE, 69_000, 69_600))  # asks from 69,600 (above the limit), bids below it
    assert fresh(order).status == OrderStatus.NEW
    publish_trade(CODE, 69_400, 3)  # a sell through the limit meets the best bid: ours
    publish_trade(CODE, 69_500, 10)
    order = fresh(order)
    assert order.status == OrderStatus.FILLED
    # At its own limit (the resting order's price), never better: it was in the book.
    assert list(Trade.objects.filter(order=order).order_by("id").values_list("price", "quantity")) == [
        (69_500, 3),
        (69_500, 2),
    ]
    assert fresh(account).reserved_cash == 0
    assert_account_invariants(account.pk)


def test_resting_buy_fills_at_its_limit_when_a_trade_prints_through_it(account, symbol):
    order = place(account, price=69_500, quantity=5)
    publish_trade(CODE, 69_600, 100)
    assert fresh(order).status == OrderStatus.NEW
    publish_trade(CODE, 69_400, 3)
    order = fresh(order)
    assert order.status == OrderStatus.PARTIALLY_FILLED and order.filled_quantity == 3
    assert Trade.objects.get(order=order).price == 69_500
    publish_trade(CODE, 69_500, 10)
    assert fresh(order).status == OrderStatus.FILLED
    assert_account_invariants(account.pk)


def test_resting_sell_fills_at_its_own_limit_when_buyers_reach_it(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=1))
    place(account, type="market", quantity=10)
    sell = place(account, side="sell", price=71_000, quantity=10)
    publish_trade(CODE, 70_900, 100, side="buy")
    assert fresh(sell).status == OrderStatus.NEW
    publish_trade(CODE, 71_300, 4, side="buy")
    publish_trade(CODE, 71_000, 6, side="buy")
    sell = fresh(sell)
    assert sell.status == OrderStatus.FILLED
    assert set(Trade.objects.filter(order=sell).values_list("price", flat=True)) == {71_000}
    position = Position.objects.get(account=account)
    assert position.quantity == 0 and position.reserved_quantity == 0 and position.cost_basis == 0
    assert_account_invariants(account.pk)


def test_visible_depth_is_shared_between_resting_orders(account, symbol):
    first = place(account, price=69_500, quantity=5)
    second = place(account, price=69_500, quantity=5)
    publish_book(OrderBook(CODE, asks=(BookLevel(69_500, 6),), bids=(), time=timezone.now()))
    assert fresh(first).filled_quantity == 5  # time priority: the first placed fills first
    assert fresh(second).filled_quantity == 1
    assert_account_invariants(account.pk)


def test_ticks_of_other_symbols_do_not_touch_an_order(account, symbol):
    SymbolFactory(code="000660", name="SK하이닉스", prev_close=70_000)
    order = place(account, price=69_500, quantity=5)
    publish_book(book_around("000660", 60_000, 60_100))
    assert fresh(order).status == OrderStatus.NEW


# --- cancel, expire, idempotency --------------------------------------------------------------------


def test_cancel_releases_the_reservation_and_only_once(account, symbol):
    order = place(account, price=69_500, quantity=5)
    assert fresh(account).reserved_cash > 0
    services.order_cancel(order_id=order.pk)
    assert fresh(account).reserved_cash == 0
    with pytest.raises(Conflict) as exc:
        services.order_cancel(order_id=order.pk)
    assert exc.value.message == messages.ORDER_NOT_OPEN.format(status=OrderStatus.CANCELLED.label)
    assert_account_invariants(account.pk)


def test_cancel_of_a_sell_releases_the_shares(account, symbol):
    set_book(book_around(CODE, 69_900, 70_000))
    place(account, type="market", quantity=10)
    sell = place(account, side="sell", price=75_000, quantity=6)
    services.order_cancel(order_id=sell.pk)
    assert Position.objects.get(account=account).reserved_quantity == 0
    assert_account_invariants(account.pk)


def test_expire_day_orders_command(account, symbol):
    day = place(account, price=69_500, quantity=5)
    set_book(book_around(CODE, 69_900, 70_000, quantity=1))
    partly = place(account, price=70_000, quantity=3)
    assert partly.status == OrderStatus.PARTIALLY_FILLED
    call_command("expire_day_orders")
    assert fresh(day).status == OrderStatus.EXPIRED and fresh(partly).status == OrderStatus.EXPIRED
    assert fresh(partly).filled_quantity == 1
    assert fresh(account).reserved_cash == 0
    assert services.order_expire_day_orders() == 0  # idempotent
    assert_account_invariants(account.pk)


def test_expire_schedule_exists_in_celery_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="orders.tasks.expire_day_orders")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("15", "30", "Asia/Seoul")


def test_same_client_order_id_returns_the_first_order(account, symbol):
    first, created = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=69_000, client_order_id="abc"
    )
    again, created_again = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=9, price=68_000, client_order_id="abc"
    )
    assert created and not created_again and again.pk == first.pk and again.quantity == 1
    assert Order.objects.count() == 1
    assert fresh(account).reserved_cash == first.reserved_cash


def test_client_order_id_is_unique_per_account_in_the_database(account, symbol, user):
    other = services.account_create(owner=user, name="second", initial_cash=1_000_000)
    place(account, price=69_000, quantity=1, client_order_id="x1")
    place(other, price=69_000, quantity=1, client_order_id="x1")  # another account may reuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(account=account, symbol=symbol, side="buy", type="limit", quantity=1, client_order_id="x1")


def test_database_refuses_negative_cash(account):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(cash=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(reserved_cash=account.cash + 1)


# --- costs ----------------------------------------------------------------------------------------


def test_commission_rounds_down_to_the_won(settings):
    settings.ORDERS_COMMISSION_RATE = "0.00015"
    assert costs.commission_for(6_666) == 0  # 0.9999
    assert costs.commission_for(700_000) == 105
    assert costs.commission_for(1_000_000_000) == 150_000


@pytest.mark.parametrize(
    ("day", "market", "rate"),
    [
        (dt.date(2024, 6, 1), Market.KOSPI, "0.0018"),
        (dt.date(2024, 6, 1), Market.KOSDAQ, "0.0018"),
        (dt.date(2025, 6, 1), Market.KOSPI, "0.0015"),
        (dt.date(2025, 6, 1), Market.KOSDAQ, "0.0015"),
        (dt.date(2026, 1, 1), Market.KOSPI, "0.0020"),
        (dt.date(2027, 3, 2), Market.KOSDAQ, "0.0020"),
        (dt.date(2026, 5, 1), Market.KONEX, "0.0010"),
        (dt.date(2023, 12, 31), Market.KOSPI, "0.0020"),
        (dt.date(2015, 1, 2), Market.KOSPI, "0.0030"),
        (dt.date(2015, 1, 2), Market.KOSDAQ, "0.0030"),
        (dt.date(2019, 6, 3), Market.KONEX, "0.0010"),
        (dt.date(2019, 5, 31), Market.KONEX, "0.0030"),
        (dt.date(1995, 12, 31), Market.KOSPI, "0"),
    ],
)
def test_sell_tax_table_by_date_and_market(day, market, rate):
    assert costs.sell_tax_rate(market, day) == Decimal(rate)


@pytest.mark.parametrize(
    ("trade_day", "settles", "kospi", "kosdaq", "before"),
    [
        # trade day → settlement day (T+2 on XKRX days): the new rate starts with the settlement day
        (dt.date(2019, 5, 30), dt.date(2019, 6, 3), "0.0025", "0.0025", "0.0030"),
        (dt.date(2020, 12, 29), dt.date(2021, 1, 4), "0.0023", "0.0023", "0.0025"),
        (dt.date(2024, 12, 27), dt.date(2025, 1, 2), "0.0015", "0.0015", "0.0018"),
        (dt.date(2025, 12, 29), dt.date(2026, 1, 2), "0.0020", "0.0020", "0.0015"),
    ],
)
def test_a_sale_pays_the_rate_of_its_settlement_date(trade_day, settles, kospi, kosdaq, before):
    assert costs.settlement_date(trade_day) == settles
    assert costs.sell_tax_rate_for_trade(Market.KOSPI, trade_day) == Decimal(kospi)
    assert costs.sell_tax_rate_for_trade(Market.KOSDAQ, trade_day) == Decimal(kosdaq)
    # the trading day before settles a day earlier, under the old rate
    earlier = timetable.previous_trading_day(trade_day)
    assert costs.settlement_date(earlier) < settles
    assert costs.sell_tax_rate_for_trade(Market.KOSPI, earlier) == Decimal(before)


def test_sell_tax_rounds_down_and_is_configurable(settings):
    assert costs.sell_tax_for(1_234_567, Market.KOSPI, dt.date(2026, 2, 2)) == 2_469  # 2,469.134
    settings.ORDERS_SELL_TAX_TABLE = '{"2020-01-01": {"KOSPI": "0.01"}}'
    assert costs.sell_tax_for(1_234_567, Market.KOSPI, dt.date(2026, 2, 2)) == 12_345
    assert costs.sell_tax_rate(Market.KOSDAQ, dt.date(2026, 2, 2)) == 0


def test_expire_task_expires_the_orders_of_the_last_close(account, symbol, practice_clock):
    from orders.tasks import expire_day_orders

    before_close = place(account, price=69_500, quantity=5)
    close = timetable.last_regular_close(practice_clock.now())  # orders are stamped in market time
    Order.objects.filter(pk=before_close.pk).update(created_at=close - dt.timedelta(minutes=1))
    today = place(account, price=69_500, quantity=5)
    assert expire_day_orders.apply().get() == 1
    assert fresh(before_close).status == OrderStatus.EXPIRED and fresh(today).status == OrderStatus.NEW


def test_demo_seed_funds_one_account_once(user):
    import io

    from orders import demo

    out = io.StringIO()
    demo.seed(user=user, stdout=out)
    demo.seed(user=user, stdout=out)
    account = Account.objects.get(owner=user)
    assert (account.name, account.cash) == ("기본 계좌", 100_000_000)
    assert_account_invariants(account.pk)


# --- T+2 balances ---------------------------------------------------------------------------------


def _on_day(order, day: dt.date) -> None:
    """Move an order's fills and their ledger rows to 10:00 KST on `day` (a trade made that day)."""
    at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=timetable.SEOUL)
    Trade.objects.filter(order=order).update(time=at)
    CashEntry.objects.filter(order=order).update(time=at)


def test_sale_proceeds_are_orderable_at_once_but_settle_two_trading_days_later(account, symbol):
    from orders.selectors import account_balances

    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=1))
    buy = place(account, type="market", quantity=10)  # 700,000 + 105 commission
    set_book(book_around(CODE, 71_000, 71_100))  # inside every VI range of the last trade
    sell = place(account, side="sell", type="market", quantity=10)
    # Bought on Friday 2026-11-27, sold on Monday 11-30: they settle Tue 12-01 and Wed 12-02.
    _on_day(buy, dt.date(2026, 11, 27))
    _on_day(sell, dt.date(2026, 11, 30))
    account = fresh(account)
    bought = -(700_000 + 105)
    sold = sum(e.amount for e in CashEntry.objects.filter(order=sell))
    assert sold == 710_000 - costs.commission_for(710_000) - Trade.objects.get(order=sell).tax
    start = 10_000_000

    def at(day: dt.date):
        now = dt.datetime.combine(day, dt.time(12, 0), tzinfo=timetable.SEOUL)
        return account_balances([account], now)[account.pk]

    monday = at(dt.date(2026, 11, 30))
    assert (monday.settled, monday.d1, monday.d2) == (start, start + bought, start + bought + sold)
    assert monday.orderable == account.cash == start + bought + sold, "the sale can buy again at once"
    tuesday = at(dt.date(2026, 12, 1))
    assert (tuesday.settled, tuesday.d1, tuesday.d2) == (start + bought, account.cash, account.cash)
    wednesday = at(dt.date(2026, 12, 2))
    assert wednesday.settled == wednesday.d1 == wednesday.d2 == account.cash


def test_a_holiday_pushes_settlement_back(account, symbol):
    from orders.selectors import account_balances

    set_book(book_around(CODE, 69_900, 70_000, quantity=10, levels=1))
    buy = place(account, type="market", quantity=10)
    # Bought Wed 2026-12-30; 12-31 is KRX's year-end closing day and 01-01 a holiday: settles Mon 01-05.
    _on_day(buy, dt.date(2026, 12, 30))
    account = fresh(account)
    assert costs.settlement_date(dt.date(2026, 12, 30)) == dt.date(2027, 1, 5)
    friday = account_balances([account], dt.datetime(2027, 1, 2, 12, tzinfo=timetable.SEOUL))[account.pk]
    assert friday.settled == 10_000_000 and friday.d2 == account.cash
    assert friday.d1 == 10_000_000, "the next trading day (Mon 01-04) settles nothing"
    monday = account_balances([account], dt.datetime(2027, 1, 4, 12, tzinfo=timetable.SEOUL))[account.pk]
    assert monday.settled == 10_000_000 and monday.d1 == account.cash
