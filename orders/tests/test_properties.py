"""Random order/tick sequences; the money invariants must hold after every single step.

Each example gets a fresh user and account; assert_account_invariants states the identity checked
(cash + cost basis = funding + realised P&L net of every commission and tax).
"""

import itertools
import os

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.exceptions import DomainError
from market import rules
from market.rules import tick_down, tick_up
from market.state import BookLevel, OrderBook
from orders import costs, services
from orders.enums import OPEN_STATUSES
from orders.models import Order
from orders.tests.factories import SymbolFactory, publish_book, publish_trade, set_book
from orders.tests.invariants import assert_account_invariants

CODE = "005930"
PREV_CLOSE = 70_000
_usernames = itertools.count()


def price_at(offset: int) -> int:
    """A grid price `offset` ticks from the previous close (negative: below)."""
    return tick_up(PREV_CLOSE, offset) if offset >= 0 else tick_down(PREV_CLOSE, -offset)


# Offsets wide enough to leave the ±30% band (≈ ±210 ticks of 100 won) now and then.
offsets = st.integers(min_value=-230, max_value=230)

place_op = st.fixed_dictionaries(
    {
        "op": st.just("place"),
        "side": st.sampled_from(["buy", "sell"]),
        "type": st.sampled_from(["limit", "limit", "market"]),
        "tif": st.sampled_from(["DAY", "DAY", "IOC", "FOK"]),
        "quantity": st.integers(min_value=1, max_value=60),
        "offset": offsets,
    }
)
book_op = st.fixed_dictionaries(
    {
        "op": st.just("book"),
        "mid": offsets,
        "spread": st.integers(min_value=1, max_value=3),
        "sizes": st.lists(st.integers(min_value=1, max_value=40), min_size=0, max_size=10),
    }
)
trade_op = st.fixed_dictionaries(
    {"op": st.just("trade"), "offset": offsets, "quantity": st.integers(min_value=1, max_value=50)}
)
cancel_op = st.fixed_dictionaries({"op": st.just("cancel"), "pick": st.integers(min_value=0, max_value=20)})
deposit_op = st.fixed_dictionaries({"op": st.just("deposit"), "amount": st.integers(min_value=1, max_value=5_000_000)})
misc_op = st.sampled_from([{"op": "expire"}, {"op": "reset"}])
operations = st.lists(
    st.one_of(place_op, place_op, book_op, book_op, trade_op, cancel_op, deposit_op, misc_op), min_size=1, max_size=25
)


def build_book(mid: int, spread: int, sizes: list[int]) -> OrderBook:
    bid = price_at(mid)
    ask = tick_up(bid, spread)
    asks, bids = [], []
    for i, size in enumerate(sizes):
        asks.append(BookLevel(tick_up(ask, i), size))
        bids.append(BookLevel(tick_down(bid, i), size))
    return OrderBook(code=CODE, asks=tuple(asks), bids=tuple(bids), time=timezone.now())


def run(account_id: int, step: dict) -> None:
    op = step["op"]
    try:
        if op == "place":
            services.order_place(
                account_id=account_id,
                symbol=CODE,
                side=step["side"],
                type=step["type"],
                time_in_force=step["tif"],
                quantity=step["quantity"],
                price=price_at(step["offset"]) if step["type"] == "limit" else None,
            )
        elif op == "book":
            publish_book(build_book(step["mid"], step["spread"], step["sizes"]), prev_close=PREV_CLOSE)
        elif op == "trade":
            publish_trade(CODE, price_at(step["offset"]), step["quantity"], prev_close=PREV_CLOSE)
        elif op == "cancel":
            open_ids = list(
                Order.objects.filter(account_id=account_id, status__in=OPEN_STATUSES).values_list("id", flat=True)
            )
            if open_ids:
                services.order_cancel(order_id=open_ids[step["pick"] % len(open_ids)])
        elif op == "deposit":
            services.account_deposit(account_id=account_id, amount=step["amount"])
        elif op == "expire":
            services.order_expire_day_orders()
        elif op == "reset":
            services.account_reset(account_id=account_id)
    except DomainError:
        pass  # a refused order (no cash, no shares, off the band ...) changes nothing


@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("PAPERTRADE_ORDERS_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=operations, cash=st.integers(min_value=0, max_value=20_000_000))
def test_invariants_hold_after_every_step(django_user_model, steps, cash):
    _check(django_user_model, steps, cash)


# Outside a test transaction, as in production, with another process's deposits (a second
# connection) mixed in: every write reads the account under its lock, so they are never lost.
elsewhere_op = st.fixed_dictionaries(
    {"op": st.just("elsewhere"), "amount": st.integers(min_value=1, max_value=5_000_000)}
)
operations_with_elsewhere = st.lists(
    st.one_of(
        place_op, place_op, place_op, place_op, book_op, trade_op, cancel_op, elsewhere_op, elsewhere_op, misc_op
    ),
    min_size=5,
    max_size=30,
)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=int(os.environ.get("PAPERTRADE_ORDERS_PROPERTY_EXAMPLES", "60")) // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=operations_with_elsewhere, cash=st.integers(min_value=2_000_000, max_value=50_000_000))
def test_invariants_hold_outside_transactions_with_another_process_writing(django_user_model, steps, cash):
    import psycopg
    from django.db import connection

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:

        def deposit_elsewhere(account_id: int, amount: int) -> None:
            with other.transaction():
                other.execute(
                    "UPDATE orders_account SET cash = cash + %(a)s, total_deposits = total_deposits + %(a)s"
                    " WHERE id = %(id)s",
                    {"a": amount, "id": account_id},
                )
                other.execute(
                    "INSERT INTO orders_cashentry (account_id, kind, amount, balance_after, note, time)"
                    " SELECT id, 'deposit', %(a)s, cash, 'elsewhere', now() FROM orders_account WHERE id = %(id)s",
                    {"a": amount, "id": account_id},
                )

        _check(django_user_model, steps, cash, elsewhere=deposit_elsewhere)


def _check(django_user_model, steps, cash, elsewhere=None) -> None:
    SymbolFactory(code=CODE, prev_close=PREV_CLOSE)
    user = django_user_model.objects.create_user(username=f"prop{next(_usernames)}")
    account = services.account_create(owner=user, name="prop", initial_cash=cash)
    # Start with a book and some shares so sells have something to work with.
    set_book(build_book(0, 1, [30] * 10))
    upper = rules.price_limit_band(PREV_CLOSE)[1]  # a market buy is held at the upper limit
    services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=5
    ) if cash >= costs.buy_reservation(upper, 5) else None
    assert_account_invariants(account.pk)
    for step in steps:
        if step["op"] == "elsewhere":
            elsewhere(account.pk, step["amount"])
        else:
            run(account.pk, step)
        assert_account_invariants(account.pk)
