"""The exchange core's laws, stated as hypothesis properties over random command sequences."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from market.exchange import (
    Accepted,
    BookPhase,
    Cancelled,
    MatchingEngine,
    Modified,
    Traded,
)
from market.tests.exchange_helpers import SECOND, T0

PRICES = [9_500 + 50 * i for i in range(21)]  # 9,500–10,500: wide enough to trip the 3% dynamic VI

submit = st.tuples(
    st.just("submit"),
    st.sampled_from(["buy", "sell"]),
    st.sampled_from(["limit"] * 6 + ["market", "best", "priority", "conditional"]),
    st.sampled_from(["day"] * 4 + ["ioc", "fok"]),
    st.sampled_from(PRICES),
    st.integers(1, 300),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 60), st.one_of(st.none(), st.integers(1, 200)))
modify = st.tuples(
    st.just("modify"), st.integers(0, 60), st.one_of(st.none(), st.sampled_from(PRICES)), st.integers(1, 300)
)
phase = st.tuples(st.sampled_from(["call", "closing", "continuous", "advance", "expire"]))
command = st.one_of(submit, submit, submit, submit, submit, submit, cancel, modify, phase)
step = st.tuples(st.integers(0, 20 * SECOND), command)


def random_steps(flow_seed: int, n: int) -> list:
    """A busier flow than hypothesis' own draws: orders around a drifting mid, many crossing."""
    rng = random.Random(flow_seed)
    steps = []
    mid = 10
    for _ in range(n):
        roll = rng.random()
        mid = min(max(mid + rng.choice((-1, 0, 0, 1)), 3), 17)
        if roll < 0.7:
            side = rng.choice(("buy", "sell"))
            offset = rng.randint(-3, 3)
            price = PRICES[min(max(mid + (offset if side == "buy" else -offset), 0), len(PRICES) - 1)]
            kind = rng.choice(["limit"] * 8 + ["market", "best", "priority", "conditional"])
            tif = rng.choice(["day"] * 6 + ["ioc", "fok"])
            cmd = ("submit", side, kind, tif, price, rng.randint(1, 300))
        elif roll < 0.85:
            cmd = ("cancel", rng.randint(0, 400), rng.choice((None, rng.randint(1, 100))))
        elif roll < 0.95:
            cmd = ("modify", rng.randint(0, 400), rng.choice((None, rng.choice(PRICES))), rng.randint(1, 300))
        else:
            cmd = (rng.choice(["call", "closing", "continuous", "advance", "expire"]),)
        steps.append((rng.randint(0, 5 * SECOND), cmd))
    return steps


def run(steps, seed):
    """Apply the commands; return the engine, every event, and the checks made along the way."""
    e = MatchingEngine("T", base_price=10_000, kospi200=True, market="KOSPI", seed=seed)
    e.start_continuous(T0)
    at = T0
    events = []
    ids = []
    for n, (dt, cmd) in enumerate(steps):
        at += dt
        events.extend(e.advance(at))
        before = e.resting_orders()
        kind = cmd[0]
        if kind == "submit":
            _, side, order_kind, tif, price, quantity = cmd
            ids.append(n)
            out = e.submit(
                at,
                order_id=n,
                side=side,
                quantity=quantity,
                kind=order_kind,
                price=price if order_kind in ("limit", "conditional") else None,
                tif=tif,
            )
            if e.phase is BookPhase.CONTINUOUS or any(isinstance(x, Traded) and x.aggressor for x in out):
                check_priority(before, out, side)
        elif kind == "cancel":
            if not ids:
                continue
            out = e.cancel(at, order_id=ids[cmd[1] % len(ids)], quantity=cmd[2])
        elif kind == "modify":
            if not ids:
                continue
            out = e.modify(at, order_id=ids[cmd[1] % len(ids)], price=cmd[2], quantity=cmd[3])
        elif kind in ("call", "closing"):
            reason = "pre_open" if kind == "call" else "closing"
            out = e.start_call(at, scheduled_end=at + 60 * SECOND, then=BookPhase.CONTINUOUS, reason=reason)
        elif kind == "continuous":
            out = e.start_continuous(at)
        elif kind == "expire":
            out = e.expire(at)
        else:
            out = e.advance(at + 200 * SECOND)
            at += 200 * SECOND
        events.extend(out)
        check_book(e, out)
    return e, events


def check_book(e: MatchingEngine, out) -> None:
    if e.phase is BookPhase.CONTINUOUS and e.best_bid is not None and e.best_ask is not None:
        assert e.best_bid < e.best_ask, "crossed in continuous trading"
    for x in out:
        if isinstance(x, Traded):
            assert e.lower <= x.price <= e.upper
            assert x.quantity > 0 and x.buy_order_id != x.sell_order_id


def check_priority(before, out, side) -> None:
    """An incoming order takes the opposite side's resting orders strictly in priority order."""
    opposite = [o for o in before if o.side != side]
    hit = [x for x in out if isinstance(x, Traded) and x.aggressor is not None]
    counterparties = [x.sell_order_id if side == "buy" else x.buy_order_id for x in hit]
    expected = [o.order_id for o in opposite[: len(counterparties)]]
    assert counterparties == expected
    by_id = {o.order_id: o for o in opposite}
    for x, cp in zip(hit[:-1], counterparties[:-1], strict=True):
        assert x.quantity == by_id[cp].quantity  # everyone but the last counterparty is filled in full
        assert x.price == by_id[cp].price  # at the resting order's price


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=10, max_size=120), st.integers(0, 3))
def test_book_laws_hold_after_every_command(steps, seed):
    check_laws(*run(steps, seed))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 3))
def test_book_laws_hold_on_busy_random_flows(flow_seed, seed):
    e, events = run(random_steps(flow_seed, 400), seed)
    check_laws(e, events)
    assert any(isinstance(x, Traded) for x in events)


def check_laws(e, events) -> None:
    # quantity is conserved: open = accepted − traded − cancelled (± modifications), order by order
    open_quantity: dict = {}
    filled: dict = {}
    for x in events:
        if isinstance(x, Accepted):
            open_quantity[x.order_id] = x.quantity
        elif isinstance(x, Traded):
            for order_id in (x.buy_order_id, x.sell_order_id):
                open_quantity[order_id] -= x.quantity
                filled[order_id] = filled.get(order_id, 0) + x.quantity
        elif isinstance(x, Cancelled):
            open_quantity[x.order_id] -= x.quantity
            assert open_quantity[x.order_id] == x.remaining
        elif isinstance(x, Modified):
            open_quantity[x.order_id] = x.quantity
    for order_id, quantity in open_quantity.items():
        assert quantity >= 0
        view = e.order(order_id)
        assert (view.quantity if view else 0) == quantity
        if view:
            assert view.filled == filled.get(order_id, 0)
    # the published book is the book the engine holds
    levels: dict = {}
    for view in e.resting_orders():
        levels[(view.side, view.price)] = levels.get((view.side, view.price), 0) + view.quantity
    asks, bids = e.depth(levels=100)
    assert {("sell", p): q for p, q in asks} | {("buy", p): q for p, q in bids} == levels
    seqs = [x.seq for x in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


@settings(max_examples=60, deadline=None)
@given(st.lists(step, min_size=10, max_size=60), st.integers(0, 1000))
def test_same_seed_and_inputs_give_the_same_events(steps, seed):
    assert run(steps, seed)[1] == run(steps, seed)[1]


@settings(max_examples=60, deadline=None)
@given(st.lists(step, min_size=10, max_size=60), st.integers(0, 3))
def test_a_restored_engine_continues_exactly_like_the_original(steps, seed):
    half = len(steps) // 2
    e, _ = run(steps[:half], seed)
    twin = MatchingEngine.restore(e.snapshot())
    assert twin.resting_orders() == e.resting_orders()
    at = T0 + 10**9
    for n, (dt, cmd) in enumerate(steps[half:]):
        at += dt
        if cmd[0] == "submit":
            _, side, kind, tif, price, quantity = cmd
            args = dict(order_id=f"r{n}", side=side, quantity=quantity, kind=kind, tif=tif)
            args["price"] = price if kind in ("limit", "conditional") else None
            assert e.submit(at, **args) == twin.submit(at, **args)
        else:
            assert e.advance(at) == twin.advance(at)


call_order = st.tuples(
    st.sampled_from(["buy", "sell"]),
    st.sampled_from(["limit"] * 5 + ["market"]),
    st.sampled_from(PRICES),
    st.integers(1, 500),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(call_order, min_size=1, max_size=40), st.sampled_from(PRICES), st.sampled_from(["pre_open", "closing"]))
def test_an_uncross_fills_better_priced_and_market_orders_in_full_at_one_price(orders, base, reason):
    e = MatchingEngine("T", base_price=base, kospi200=False, market="KOSDAQ", seed=3)
    e.start_call(T0, scheduled_end=T0 + SECOND, then=BookPhase.CONTINUOUS, reason=reason)
    for n, (side, kind, price, quantity) in enumerate(orders):
        e.submit(T0, order_id=n, side=side, quantity=quantity, kind=kind, price=price if kind == "limit" else None)
    before = {o.order_id: o for o in e.resting_orders()}
    expected = e.indicative()
    events = e.advance(T0 + 10**12)  # past any random end and VI extension
    uncross = [x for x in events if isinstance(x, Traded) and x.aggressor is None]
    if expected[0] is None:
        assert uncross == []
        return
    prices = {t.price for t in uncross}
    assert len(prices) == 1  # one price for the whole auction
    (price,) = prices
    filled: dict = {}
    for t in uncross:
        filled[t.buy_order_id] = filled.get(t.buy_order_id, 0) + t.quantity
        filled[t.sell_order_id] = filled.get(t.sell_order_id, 0) + t.quantity
    buys = sum(t.quantity for t in uncross)
    assert buys == sum(q for i, q in filled.items() if before[i].side == "buy")  # every share has both sides
    for order in before.values():
        better = order.price > price if order.side == "buy" else order.price < price
        if better and order.kind != "market":
            assert filled.get(order.order_id, 0) == order.quantity, "a better-priced order was not filled in full"
        if not (order.price >= price if order.side == "buy" else order.price <= price):
            assert order.order_id not in filled  # no one trades at a price worse than their limit
    market = [o for o in before.values() if o.kind == "market"]
    sides_with_unfilled_market = {o.side for o in market if filled.get(o.order_id, 0) < o.quantity}
    for side in sides_with_unfilled_market:  # a market order is left open only when the other side ran out
        other = [o for o in before.values() if o.side != side]
        assert all(
            filled.get(o.order_id, 0) == o.quantity
            for o in other
            if (o.price <= price if side == "buy" else o.price >= price)
        )
