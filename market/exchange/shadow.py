"""Users' orders against a market the platform only watches (KIS mode): a shadow book per symbol.

The real market's book and prints come from the feed; users' orders are not in it. A shadow order
fills as it would have in the real queue, as far as the public data can tell:

- On arrival, a marketable order (a buy at or above the displayed best ask, or a market order)
  takes the displayed depth level by level at those prices; what it took is gone for the next
  order until the feed publishes a new book. The rest of a limit order rests; IOC/FOK as KRX.
- A resting order fills at its own price when a print trades through it (a buy: a print below its
  limit), or when the volume printed at its price since it was placed exceeds the displayed
  quantity that was ahead of it then (users' orders at one price share that excess in time order);
  and when a new book shows the other side at or through its price.
- In a call auction (pre-open, closing call, VI) orders wait; the uncross print fills them as above.

What this does not capture (as Alpaca says of its paper trading): our orders never move the real
market, take no one's place in the real queue and cause no VI; the displayed quantity ahead
ignores cancels ahead of us (we assume none: fills may come later than in reality), hidden
behaviour between two book snapshots is unseen, and partial fills at a price are bounded by the
printed volume only. After-hours boards are not simulated in KIS mode.

Plain Python, no Django: the same events as `MatchingEngine` (Accepted, Traded, Cancelled,
Modified, Rejected), so the venue and the ledger treat both alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from market.exchange.engine import KIND_NAMES, MESSAGES
from market.exchange.types import (
    Accepted,
    BookPhase,
    Cancelled,
    Event,
    Modified,
    OrderId,
    OrderKind,
    Rejected,
    Side,
    TimeInForce,
    Traded,
    to_micros,
)

MARKET_SIDE = "kis-market"  # the other side of every shadow fill: the real market
KST_OFFSET = 9 * 3600 * 1_000_000  # Asia/Seoul has no daylight saving time

Levels = list[tuple[int, int]]  # (price, quantity), best first


def _day(at: int) -> int:
    return (at + KST_OFFSET) // 86_400_000_000


@dataclass(slots=True)
class ShadowOrder:
    order_id: OrderId
    side: Side
    kind: OrderKind
    price: int | None  # None: a market order (it takes whatever the other side shows)
    quantity: int  # open
    filled: int
    tif: TimeInForce
    owner: object
    ahead: int  # the displayed quantity ahead of it at its price, less what printed there since
    day: int


class ShadowBook:
    """One symbol's users' orders beside the real market's book (see the module's docstring)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.asks: Levels = []
        self.bids: Levels = []
        self._taken: dict[tuple[Side, int], int] = {}  # displayed shares our orders took since the book
        self.orders: dict[OrderId, ShadowOrder] = {}  # in time priority
        self._seq = 0

    # --- what the market shows ---------------------------------------------------------------------
    def on_book(self, at: int, asks: Levels, bids: Levels) -> list[Event]:
        """A new snapshot of the real book: resting orders it crosses fill against it."""
        self.asks, self.bids, self._taken = list(asks), list(bids), {}
        events: list[Event] = []
        for order in list(self.orders.values()):
            if self._marketable(order):
                self._take(at, order, events, at_own_price=order.price is not None)
        return events

    def on_trade(self, at: int, price: int, volume: int) -> list[Event]:
        """The real market printed `volume` shares at `price`."""
        events: list[Event] = []
        shared: dict[Side, int] = {Side.BUY: 0, Side.SELL: 0}  # what our orders at `price` took of it
        for order in list(self.orders.values()):
            if order.price is None:
                continue
            through = price < order.price if order.side is Side.BUY else price > order.price
            if through:
                self._fill(at, order, order.quantity, order.price, events)
            elif price == order.price:
                excess = max(0, volume - order.ahead) - shared[order.side]
                order.ahead = max(0, order.ahead - volume)
                fill = min(order.quantity, excess)
                if fill > 0:
                    shared[order.side] += fill
                    self._fill(at, order, fill, price, events)
        return events

    def expire_before(self, at: int) -> list[Event]:
        """DAY orders of an earlier trading day end (the ledger expires them at the close too)."""
        today, events = _day(at), []
        for order in [o for o in self.orders.values() if o.day < today]:
            self._end(at, order, "expired", events)
        return events

    # --- users' commands ---------------------------------------------------------------------------
    def submit(
        self,
        at: int,
        *,
        phase: BookPhase,
        order_id: OrderId,
        side: str,
        kind: str,
        price: int | None,
        quantity: int,
        tif: str,
        owner: object,
    ) -> list[Event]:
        side, kind, tif = Side(side), OrderKind(kind), TimeInForce(tif)
        events: list[Event] = []
        refusal = self._refusal(phase, order_id, side, kind, tif)
        if refusal is not None:
            self._seq += 1
            events.append(Rejected(self._seq, at, order_id, *refusal))
            return events
        if kind is OrderKind.BEST:
            price = self._best(side.opposite)
        elif kind is OrderKind.PRIORITY:
            price = self._best(side)
        elif kind is OrderKind.MARKET:
            price = None
        if price is None and kind in (OrderKind.BEST, OrderKind.PRIORITY):
            self._seq += 1
            reason = "no_opposite" if kind is OrderKind.BEST else "no_own_best"
            events.append(Rejected(self._seq, at, order_id, reason, MESSAGES[reason]))
            return events
        self._seq += 1
        events.append(Accepted(self._seq, at, order_id, side, kind, price, quantity, tif, owner))
        order = ShadowOrder(order_id, side, kind, price, quantity, 0, tif, owner, 0, _day(at))
        if phase is BookPhase.CONTINUOUS and tif is TimeInForce.FOK and self._available(order) < quantity:
            self._seq += 1
            events.append(Cancelled(self._seq, at, order_id, quantity, 0, "fok"))
            return events
        self.orders[order_id] = order
        if phase is BookPhase.CONTINUOUS and self._marketable(order):
            self._take(at, order, events, at_own_price=False)
        if order.quantity and tif is not TimeInForce.DAY:
            self._end(at, order, "ioc", events)
        elif order.quantity:
            order.ahead = self._displayed(order.side, order.price)
        return events

    def cancel(self, at: int, *, order_id: OrderId, quantity: int | None = None) -> list[Event]:
        order = self.orders.get(order_id)
        if order is None:
            return [self._unknown(at, order_id)]
        if quantity is None or quantity >= order.quantity:
            events: list[Event] = []
            self._end(at, order, "user", events)
            return events
        order.quantity -= quantity
        self._seq += 1
        return [Cancelled(self._seq, at, order_id, quantity, order.quantity, "user")]

    def modify(
        self, at: int, *, phase: BookPhase, order_id: OrderId, price: int | None = None, quantity: int | None = None
    ) -> list[Event]:
        order = self.orders.get(order_id)
        if order is None:
            return [self._unknown(at, order_id)]
        self._seq += 1
        if price is None and quantity is None:
            return [Rejected(self._seq, at, order_id, "modify_nothing", MESSAGES["modify_nothing"])]
        if price is not None and order.price is None:
            return [Rejected(self._seq, at, order_id, "modify_market", MESSAGES["modify_market"])]
        new_price = order.price if price is None else price
        new_quantity = order.quantity if quantity is None else quantity
        kept = new_price == order.price and new_quantity <= order.quantity
        order.price, order.quantity = new_price, new_quantity
        events: list[Event] = [Modified(self._seq, at, order_id, new_price, new_quantity, kept)]
        if not kept:  # to the back of the queue at its (new) price
            del self.orders[order_id]
            self.orders[order_id] = order
            order.ahead = self._displayed(order.side, order.price)
            if phase is BookPhase.CONTINUOUS and self._marketable(order):
                self._take(at, order, events, at_own_price=False)
        return events

    def queue_ahead(self, order_id: OrderId) -> int | None:
        order = self.orders.get(order_id)
        if order is None or order.price is None:
            return None
        ours = 0
        for other in self.orders.values():
            if other is order:
                break
            if other.side is order.side and other.price == order.price:
                ours += other.quantity
        return order.ahead + ours

    # --- inside ------------------------------------------------------------------------------------
    def _refusal(self, phase: BookPhase, order_id: OrderId, side: Side, kind: OrderKind, tif: TimeInForce):
        if phase is BookPhase.CLOSED:
            return "closed", MESSAGES["closed"]
        if order_id in self.orders:
            return "duplicate", MESSAGES["duplicate"].format(order_id=order_id)
        if tif is not TimeInForce.DAY and kind in (OrderKind.CONDITIONAL, OrderKind.PRIORITY):
            return "tif_not_allowed", MESSAGES["tif_not_allowed"].format(kind=KIND_NAMES[kind])
        if phase is BookPhase.CALL:
            if tif is not TimeInForce.DAY:
                return "tif_in_call", MESSAGES["tif_in_call"]
            if kind in (OrderKind.BEST, OrderKind.PRIORITY):
                return "kind_in_call", MESSAGES["kind_in_call"].format(kind=KIND_NAMES[kind])
        return None

    def _unknown(self, at: int, order_id: OrderId) -> Rejected:
        self._seq += 1
        return Rejected(self._seq, at, order_id, "unknown_order", MESSAGES["unknown_order"].format(order_id=order_id))

    def _best(self, side: Side) -> int | None:
        levels = self.bids if side is Side.BUY else self.asks
        return levels[0][0] if levels else None

    def _displayed(self, side: Side, price: int | None) -> int:
        levels = self.bids if side is Side.BUY else self.asks
        return next((q for p, q in levels if p == price), 0)

    def _crosses(self, order: ShadowOrder, level_price: int) -> bool:
        if order.price is None:
            return True
        return level_price <= order.price if order.side is Side.BUY else level_price >= order.price

    def _marketable(self, order: ShadowOrder) -> bool:
        levels = self.asks if order.side is Side.BUY else self.bids
        return bool(levels) and self._crosses(order, levels[0][0])

    def _available(self, order: ShadowOrder) -> int:
        levels = self.asks if order.side is Side.BUY else self.bids
        other = order.side.opposite
        return sum(q - self._taken.get((other, p), 0) for p, q in levels if self._crosses(order, p))

    def _take(self, at: int, order: ShadowOrder, events: list[Event], *, at_own_price: bool) -> None:
        """Take the displayed depth it crosses, level by level, at the levels' prices (or, a resting
        order that a new book crosses, at its own)."""
        other = order.side.opposite
        for price, quantity in list(self.asks if order.side is Side.BUY else self.bids):
            if not order.quantity or not self._crosses(order, price):
                break
            left = quantity - self._taken.get((other, price), 0)
            take = min(order.quantity, left)
            if take > 0:
                self._taken[(other, price)] = self._taken.get((other, price), 0) + take
                self._fill(at, order, take, order.price if at_own_price else price, events)

    def _fill(self, at: int, order: ShadowOrder, quantity: int, price: int, events: list[Event]) -> None:
        order.quantity -= quantity
        order.filled += quantity
        buy = order.side is Side.BUY
        self._seq += 1
        events.append(
            Traded(
                self._seq,
                at,
                price,
                quantity,
                order.order_id if buy else MARKET_SIDE,
                MARKET_SIDE if buy else order.order_id,
                order.owner if buy else None,
                None if buy else order.owner,
                order.side,
            )
        )
        if not order.quantity:
            self.orders.pop(order.order_id, None)

    def _end(self, at: int, order: ShadowOrder, reason: str, events: list[Event]) -> None:
        self.orders.pop(order.order_id, None)
        self._seq += 1
        events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, reason))
        order.quantity = 0


class ShadowMarket:
    """The shadow books of every symbol: the `BookOwner` of the KIS feed (market.venue).

    `phase_at(code, at)` says the regular board's phase for a symbol at market time `at` (µs):
    continuous, call (a session's call auction, or its VI) or closed. Commands for another board
    are refused (after-hours boards are not simulated)."""

    def __init__(self, phase_at: Callable[[str, int], BookPhase]) -> None:
        self.phase_at = phase_at
        self.books: dict[str, ShadowBook] = {}
        self._user_events: list[tuple[str, str, Event]] = []

    def book(self, code: str) -> ShadowBook:
        if code not in self.books:
            self.books[code] = ShadowBook(code)
        return self.books[code]

    def on_book(self, code: str, at: int, asks: Levels, bids: Levels) -> None:
        book = self.book(code)
        self._note(code, book.expire_before(at) + book.on_book(at, asks, bids))

    def on_trade(self, code: str, at: int, price: int, volume: int) -> None:
        book = self.book(code)
        self._note(code, book.expire_before(at) + book.on_trade(at, price, volume))

    def execute(self, command: object, now: dt.datetime) -> tuple[list[Event], int | None, str]:
        """Run one of market.venue's commands (duck-typed: Submit, Cancel, Modify, Inspect) at `now`."""
        at = to_micros(now)
        phase = self.phase_at(command.code, at)
        kind = type(command).__name__
        # only an order makes a symbol's book (a health check's Inspect names none)
        book = self.book(command.code) if kind == "Submit" else self.books.get(command.code, ShadowBook(command.code))
        events: list[Event] = []
        if command.board != "regular":
            if kind == "Submit":
                events = [Rejected(0, at, command.ref, "closed", MESSAGES["closed"])]
        elif kind == "Submit":
            events = book.expire_before(at) + book.submit(
                at,
                phase=phase,
                order_id=command.ref,
                side=command.side,
                kind=command.kind,
                price=command.price,
                quantity=command.quantity,
                tif=command.tif,
                owner=command.owner,
            )
        elif kind == "Cancel":
            events = book.cancel(at, order_id=command.ref, quantity=command.quantity)
        elif kind == "Modify":
            events = book.modify(at, phase=phase, order_id=command.ref, price=command.price, quantity=command.quantity)
        self._note(command.code, events)
        return events, book.queue_ahead(command.ref), str(phase)

    def take_user_events(self) -> list[tuple[str, str, Event]]:
        out, self._user_events = self._user_events, []
        return out

    def _note(self, code: str, events: list[Event]) -> None:
        self._user_events.extend((code, "regular", event) for event in events)
