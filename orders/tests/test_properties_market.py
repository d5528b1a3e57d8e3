"""Random users' orders among the synthetic market's own participants, through the pre-open call,
the opening uncross, continuous trading (a sweep now and then, to trigger VIs), 정정, partial
cancels and conditional orders: the money invariants must hold after every step."""

import datetime as dt
import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.exceptions import DomainError, ServiceUnavailable
from market import signals, timetable, venue
from market.feeds.simulated import SymbolSpec, SyntheticMarket
from market.rules import round_to_tick, tick_down, tick_up
from market.state import store
from market.testing import Exchange
from orders import conditions, services
from orders.enums import OPEN_STATUSES
from orders.models import Order
from orders.tests.factories import SymbolFactory
from orders.tests.invariants import assert_account_invariants

CODE = "005930"
PREV_CLOSE = 70_000
_usernames = itertools.count()


class _Clock:
    """Market time the test moves by hand."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


def price_at(offset: int) -> int:
    return tick_up(PREV_CLOSE, offset) if offset >= 0 else tick_down(PREV_CLOSE, -offset)


offsets = st.integers(min_value=-40, max_value=40)
operations = st.lists(
    st.one_of(
        st.fixed_dictionaries({"op": st.just("wait"), "seconds": st.integers(min_value=1, max_value=600)}),
        st.fixed_dictionaries(
            {
                "op": st.just("place"),
                "side": st.sampled_from(["buy", "sell"]),
                "type": st.sampled_from(["limit", "limit", "market", "best", "priority"]),
                "tif": st.sampled_from(["DAY", "DAY", "IOC", "FOK"]),
                "quantity": st.integers(min_value=1, max_value=400),
                "offset": offsets,
            }
        ),
        st.fixed_dictionaries({"op": st.just("sweep"), "side": st.sampled_from(["buy", "sell"])}),
        st.fixed_dictionaries(
            {
                "op": st.just("modify"),
                "pick": st.integers(min_value=0, max_value=20),
                "offset": st.one_of(st.none(), offsets),
                "quantity": st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
            }
        ),
        st.fixed_dictionaries(
            {
                "op": st.just("cancel"),
                "pick": st.integers(min_value=0, max_value=20),
                "part": st.one_of(st.none(), st.integers(min_value=1, max_value=50)),
            }
        ),
        st.fixed_dictionaries(
            {
                "op": st.just("condition"),
                "trigger": st.sampled_from(["stop", "take_profit", "trailing"]),
                "side": st.sampled_from(["buy", "sell"]),
                "quantity": st.integers(min_value=1, max_value=100),
                "offset": st.integers(min_value=1, max_value=15),
            }
        ),
    ),
    min_size=3,
    max_size=25,
)


def run(account_id: int, step: dict, clock: _Clock) -> None:
    op = step["op"]
    if op == "wait":
        clock.at += dt.timedelta(seconds=step["seconds"])
        return
    if op in ("place", "sweep"):
        sweep = op == "sweep"
        kind = "market" if sweep else step["type"]
        priced = kind == "limit"
        services.order_place(
            account_id=account_id,
            symbol=CODE,
            side=step["side"],
            type=kind,
            time_in_force="DAY" if sweep or kind == "priority" else step["tif"],
            quantity=300_000 if sweep else step["quantity"],
            price=price_at(step["offset"]) if priced else None,
        )
        return
    open_orders = list(Order.objects.filter(account_id=account_id, status__in=OPEN_STATUSES).order_by("id"))
    if op == "modify" and open_orders:
        order = open_orders[step["pick"] % len(open_orders)]
        price = price_at(step["offset"]) if step["offset"] is not None and order.price is not None else None
        services.order_modify(order_id=order.pk, price=price, quantity=step["quantity"])
    elif op == "cancel" and open_orders:
        order = open_orders[step["pick"] % len(open_orders)]
        part = step["part"] if step["part"] is not None and step["part"] < order.remaining_quantity else None
        services.order_cancel(order_id=order.pk, quantity=part)
    elif op == "condition":
        quote = store().quote(CODE)
        last = quote.price if quote is not None else PREV_CLOSE
        away = step["offset"] if (step["side"] == "buy") == (step["trigger"] == "stop") else -step["offset"]
        fields = {"trigger": step["trigger"], "side": step["side"], "quantity": step["quantity"]}
        if step["trigger"] == "trailing":
            fields["trail_amount"] = step["offset"] * 100
        else:
            fields["trigger_price"] = round_to_tick(last + away * 100)
        conditions.condition_create(account_id=account_id, symbol=CODE, **fields)


@pytest.mark.django_db
@settings(
    max_examples=int(os.environ.get("PAPERTRADE_ORDERS_PROPERTY_EXAMPLES", "60")) // 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=operations,
    start=st.sampled_from([dt.time(8, 50), dt.time(8, 59, 30), dt.time(10, 0)]),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_invariants_hold_among_the_synthetic_participants(django_user_model, steps, start, seed):
    SymbolFactory(code=CODE, prev_close=PREV_CLOSE)
    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    clock = _Clock(dt.datetime.combine(day, start, tzinfo=timetable.SEOUL))
    spec = SymbolSpec(code=CODE, market="KOSPI", prev_close=PREV_CLOSE, daily_value=500_000_000_000, kospi200=True)
    market = SyntheticMarket([spec], seed=seed, participants=True)
    prints: dict[str, tuple[int, int, int]] = {}

    def noted(sender, trade, **kwargs):  # what the watcher would see, looked at after each step
        high, low, _ = prints.get(trade.code, (trade.price, trade.price, trade.price))
        prints[trade.code] = (max(high, trade.price), min(low, trade.price), trade.price)

    owner = venue.LocalVenue(market, clock=clock, on_updates=Exchange._publish)
    previous = venue.local()
    venue.serve(owner)
    signals.trade_printed.connect(noted, weak=False)
    try:
        user = django_user_model.objects.create_user(username=f"market-{next(_usernames)}")
        account = services.account_create(owner=user, name="p", initial_cash=50_000_000_000)
        services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=2_000)
        for step in steps:
            try:
                run(account.pk, step, clock)
            except (DomainError, ServiceUnavailable):
                pass  # refused (no cash or shares, a closed board, a condition already met …)
            venue.send(venue.Inspect(ref="o0", code=CODE, board="regular"))  # the market moves on to now
            if prints:
                seen, prints = dict(prints), {}
                conditions.evaluate(seen)
            assert_account_invariants(account.pk)
    finally:
        signals.trade_printed.disconnect(noted)
        venue.serve(previous)
