"""Many threads placing, cancelling and filling on one account at once (PostgreSQL row locks)."""

import random
import threading

import pytest
from django.db import connection

from config.exceptions import Conflict, DomainError
from orders import services
from orders.enums import OPEN_STATUSES, OrderStatus
from orders.models import Account, Order
from orders.tests.factories import SymbolFactory, book_around, publish_book, set_book
from orders.tests.invariants import assert_account_invariants

CODE = "005930"
THREADS = 8
STEPS = 15


def _run_threads(target, count: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def wrapped(i: int) -> None:
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_threads_placing_and_cancelling_on_one_account_keep_the_invariants(user):
    SymbolFactory(code=CODE, prev_close=70_000)
    # Little cash: the threads compete for it, so some buys must be refused rather than overdraw.
    account = services.account_create(owner=user, name="race", initial_cash=3_000_000)
    set_book(book_around(CODE, 69_900, 70_000, quantity=1_000))
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)

    def worker(i: int) -> None:
        rng = random.Random(i)
        for step in range(STEPS):
            roll = rng.random()
            try:
                if roll < 0.45:
                    services.order_place(
                        account_id=account.pk,
                        symbol=CODE,
                        side=rng.choice(["buy", "buy", "sell"]),
                        type="limit",
                        quantity=rng.randint(1, 5),
                        price=rng.choice([69_500, 69_800, 70_000, 70_200]),
                    )
                elif roll < 0.6:
                    services.order_place(
                        account_id=account.pk, symbol=CODE, side=rng.choice(["buy", "sell"]), type="market", quantity=1
                    )
                elif roll < 0.85:
                    ids = list(
                        Order.objects.filter(account=account, status__in=OPEN_STATUSES).values_list("id", flat=True)
                    )
                    if ids:
                        services.order_cancel(order_id=rng.choice(ids))
                else:
                    bid = rng.choice([69_400, 69_700, 69_900, 70_100])
                    publish_book(book_around(CODE, bid, bid + 100, quantity=3))
                # A client retrying the same request: one order only.
                services.order_place(
                    account_id=account.pk,
                    symbol=CODE,
                    side="buy",
                    type="limit",
                    quantity=1,
                    price=60_000,
                    client_order_id=f"retry-{step}",
                )
            except (DomainError, Conflict):
                pass  # refused for lack of cash/shares, or cancelled by another thread first

    errors = _run_threads(worker, THREADS)
    assert errors == []
    assert_account_invariants(account.pk)
    account = Account.objects.get(pk=account.pk)
    assert account.cash >= 0
    assert Order.objects.filter(account=account, client_order_id__startswith="retry-").count() == STEPS
    assert Order.objects.filter(account=account, status=OrderStatus.FILLED).exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_client_order_id_place_one_order(user):
    SymbolFactory(code=CODE, prev_close=70_000)
    account = services.account_create(owner=user, name="idem", initial_cash=10_000_000)
    results = []

    def worker(i: int) -> None:
        results.append(
            services.order_place(
                account_id=account.pk,
                symbol=CODE,
                side="buy",
                type="limit",
                quantity=1,
                price=69_000,
                client_order_id="same",
            )
        )

    assert _run_threads(worker, THREADS) == []
    assert len({order.pk for order, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Order.objects.filter(account=account).count() == 1
    assert_account_invariants(account.pk)
