"""The PostgreSQL hot path (orders/pg.py) in its own-transaction mode: outside any Django
transaction it sends BEGIN and COMMIT itself, so a failure at any point must end that transaction,
leave nothing written and leave the connection usable."""

import pytest
from django.db import IntegrityError, connection

from config.exceptions import DomainError
from orders import pg, services
from orders.models import Account, CashEntry, Order, Position, Trade
from orders.tests.factories import account_in_deep_market
from orders.tests.invariants import assert_account_invariants

CODE = "005930"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(user):
    return account_in_deep_market(user, code=CODE)


def _rows(account) -> tuple[int, int, int, int]:
    return (
        Order.objects.filter(account=account).count(),
        Trade.objects.filter(account=account).count(),
        CashEntry.objects.filter(account=account).count(),
        Position.objects.filter(account=account).count(),
    )


def _transaction_status() -> str:
    return connection.connection.info.transaction_status.name


def test_outside_a_transaction_the_order_commits_its_own(account):
    assert connection.vendor == "postgresql" and pg.own_transaction_possible()
    order, created = services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=3)
    assert created and order.status == "filled" and order.pk and order.created_at
    assert _transaction_status() == "IDLE"
    assert _rows(account) == (1, 1, 3, 1)  # opening deposit, buy, commission
    trade = Trade.objects.get(order=order)
    assert (trade.quantity, trade.price) == (3, 70_000)
    assert [e.trade_id for e in CashEntry.objects.filter(order=order).order_by("id")] == [trade.pk, trade.pk]
    assert_account_invariants(account.pk)


def test_a_refusal_rolls_back_and_the_connection_goes_on(account):
    with pytest.raises(DomainError, match="Not enough shares"):
        services.order_place(account_id=account.pk, symbol=CODE, side="sell", type="market", quantity=1)
    assert _transaction_status() == "IDLE"
    with pytest.raises(DomainError, match="Not enough cash"):
        services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=1_000)
    assert _transaction_status() == "IDLE"
    assert _rows(account) == (0, 0, 1, 0)
    order, _ = services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=1)
    assert order.status == "filled"
    assert_account_invariants(account.pk)


def test_a_database_failure_in_the_write_leaves_nothing_half_written(account):
    """A trigger makes the database refuse the trade row, after the order row of the same
    statement went in: the whole order must vanish, cash untouched, and the next order work."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_trade() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse_trade BEFORE INSERT ON orders_trade "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_trade()"
        )
    try:
        with pytest.raises(IntegrityError):
            services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=2)
        assert _transaction_status() == "IDLE"
        assert _rows(account) == (0, 0, 1, 0)
        assert Account.objects.get(pk=account.pk).cash == 10_000_000
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_trade ON orders_trade")
            cursor.execute("DROP FUNCTION test_refuse_trade()")
    order, _ = services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=2)
    assert order.status == "filled"
    assert_account_invariants(account.pk)


def test_a_retried_client_order_id_returns_the_first_order(account):
    first, created = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000, client_order_id="c-1"
    )
    again, created_again = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", quantity=1, price=60_000, client_order_id="c-1"
    )
    assert created and not created_again and again.pk == first.pk
    assert _transaction_status() == "IDLE"
    assert Order.objects.filter(account=account).count() == 1


def test_without_prepared_statements_the_same_orders_go_through(account, settings):
    settings.ORDERS_DB_PREPARE = False
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=5)
    order, _ = services.order_place(account_id=account.pk, symbol=CODE, side="sell", type="market", quantity=2)
    assert order.status == "filled"
    assert Position.objects.get(account=account).quantity == 3
    assert_account_invariants(account.pk)
