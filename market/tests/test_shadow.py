"""The shadow book: users' orders against a market the platform only watches (KIS mode)."""

import pytest

from market.exchange.shadow import MARKET_SIDE, ShadowBook, ShadowMarket
from market.exchange.types import Accepted, BookPhase, Cancelled, Modified, Rejected, Traded

T0 = 1_781_000_000_000_000  # some market time (µs)
DAY = 86_400_000_000
CONTINUOUS = BookPhase.CONTINUOUS


def book(asks=((70_100, 30), (70_200, 50)), bids=((70_000, 40), (69_900, 60))) -> ShadowBook:
    shadow = ShadowBook("005930")
    shadow.on_book(T0, list(asks), list(bids))
    return shadow


def submit(shadow: ShadowBook, ref: str, side: str = "buy", price: int | None = 70_000, quantity: int = 10, **kw):
    params = {"phase": CONTINUOUS, "kind": "limit" if price is not None else "market", "tif": "day", "owner": 1}
    return shadow.submit(T0, order_id=ref, side=side, price=price, quantity=quantity, **(params | kw))


def fills(events) -> list[tuple[int, int]]:
    return [(e.price, e.quantity) for e in events if isinstance(e, Traded)]


def test_a_marketable_order_takes_the_displayed_depth_and_it_is_gone_for_the_next():
    shadow = book()
    first = submit(shadow, "o1", price=70_200, quantity=50)
    assert isinstance(first[0], Accepted)
    assert fills(first) == [(70_100, 30), (70_200, 20)]
    assert first[1].buy_order_id == "o1" and first[1].sell_order_id == MARKET_SIDE
    second = submit(shadow, "o2", price=70_200, quantity=50)
    assert fills(second) == [(70_200, 30)], "the 30 at 70,100 and 20 at 70,200 were taken"
    assert shadow.orders["o2"].quantity == 20 and shadow.queue_ahead("o2") == 0  # no bids shown at 70,200
    shadow.on_book(T0 + 1, [(70_300, 100)], [(70_200, 5)])  # a new book: what was taken is back
    assert "o2" in shadow.orders


def test_a_market_buy_takes_what_is_shown_and_rests_for_the_rest():
    shadow = book()
    events = submit(shadow, "o1", price=None, quantity=100)
    assert fills(events) == [(70_100, 30), (70_200, 50)]
    assert shadow.orders["o1"].quantity == 20
    later = shadow.on_book(T0 + 1, [(70_300, 15)], [(70_000, 40)])
    assert fills(later) == [(70_300, 15)], "a market order takes the next book at its prices"


def test_a_resting_buy_fills_at_its_own_price_when_a_print_trades_through_it():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)
    assert fills(shadow.on_trade(T0 + 1, 70_000, 500)) == []
    assert fills(shadow.on_trade(T0 + 2, 69_800, 1)) == [(69_900, 10)], "never below the price that traded"
    assert "o1" not in shadow.orders


def test_a_resting_order_fills_once_the_volume_at_its_price_exceeds_what_was_ahead():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)  # 60 displayed ahead at 69,900
    assert shadow.queue_ahead("o1") == 60
    assert fills(shadow.on_trade(T0 + 1, 69_900, 45)) == []
    assert shadow.queue_ahead("o1") == 15
    assert fills(shadow.on_trade(T0 + 2, 69_900, 20)) == [(69_900, 5)]
    assert fills(shadow.on_trade(T0 + 3, 69_900, 7)) == [(69_900, 5)]


def test_two_users_at_one_price_share_a_print_in_the_order_they_were_placed():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)
    submit(shadow, "o2", price=69_900, quantity=10, owner=2)
    assert shadow.queue_ahead("o2") == 70  # the 60 displayed and the first user's 10
    events = shadow.on_trade(T0 + 1, 69_900, 75)
    assert [(e.buy_order_id, e.quantity) for e in events if isinstance(e, Traded)] == [("o1", 10), ("o2", 5)]


def test_a_new_book_through_a_resting_order_fills_it_at_its_own_price():
    shadow = book()
    submit(shadow, "o1", side="sell", price=70_200, quantity=10)
    events = shadow.on_book(T0 + 1, [(70_300, 10)], [(70_300, 4), (70_200, 30)])
    assert fills(events) == [(70_200, 4), (70_200, 6)]
    assert events[0].sell_order_id == "o1" and events[0].buy_order_id == MARKET_SIDE


def test_ioc_and_fok_as_krx_runs_them():
    shadow = book()
    ioc = submit(shadow, "o1", price=70_100, quantity=50, tif="ioc")
    assert fills(ioc) == [(70_100, 30)] and isinstance(ioc[-1], Cancelled) and ioc[-1].reason == "ioc"
    fok = submit(shadow, "o2", price=70_200, quantity=60, tif="fok")  # 50 left to take up to 70,200
    assert fills(fok) == [] and fok[-1].reason == "fok"
    assert not shadow.orders


def test_orders_wait_in_a_call_and_the_uncross_print_fills_them():
    shadow = book()
    events = submit(shadow, "o1", price=70_200, quantity=10, phase=BookPhase.CALL)
    assert fills(events) == [], "no continuous matching in a call"
    refused = submit(shadow, "o2", price=70_200, quantity=10, phase=BookPhase.CALL, tif="ioc")
    assert isinstance(refused[0], Rejected) and refused[0].reason == "tif_in_call"
    assert fills(shadow.on_trade(T0 + 1, 70_100, 10_000)) == [(70_200, 10)]


def test_a_closed_market_refuses_and_best_priced_orders_need_a_price_to_take():
    shadow = book()
    closed = submit(shadow, "o1", phase=BookPhase.CLOSED)
    assert isinstance(closed[0], Rejected) and closed[0].reason == "closed"
    best = submit(shadow, "o2", price=None, kind="best", quantity=5)
    assert best[0].price == 70_100 and fills(best) == [(70_100, 5)]
    empty = ShadowBook("000660")
    refused = submit(empty, "o3", price=None, kind="priority")
    assert refused[0].reason == "no_own_best"


def test_modify_a_price_loses_priority_a_smaller_quantity_keeps_it():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)
    submit(shadow, "o2", price=69_900, quantity=10)
    smaller = shadow.modify(T0, phase=CONTINUOUS, order_id="o1", quantity=4)
    assert isinstance(smaller[0], Modified) and smaller[0].priority_kept
    assert shadow.queue_ahead("o2") == 64
    moved = shadow.modify(T0, phase=CONTINUOUS, order_id="o1", price=70_000)
    assert not moved[0].priority_kept and shadow.queue_ahead("o1") == 40
    again = shadow.modify(T0, phase=CONTINUOUS, order_id="o1", price=69_900)
    assert shadow.queue_ahead("o1") == 70 and not again[0].priority_kept, "behind the other user now"
    through = shadow.modify(T0, phase=CONTINUOUS, order_id="o2", price=70_100)
    assert fills(through) == [(70_100, 10)], "a new price that crosses takes the depth"


def test_cancel_all_or_part_and_unknown_orders():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)
    part = shadow.cancel(T0, order_id="o1", quantity=3)
    assert (part[0].quantity, part[0].remaining) == (3, 7) and shadow.queue_ahead("o1") == 60
    rest = shadow.cancel(T0, order_id="o1")
    assert (rest[0].quantity, rest[0].remaining, rest[0].reason) == (7, 0, "user")
    assert shadow.cancel(T0, order_id="o1")[0].reason == "unknown_order"


def test_day_orders_of_an_earlier_day_expire():
    shadow = book()
    submit(shadow, "o1", price=69_900, quantity=10)
    assert shadow.expire_before(T0 + 1) == []
    expired = shadow.expire_before(T0 + DAY)
    assert expired[0].reason == "expired" and not shadow.orders


@pytest.mark.parametrize(
    ("phase", "board", "reason"), [(BookPhase.CLOSED, "regular", "closed"), (CONTINUOUS, "close_price", "closed")]
)
def test_the_market_owner_refuses_closed_boards_and_hands_over_every_event(phase, board, reason):
    import datetime as dt

    from market import venue

    market = ShadowMarket(lambda code, at: phase)
    now = dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
    command = venue.Submit(ref="o9", code="005930", board=board, side="buy", kind="limit", price=70_000,
                           quantity=1, tif="day", owner=3)  # fmt: skip
    events, ahead, _ = market.execute(command, now)
    assert events[0].reason == reason and ahead is None
    assert [e for _, _, e in market.take_user_events()] == events


def test_the_market_owner_runs_commands_and_observations_on_one_book():
    import datetime as dt

    from market import venue

    market = ShadowMarket(lambda code, at: CONTINUOUS)
    now = dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
    at = (now - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    market.on_book("005930", at, [(70_100, 30)], [(70_000, 40)])
    command = venue.Submit(ref="o1", code="005930", board="regular", side="buy", kind="limit", price=70_000,
                           quantity=5, tif="day", owner=3)  # fmt: skip
    events, ahead, phase = market.execute(command, now)
    assert isinstance(events[0], Accepted) and ahead == 40 and phase == "continuous"
    market.on_trade("005930", at + 1, 69_900, 1)
    assert [type(e).__name__ for _, _, e in market.take_user_events()] == ["Accepted", "Traded"]
