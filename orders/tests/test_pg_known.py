"""Orders on an account this process wrote last (orders/pg.py known_snapshot): one statement,
no locking round trip, guarded by the account's and position's row versions.

"Another process" is a second PostgreSQL connection writing the rows directly, as a worker or the
feed process would: this process's memory of the account does not hear of it, so only the
write's guard can notice. `lock_for_order` is wrapped (called through) to see which way an order
went."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from config.exceptions import DomainError
from orders import pg, services
from orders.models import Account, Order, Position
from orders.tests.factories import SymbolFactory, account_in_deep_market, book_around, set_book
from orders.tests.invariants import assert_account_invariants

CODE = "005930"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(user):
    return account_in_deep_market(user, code=CODE)


@pytest.fixture
def locked_ways(monkeypatch):
    """How many orders went the locked way (lock_for_order, then the write)."""
    calls = []
    real = pg.lock_for_order

    def counting(**kwargs):
        calls.append(kwargs["account_id"])
        return real(**kwargs)

    monkeypatch.setattr(pg, "lock_for_order", counting)
    return calls


def _other_process() -> psycopg.Connection:
    return psycopg.connect(**connection.get_connection_params(), autocommit=False)


def _deposit_elsewhere(conn: psycopg.Connection, account_id: int, amount: int) -> None:
    """A deposit as another process books it: the ledger row and the cash together."""
    conn.execute(
        "UPDATE orders_account SET cash = cash + %(a)s, total_deposits = total_deposits + %(a)s WHERE id = %(id)s",
        {"a": amount, "id": account_id},
    )
    _ledger(conn, account_id, "deposit", amount)


def _reset_elsewhere(conn: psycopg.Connection, account_id: int, cash: int) -> None:
    """An account reset to `cash` won as another process books it (positions go, as in account_reset)."""
    conn.execute("DELETE FROM orders_position WHERE account_id = %s", [account_id])
    conn.execute(
        "UPDATE orders_account SET cash = %(c)s, initial_cash = %(c)s, total_deposits = 0 WHERE id = %(id)s",
        {"c": cash, "id": account_id},
    )
    conn.execute(
        "INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, note, time)"
        " SELECT %(id)s, 'reset', %(c)s - COALESCE(SUM(amount), 0), %(c)s, 'elsewhere', now()"
        " FROM orders_cashentry WHERE account_id = %(id)s",
        {"c": cash, "id": account_id},
    )


def _ledger(conn: psycopg.Connection, account_id: int, kind: str, amount: int) -> None:
    conn.execute(
        "INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, note, time)"
        " SELECT id, %(k)s, %(a)s, cash, 'elsewhere', now() FROM orders_account WHERE id = %(id)s",
        {"a": amount, "k": kind, "id": account_id},
    )


def _buy(account, quantity: int, **kwargs):
    return services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=quantity, **kwargs
    )


def test_the_next_order_of_a_known_account_goes_in_one_statement(account, locked_ways):
    first, _ = _buy(account, 3)
    assert locked_ways == [account.pk]  # nothing known yet: locked
    second, created = _buy(account, 2)
    sell, _ = services.order_place(account_id=account.pk, symbol=CODE, side="sell", type="market", quantity=4)
    assert locked_ways == [account.pk]  # the buy and the sell went in one statement each
    assert created and second.pk > first.pk and second.status == sell.status == "filled"
    assert connection.connection.info.transaction_status.name == "IDLE"
    assert Position.objects.get(account=account).quantity == 1
    assert_account_invariants(account.pk)


def test_a_change_made_elsewhere_sends_the_order_the_locked_way(account, locked_ways):
    _buy(account, 1)
    with _other_process() as other:
        other.execute("UPDATE orders_account SET name = 'renamed' WHERE id = %s", [account.pk])
        other.commit()
    order, _ = _buy(account, 1)
    assert order.status == "filled"
    assert locked_ways == [account.pk, account.pk]
    assert_account_invariants(account.pk)


def test_cash_deposited_elsewhere_is_spent_not_refused(account, locked_ways):
    _buy(account, 1)
    with _other_process() as other:
        _deposit_elsewhere(other, account.pk, 20_000_000)
        other.commit()
    # What this process knows (about 9.9M won) cannot pay for 200 shares: the refusal is not
    # trusted, the order is decided again under the lock and goes through.
    order, _ = _buy(account, 200)
    assert order.status == "filled" and order.filled_quantity == 200
    assert len(locked_ways) == 2
    assert_account_invariants(account.pk)


def test_cash_gone_elsewhere_is_not_spent(account, locked_ways):
    _buy(account, 1)
    with _other_process() as other:
        _reset_elsewhere(other, account.pk, 1_000)
        other.commit()
    with pytest.raises(DomainError, match="Not enough cash"):
        _buy(account, 1)
    assert Order.objects.filter(account=account).count() == 1
    assert Account.objects.get(pk=account.pk).cash == 1_000
    assert_account_invariants(account.pk)


def test_a_write_that_waited_for_another_transaction_checks_again_after_it(account, locked_ways):
    """The other transaction holds the account row while this process sends an order decided on
    the old cash; it commits a withdrawal; the order must then be decided again and refused."""
    _buy(account, 1)
    outcome = []
    with _other_process() as other:
        _reset_elsewhere(other, account.pk, 1_000)  # not committed yet

        def place():
            try:
                outcome.append(_buy(account, 10))
            except DomainError as exc:
                outcome.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=place)
        thread.start()
        time.sleep(0.5)  # the order's statement is now waiting for the account row
        assert not outcome
        other.commit()
        thread.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], DomainError), outcome
    assert "Not enough cash" in str(outcome[0])
    assert Order.objects.filter(account=account).count() == 1
    assert Account.objects.get(pk=account.pk).cash == 1_000
    assert_account_invariants(account.pk)


def test_a_position_changed_without_its_account_is_still_noticed(account, locked_ways):
    """Every writer in orders.services updates the account with the position; the position's own
    version guards against one that would not."""
    _buy(account, 5)
    with _other_process() as other:
        other.execute("UPDATE orders_position SET reserved_quantity = 5 WHERE account_id = %s", [account.pk])
        other.commit()
    with pytest.raises(DomainError, match="Not enough shares"):
        services.order_place(account_id=account.pk, symbol=CODE, side="sell", type="market", quantity=5)
    assert len(locked_ways) == 2
    assert Position.objects.get(account=account).quantity == 5


def test_a_retried_client_order_id_on_a_known_account_returns_the_first(account, locked_ways):
    _buy(account, 1)
    first, created = _buy(account, 1, client_order_id="k-1")
    again, created_again = _buy(account, 1, client_order_id="k-1")
    assert created and not created_again and again.pk == first.pk
    assert locked_ways == [account.pk, account.pk]  # the retry: refused by the unique index, then locked
    assert Order.objects.filter(account=account).count() == 2
    assert connection.connection.info.transaction_status.name == "IDLE"
    assert_account_invariants(account.pk)


def test_another_user_gets_no_answer_from_what_is_known(account, other_user):
    _buy(account, 1)
    from config.exceptions import NotFound

    with pytest.raises(NotFound):
        services.order_place(
            account_id=account.pk, owner_id=other_user.pk, symbol=CODE, side="buy", type="market", quantity=1
        )
    assert Order.objects.filter(account=account).count() == 1


@pytest.mark.parametrize("known", [False, True])
def test_events_that_cannot_be_built_never_undo_the_order(account, monkeypatch, caplog, known):
    """The order's events are built while its write runs; a failure there is logged, the write's
    answer is still read, and the order stands (the REST API stays the record)."""
    from orders import events

    if known:
        _buy(account, 1)

    def broken(*args, **kwargs):
        raise ValueError("payload bug")

    monkeypatch.setattr(events, "order_payload", broken)
    order, created = _buy(account, 2)
    assert created and order.pk and order.status == "filled"
    assert connection.connection.info.transaction_status.name == "IDLE"
    assert Order.objects.filter(pk=order.pk, filled_quantity=2).exists()
    assert "payload bug" in caplog.text
    assert_account_invariants(account.pk)


def test_what_is_known_of_other_symbols_survives_an_order_in_one(account, locked_ways):
    SymbolFactory(code="000660", name="SK하이닉스", prev_close=200_000)
    set_book(book_around("000660", 199_500, 200_000, quantity=1_000), prev_close=200_000)

    def buy(code):
        return services.order_place(account_id=account.pk, symbol=code, side="buy", type="market", quantity=1)

    buy(CODE)
    buy("000660")  # a symbol not known yet: locked
    buy(CODE)
    buy("000660")
    assert len(locked_ways) == 2
    assert sorted(Position.objects.filter(account=account).values_list("quantity", flat=True)) == [2, 2]
    assert_account_invariants(account.pk)


def test_what_is_known_is_only_trusted_for_a_while(account, locked_ways, monkeypatch):
    _buy(account, 1)
    monkeypatch.setattr(pg, "KNOWN_FOR_SECONDS", 0.0)
    _buy(account, 1)
    assert len(locked_ways) == 2
