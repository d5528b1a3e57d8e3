"""One side of a limit order book: price → level, each level an insertion-ordered dict of orders.

A dict keeps FIFO (time priority) order and removes any order in O(1); a sorted list of the
level prices (bisect) gives the touch. One writer (the engine) owns it; nothing here locks.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from market.exchange.types import OrderId, OrderKind, Side, TimeInForce


class Order:
    __slots__ = ("order_id", "side", "kind", "price", "quantity", "filled", "tif", "owner", "arrival")

    def __init__(
        self,
        order_id: OrderId,
        side: Side,
        kind: OrderKind,
        price: int,
        quantity: int,
        tif: TimeInForce,
        owner: object,
        arrival: int,
        filled: int = 0,
    ) -> None:
        self.order_id = order_id
        self.side = side
        self.kind = kind
        self.price = price
        self.quantity = quantity  # open quantity
        self.filled = filled
        self.tif = tif
        self.owner = owner
        self.arrival = arrival  # time priority: lower arrived earlier


class Level:
    __slots__ = ("price", "orders", "quantity")

    def __init__(self, price: int) -> None:
        self.price = price
        self.orders: dict[OrderId, Order] = {}
        self.quantity = 0


class BookSide:
    """Bids (best = highest) or asks (best = lowest)."""

    __slots__ = ("side", "levels", "prices", "is_bid")

    def __init__(self, side: Side) -> None:
        self.side = side
        self.is_bid = side is Side.BUY
        self.levels: dict[int, Level] = {}
        self.prices: list[int] = []  # ascending

    def best(self) -> int | None:
        prices = self.prices
        if not prices:
            return None
        return prices[-1] if self.is_bid else prices[0]

    def add(self, order: Order) -> Level:
        level = self.levels.get(order.price)
        if level is None:
            level = self.levels[order.price] = Level(order.price)
            insort(self.prices, order.price)
        level.orders[order.order_id] = order
        level.quantity += order.quantity
        return level

    def remove(self, order: Order) -> Level:
        """Take an order out of its level (dropping the level when it empties)."""
        level = self.levels[order.price]
        del level.orders[order.order_id]
        level.quantity -= order.quantity
        if not level.orders:
            self.drop_level(level.price)
        return level

    def drop_level(self, price: int) -> None:
        del self.levels[price]
        prices = self.prices
        del prices[bisect_left(prices, price)]

    def levels_in_priority(self) -> list[Level]:
        ordered = reversed(self.prices) if self.is_bid else iter(self.prices)
        return [self.levels[p] for p in ordered]

    def depth(self, n: int) -> list[tuple[int, int]]:
        prices = self.prices[-n:][::-1] if self.is_bid else self.prices[:n]
        levels = self.levels
        return [(p, levels[p].quantity) for p in prices]
