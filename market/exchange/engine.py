"""The matching engine of one symbol on one board: commands in, events out.

Pure and deterministic: no clock of its own (every command carries `at`, microseconds since the
epoch), no I/O, one seeded RNG (the random ends of call auctions). The shell (feeds, Django) owns
one engine per symbol and is its only writer; replaying the same commands with the same seed
reproduces the same events, sequence numbers included.

KRX rules followed here (유가증권시장 업무규정, law.krx.co.kr lawid=000109, and its 시행세칙; the
코스닥시장 업무규정 is the same in substance):
- 제2조④ order kinds: 지정가, 시장가, 조건부지정가 (a limit in the continuous session whose
  remainder becomes a market order for the closing price), 최유리지정가 (priced at the opposite
  best on arrival), 최우선지정가 (priced at the own side's best on arrival).
- 제22조② price then time priority; 제24조 continuous trades print at the resting order's price.
- IOC/FOK and 최유리/최우선 are for the continuous session only, and IOC/FOK are not allowed on
  조건부지정가 or 최우선지정가 (KRX notice of the 2004-01-26 order types: "최우선지정가주문 및
  최유리지정가주문 … 접속매매시간중에만 가능", "전량체결조건과 즉시체결조건은 조건부지정가와
  최우선주문에 대해서는 허용하지 않는다"); a single-price call takes DAY orders only.
- 시행세칙 제35조① every call auction ends at a random moment up to 30 s after its scheduled end.
- A market order trades against what the book holds within the daily band; a remainder waits
  at KRX's deemed price (one tick above the best buy limit, or the last price; GLB0602010202T5,
  see `_deemed_price`) and later orders meet it there. In a call it ranks with a limit at the
  band limit (제22조②) and takes part in the price at its deemed price (auction.py); one the
  uncross leaves open goes on into continuous trading. An IOC/FOK remainder is cancelled.
- 조건부지정가 at the closing call: the remainder becomes a market order, as if entered when the
  call starts (it loses its time priority).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterable

from market import rules
from market.exchange import auction
from market.exchange.book import BookSide, Level, Order
from market.exchange.types import (
    Accepted,
    BookPhase,
    CallReason,
    Cancelled,
    Event,
    Indicative,
    LevelChanged,
    Modified,
    OrderId,
    OrderKind,
    OrderView,
    PhaseChanged,
    Rejected,
    Side,
    TimeInForce,
    Traded,
    ViKind,
    ViReleased,
    ViState,
    ViTriggered,
)
from market.exchange.vi import (
    STATIC_VI_RATE_PERCENT,
    VI_CALL_MICROS,
    dynamic_vi_rate_percent,
    vi_trigger_prices,
)

RANDOM_END_MAX_MICROS = 30_000_000  # 시행세칙 제35조①: up to 30 seconds
SNAPSHOT_VERSION = 1

BUY = Side.BUY
SELL = Side.SELL
LIMIT = OrderKind.LIMIT
MARKET = OrderKind.MARKET
CONDITIONAL = OrderKind.CONDITIONAL
DAY = TimeInForce.DAY
IOC = TimeInForce.IOC
FOK = TimeInForce.FOK
CONTINUOUS = BookPhase.CONTINUOUS
CALL = BookPhase.CALL

_TICK_BOUNDS = [bound for bound, _ in rules.TICK_TABLE]
_SIDES = {str(m): m for m in Side}
_KINDS = {str(m): m for m in OrderKind}
_TIFS = {str(m): m for m in TimeInForce}

# Refusals: reason code → Korean message (format fields per call site).
MESSAGES = {
    "closed": "매매거래 시간이 아닙니다.",
    "duplicate": "이미 접수된 주문번호입니다: {order_id}",
    "quantity": "주문수량은 1주 이상의 정수여야 합니다.",
    "price_required": "지정가 주문에는 가격이 필요합니다.",
    "price_not_allowed": "{kind} 주문에는 가격을 지정할 수 없습니다.",
    "tick": "호가가격단위({tick:,}원)에 맞지 않는 가격입니다: {price:,}원",
    "band": "가격제한폭({lower:,}원~{upper:,}원)을 벗어난 가격입니다: {price:,}원",
    "tif_in_call": "단일가매매 시간에는 IOC·FOK 조건을 붙일 수 없습니다.",
    "kind_in_call": "단일가매매 시간에는 {kind} 주문을 낼 수 없습니다.",
    "tif_not_allowed": "{kind} 주문에는 IOC·FOK 조건을 붙일 수 없습니다.",
    "no_opposite": "상대방 호가가 없어 최유리지정가 주문을 받을 수 없습니다.",
    "no_own_best": "같은 방향의 호가가 없어 최우선지정가 주문을 받을 수 없습니다.",
    "fixed_price": "시간외 종가매매는 {price:,}원 지정가 주문만 받습니다.",
    "unknown_order": "주문을 찾을 수 없습니다: {order_id}",
    "modify_nothing": "정정할 가격이나 수량을 지정하세요.",
    "modify_market": "시장가 주문의 가격은 정정할 수 없습니다.",
}

KIND_NAMES = {
    OrderKind.LIMIT: "지정가",
    OrderKind.MARKET: "시장가",
    OrderKind.BEST: "최유리지정가",
    OrderKind.PRIORITY: "최우선지정가",
    OrderKind.CONDITIONAL: "조건부지정가",
}


class MatchingEngine:
    """One symbol, one board. See the module docstring for the rules."""

    def __init__(
        self,
        code: str,
        *,
        base_price: int,
        kospi200: bool,
        market: str,
        seed: int | str,
        lower: int | None = None,
        upper: int | None = None,
    ) -> None:
        self.code = code
        self.kospi200 = kospi200
        self.market = market
        self.seed = seed
        self._rng = random.Random(seed)
        self._seq = 0
        self._arrival = 0
        self._orders: dict[OrderId, Order] = {}
        self._bids = BookSide(BUY)
        self._asks = BookSide(SELL)
        self._phase = BookPhase.CLOSED
        self._call_end = 0  # actual end (scheduled + random extension)
        self._call_scheduled_end = 0
        self._call_then = BookPhase.CLOSED
        self._call_reason = str(CallReason.SESSION)
        self._call_vi_checked = False
        self._next_call: tuple[int, str, str] | None = None  # queued behind a call in its random end
        self._fixed_price: int | None = None
        self._vi: ViState | None = None
        self._published_indicative: tuple[int | None, int] = (None, 0)
        self._tick_low = self._tick_high = self._tick = 0
        self._set_day(base_price, lower, upper)

    # --- day, band and references ---------------------------------------------------------------

    def _set_day(self, base_price: int, lower: int | None, upper: int | None) -> None:
        self.base_price = base_price
        band_lower, band_upper = rules.price_limit_band(base_price)
        self._lower = band_lower if lower is None else lower
        self._upper = band_upper if upper is None else upper
        self._last_price: int | None = None
        self.volume = 0
        self.value = 0
        self._set_static_reference(base_price)
        self._dynamic_reference = -1  # recomputed on first use
        self._dynamic_rate = -1

    def _set_static_reference(self, price: int) -> None:
        self._static_reference = price
        self._static_lo, self._static_hi = vi_trigger_prices(price, STATIC_VI_RATE_PERCENT)

    def _dynamic_bounds(self, rate: int) -> tuple[int, int, int]:
        reference = self._last_price if self._last_price is not None else self._static_reference
        if reference != self._dynamic_reference or rate != self._dynamic_rate:
            self._dynamic_reference = reference
            self._dynamic_rate = rate
            self._dynamic_lo, self._dynamic_hi = vi_trigger_prices(reference, rate)
        return reference, self._dynamic_lo, self._dynamic_hi

    def new_day(self, at: int, *, base_price: int, lower: int | None = None, upper: int | None = None) -> list[Event]:
        """A new trading day: band from the base price, static VI reference = base price, statistics reset."""
        events: list[Event] = []
        if self._vi is not None:
            self._release_vi(at, events)
        self._set_day(base_price, lower, upper)
        return events

    def set_band(self, lower: int, upper: int) -> None:
        """Narrow the band (시간외 단일가: ±10% of the close inside the daily band)."""
        if not (0 < lower <= upper):
            raise ValueError("band needs 0 < lower <= upper")
        self._lower, self._upper = lower, upper

    # --- queries --------------------------------------------------------------------------------

    @property
    def phase(self) -> BookPhase:
        return self._phase

    @property
    def vi(self) -> ViState | None:
        return self._vi

    @property
    def lower(self) -> int:
        return self._lower

    @property
    def upper(self) -> int:
        return self._upper

    @property
    def last_price(self) -> int | None:
        return self._last_price

    @property
    def static_reference(self) -> int:
        return self._static_reference

    @property
    def best_bid(self) -> int | None:
        return self._bids.best()

    @property
    def best_ask(self) -> int | None:
        return self._asks.best()

    @property
    def seq(self) -> int:
        return self._seq

    def depth(self, levels: int = 10) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(asks ascending, bids descending), each (price, quantity)."""
        return self._asks.depth(levels), self._bids.depth(levels)

    def indicative(self) -> tuple[int | None, int]:
        """예상체결가 and quantity of the running call; (None, 0) outside a call."""
        if self._phase is not CALL:
            return None, 0
        return self._uncross_price()

    def queue_ahead(self, order_id: OrderId) -> int:
        """Quantity ahead of a resting order at its price (time priority)."""
        order = self._orders[order_id]
        ahead = 0
        for other in self._side(order.side).levels[order.price].orders.values():
            if other is order:
                return ahead
            ahead += other.quantity
        raise AssertionError("order missing from its level")

    def order(self, order_id: OrderId) -> OrderView | None:
        order = self._orders.get(order_id)
        return None if order is None else _view(order)

    def resting_orders(self, owner: object = None) -> list[OrderView]:
        """Resting orders in priority order, bids first (optionally one owner's)."""
        views = []
        for book in (self._bids, self._asks):
            for level in book.levels_in_priority():
                for order in level.orders.values():
                    if owner is None or order.owner == owner:
                        views.append(_view(order))
        return views

    # --- orders ---------------------------------------------------------------------------------

    def submit(
        self,
        at: int,
        *,
        order_id: OrderId,
        side: Side,
        quantity: int,
        kind: OrderKind = LIMIT,
        price: int | None = None,
        tif: TimeInForce = DAY,
        owner: object = None,
    ) -> list[Event]:
        try:  # members or their string values; a dict lookup is far cheaper than Enum(value)
            side = _SIDES[side]
            kind = _KINDS[kind]
            tif = _TIFS[tif]
        except KeyError as error:
            raise ValueError(f"unknown side, order kind or time in force: {error.args[0]!r}") from None
        events: list[Event] = []
        refusal = self._refuse_submit(order_id, side, quantity, kind, price, tif)
        if refusal is not None:
            self._reject(at, events, order_id, *refusal)
            return events
        phase = self._phase
        if kind is MARKET:
            book_price = self._upper if side is BUY else self._lower
        elif kind is OrderKind.BEST:
            book_price = (self._asks if side is BUY else self._bids).best()
        elif kind is OrderKind.PRIORITY:
            book_price = (self._bids if side is BUY else self._asks).best()
        else:
            book_price = price
        self._seq += 1
        events.append(
            Accepted(self._seq, at, order_id, side, kind, None if kind is MARKET else book_price, quantity, tif, owner)
        )
        self._arrival += 1
        order = Order(order_id, side, kind, book_price, quantity, tif, owner, self._arrival)
        if phase is CONTINUOUS:
            self._match_continuous(at, order, events)
        elif phase is CALL:
            self._rest(at, order, events)
            self._publish_indicative(at, events)
        else:  # FIXED_PRICE
            self._match_fixed_price(at, order, events)
        return events

    def _refuse_submit(
        self, order_id: OrderId, side: Side, quantity: int, kind: OrderKind, price: int | None, tif: TimeInForce
    ) -> tuple[str, str] | None:
        phase = self._phase
        if phase is BookPhase.CLOSED:
            return "closed", MESSAGES["closed"]
        if order_id in self._orders:
            return "duplicate", MESSAGES["duplicate"].format(order_id=order_id)
        if quantity.__class__ is not int or quantity <= 0:
            return "quantity", MESSAGES["quantity"]
        if tif is not DAY and kind in (CONDITIONAL, OrderKind.PRIORITY):
            return "tif_not_allowed", MESSAGES["tif_not_allowed"].format(kind=KIND_NAMES[kind])
        if phase is CALL:
            if tif is not DAY:
                return "tif_in_call", MESSAGES["tif_in_call"]
            if kind in (OrderKind.BEST, OrderKind.PRIORITY) or (
                kind is CONDITIONAL and self._call_reason != CallReason.PRE_OPEN
            ):
                return "kind_in_call", MESSAGES["kind_in_call"].format(kind=KIND_NAMES[kind])
        elif phase is BookPhase.FIXED_PRICE:
            if kind is not LIMIT or price != self._fixed_price:
                return "fixed_price", MESSAGES["fixed_price"].format(price=self._fixed_price)
        if kind is LIMIT or kind is CONDITIONAL:
            if price is None:
                return "price_required", MESSAGES["price_required"]
            return self._refuse_price(price)
        if price is not None:
            return "price_not_allowed", MESSAGES["price_not_allowed"].format(kind=KIND_NAMES[kind])
        if kind is OrderKind.BEST and (self._asks if side is BUY else self._bids).best() is None:
            return "no_opposite", MESSAGES["no_opposite"]
        if kind is OrderKind.PRIORITY and (self._bids if side is BUY else self._asks).best() is None:
            return "no_own_best", MESSAGES["no_own_best"]
        return None

    def _refuse_price(self, price: int) -> tuple[str, str] | None:
        if price.__class__ is not int or price <= 0:
            return "tick", MESSAGES["tick"].format(tick=1, price=price if isinstance(price, int) else 0)
        if not (self._tick_low <= price < self._tick_high):
            self._tick_for(price)
        tick = self._tick
        if price % tick:
            return "tick", MESSAGES["tick"].format(tick=tick, price=price)
        if price < self._lower or price > self._upper:
            return "band", MESSAGES["band"].format(lower=self._lower, upper=self._upper, price=price)
        return None

    def _tick_for(self, price: int) -> None:
        """Remember the tick range of `price` (orders cluster in one range; rules.py has the table)."""
        table = rules.TICK_TABLE
        index = bisect_right(_TICK_BOUNDS, price) - 1
        self._tick_low, self._tick = table[index]
        self._tick_high = table[index + 1][0] if index + 1 < len(table) else 1 << 62

    def cancel(self, at: int, *, order_id: OrderId, quantity: int | None = None) -> list[Event]:
        """Cancel an order, or `quantity` of it (a partial cancel keeps its time priority)."""
        events: list[Event] = []
        order = self._orders.get(order_id)
        if order is None:
            self._reject(at, events, order_id, "unknown_order", MESSAGES["unknown_order"].format(order_id=order_id))
            return events
        if quantity is not None and (quantity.__class__ is not int or quantity <= 0):
            self._reject(at, events, order_id, "quantity", MESSAGES["quantity"])
            return events
        if quantity is None or quantity >= order.quantity:
            self._cancel_order(at, order, "user", events)
        else:
            book = self._side(order.side)
            level = book.levels[order.price]
            order.quantity -= quantity
            level.quantity -= quantity
            self._seq += 1
            events.append(Cancelled(self._seq, at, order_id, quantity, order.quantity, "user"))
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, level.quantity))
        if self._phase is CALL:
            self._publish_indicative(at, events)
        return events

    def modify(
        self, at: int, *, order_id: OrderId, price: int | None = None, quantity: int | None = None
    ) -> list[Event]:
        """Change price and/or open quantity. A new price or a larger quantity loses time priority
        (제22조②: it counts as a new order); a smaller quantity keeps it. In continuous trading a
        modified order that has become marketable matches at once."""
        events: list[Event] = []
        order = self._orders.get(order_id)
        if order is None:
            self._reject(at, events, order_id, "unknown_order", MESSAGES["unknown_order"].format(order_id=order_id))
            return events
        if self._phase is BookPhase.CLOSED:
            self._reject(at, events, order_id, "closed", MESSAGES["closed"])
            return events
        if price is None and quantity is None:
            self._reject(at, events, order_id, "modify_nothing", MESSAGES["modify_nothing"])
            return events
        if quantity is not None and (quantity.__class__ is not int or quantity <= 0):
            self._reject(at, events, order_id, "quantity", MESSAGES["quantity"])
            return events
        new_price = order.price if price is None else price
        if price is not None and price != order.price:
            if order.kind is MARKET:
                self._reject(at, events, order_id, "modify_market", MESSAGES["modify_market"])
                return events
            if self._phase is BookPhase.FIXED_PRICE:
                self._reject(
                    at, events, order_id, "fixed_price", MESSAGES["fixed_price"].format(price=self._fixed_price)
                )
                return events
            refusal = self._refuse_price(price)
            if refusal is not None:
                self._reject(at, events, order_id, *refusal)
                return events
        new_quantity = order.quantity if quantity is None else quantity
        book = self._side(order.side)
        if new_price == order.price and new_quantity <= order.quantity:
            level = book.levels[order.price]
            level.quantity -= order.quantity - new_quantity
            order.quantity = new_quantity
            self._seq += 1
            events.append(Modified(self._seq, at, order_id, order.price, new_quantity, True))
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, level.quantity))
        else:
            old_price = order.price
            level = book.remove(order)
            del self._orders[order_id]
            self._seq += 1
            events.append(Modified(self._seq, at, order_id, new_price, new_quantity, False))
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, old_price, level.quantity if level.orders else 0))
            self._arrival += 1
            order.price = new_price
            order.quantity = new_quantity
            order.arrival = self._arrival
            if self._phase is CONTINUOUS:
                self._match_continuous(at, order, events)
            elif self._phase is BookPhase.FIXED_PRICE:
                self._match_fixed_price(at, order, events)
            else:
                self._rest(at, order, events)
        if self._phase is CALL:
            self._publish_indicative(at, events)
        return events

    def expire(self, at: int, *, tif: TimeInForce = DAY) -> list[Event]:
        """Cancel every resting order with this time in force (reason "expired")."""
        events: list[Event] = []
        for order in [o for o in self._orders_in_priority() if o.tif == tif]:
            self._cancel_order(at, order, "expired", events)
        if self._phase is CALL:
            self._publish_indicative(at, events)
        return events

    # --- phases ---------------------------------------------------------------------------------

    def start_call(
        self, at: int, *, scheduled_end: int, then: BookPhase, reason: str = CallReason.SESSION
    ) -> list[Event]:
        """Collect orders for a single-price auction ending at `scheduled_end` + 0–30 s (seeded).

        A VI call running meanwhile gives its orders over to the new call. A regular call still in
        its random extension (e.g. back-to-back 시간외 단일가 calls) uncrosses first: the new call
        starts right after that uncross.
        """
        events = self.advance(at)
        if self._phase is CALL and self._call_reason != CallReason.VI:
            self._next_call = (scheduled_end, str(BookPhase(then)), str(reason))
            return events
        self._begin_call(at, scheduled_end, BookPhase(then), str(reason), events)
        return events

    def _begin_call(self, at: int, scheduled_end: int, then: BookPhase, reason: str, events: list[Event]) -> None:
        if self._vi is not None:
            self._release_vi(at, events)
        self._phase = CALL
        self._call_reason = reason
        self._call_scheduled_end = scheduled_end
        self._call_end = scheduled_end + self._rng.randrange(RANDOM_END_MAX_MICROS + 1)
        self._call_then = then
        self._call_vi_checked = reason == CallReason.VI
        self._fixed_price = None
        self._seq += 1
        events.append(PhaseChanged(self._seq, at, CALL, scheduled_end, reason))
        self._markets_to_band_limits(at, events)
        if reason == CallReason.CLOSING:
            self._conditionals_to_market(at, events)
        self._publish_indicative(at, events)

    def start_continuous(self, at: int) -> list[Event]:
        """Continuous trading; a call still running uncrosses first (a VI call on its own timer)."""
        events = self.advance(at)
        if self._phase is CALL:
            self._call_then = CONTINUOUS
            if self._vi is not None:
                return events  # the VI call ends on its own timer, then trading goes on
            self._uncross(at, events, check_vi=False)
            return events
        self._set_phase(at, CONTINUOUS, "session", events)
        return events

    def start_fixed_price(self, at: int, *, price: int) -> list[Event]:
        """시간외 종가: only limit orders at `price`, matched continuously by time priority, no VI."""
        if self._refuse_price(price) is not None:
            raise ValueError(f"close price {price!r} is off the tick grid or outside the band")
        events = self.advance(at)
        self._next_call = None
        if self._vi is not None:
            self._release_vi(at, events)
        self._leave_call(at, events)
        self._fixed_price = price
        self._set_phase(at, BookPhase.FIXED_PRICE, "session", events)
        quantity = self._executable_at(price)
        if quantity:
            self._allocate(at, price, quantity, aggressor=None, simultaneous=False, events=events)
        return events

    def close(self, at: int) -> list[Event]:
        """No matching; new orders are refused (resting orders stay until the shell expires them).

        A call whose end has come uncrosses first; one still collecting is abandoned."""
        events = self.advance(at)
        self._next_call = None
        if self._vi is not None:
            self._release_vi(at, events)
        self._leave_call(at, events)
        self._fixed_price = None
        self._set_phase(at, BookPhase.CLOSED, "session", events)
        return events

    def advance(self, at: int) -> list[Event]:
        """Run the timers: a call whose (randomly extended) end has come uncrosses, stamped at that end."""
        events: list[Event] = []
        while self._phase is CALL and at >= self._call_end:
            self._uncross(self._call_end, events, check_vi=not self._call_vi_checked)
        return events

    # --- internals: continuous matching ---------------------------------------------------------

    def _side(self, side: Side) -> BookSide:
        return self._bids if side is BUY else self._asks

    def _reject(self, at: int, events: list[Event], order_id: OrderId, reason: str, message: str) -> None:
        self._seq += 1
        events.append(Rejected(self._seq, at, order_id, reason, message))

    def _rest(self, at: int, order: Order, events: list[Event]) -> None:
        book = self._side(order.side)
        level = book.add(order)
        self._orders[order.order_id] = order
        self._seq += 1
        events.append(LevelChanged(self._seq, at, order.side, order.price, level.quantity))
        if self._phase is CONTINUOUS and order.kind is not MARKET and order.price == book.best():
            self._repeg_markets(at, book, order.price, events)

    def _repeg_markets(self, at: int, book: BookSide, price: int, events: list[Event]) -> None:
        """A limit has come to rest at the best price of its side: market orders waiting there (or one
        level worse) are deemed one tick beyond it again (KRX GLB0602010202T5: the deemed price holds
        "until the whole quantity is matched"), keeping their time priority; if that meets the other
        side they trade.

        Invariant used: in continuous trading the market orders of a side are the whole best level
        of that side (below the band limit, where they rank equal with limits).
        """
        prices = book.prices
        if book.is_bid:
            market_price = price if len(prices) < 2 else prices[-2]
            new_price = min(rules.tick_up(price), self._upper)
        else:
            market_price = price if len(prices) < 2 else prices[1]
            new_price = max(rules.tick_down(price), self._lower)
        level = book.levels[market_price]
        if next(iter(level.orders.values())).kind is not MARKET:
            level = book.levels[price]
            if next(iter(level.orders.values())).kind is not MARKET:
                return
        if level.price == new_price:
            return
        markets = [o for o in level.orders.values() if o.kind is MARKET]
        for order in markets:
            old = book.remove(order)
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, old.price, old.quantity if old.orders else 0))
            order.price = new_price
            moved = book.add(order)
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, new_price, moved.quantity))
        opposite = self._asks if book.is_bid else self._bids
        best = opposite.best()
        if best is None or (new_price < best if book.is_bid else new_price > best):
            return
        for order in markets:  # they now meet the other side: they trade as market orders again
            if self._phase is not CONTINUOUS or order.order_id not in self._orders:
                break
            moved = book.remove(order)
            del self._orders[order.order_id]
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, moved.quantity if moved.orders else 0))
            order.price = self._upper if book.is_bid else self._lower
            self._match_continuous(at, order, events)

    def _cancel_order(self, at: int, order: Order, reason: str, events: list[Event]) -> None:
        level = self._side(order.side).remove(order)
        del self._orders[order.order_id]
        self._seq += 1
        events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, reason))
        self._seq += 1
        events.append(LevelChanged(self._seq, at, order.side, order.price, level.quantity if level.orders else 0))

    def _match_continuous(self, at: int, order: Order, events: list[Event]) -> None:
        is_buy = order.side is BUY
        opposite = self._asks if is_buy else self._bids
        limit = order.price
        prices = opposite.prices
        if not prices or (prices[0] > limit if is_buy else prices[-1] < limit):
            self._no_match(at, order, events)  # most orders: nothing to trade against
            return
        reference, dynamic_lo, dynamic_hi = self._dynamic_bounds(
            dynamic_vi_rate_percent(kospi200=self.kospi200, market=self.market)
        )
        # An execution at or beyond a trigger price does not happen (vi.py): trade strictly inside,
        # on either side of the reference whichever side the aggressor is (a sell that would hit a
        # bid resting far above the last price moves the price up, and triggers the upper VI).
        low, high = max(dynamic_lo, self._static_lo), min(dynamic_hi, self._static_hi)
        if order.tif is FOK and self._fillable(opposite, limit, low, high, is_buy) < order.quantity:
            self._seq += 1
            events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, "fok"))
            return
        triggered: tuple[ViKind, int, int] | None = None
        levels = opposite.levels
        last = None
        while order.quantity and prices:
            best = prices[0] if is_buy else prices[-1]
            if (best > limit) if is_buy else (best < limit):
                break
            if best >= high or best <= low:
                up = best >= high
                if best >= self._static_hi or best <= self._static_lo:
                    triggered = (ViKind.STATIC, self._static_reference, self._static_hi if up else self._static_lo)
                else:
                    triggered = (ViKind.DYNAMIC, reference, dynamic_hi if up else dynamic_lo)
                break
            level = levels[best]
            self._take_level(at, order, level, events)
            last = best
            if not level.orders:
                opposite.drop_level(best)
                self._seq += 1
                events.append(LevelChanged(self._seq, at, opposite.side, best, 0))
            else:
                self._seq += 1
                events.append(LevelChanged(self._seq, at, opposite.side, best, level.quantity))
        if last is not None:
            self._last_price = last
        if order.quantity:
            if order.tif is not DAY:
                self._seq += 1
                events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, "ioc"))
            else:
                if order.kind is MARKET:
                    # in the VI call it ranks with the band limit; in continuous trading it waits
                    # at KRX's deemed price
                    order.price = (self._upper if is_buy else self._lower) if triggered else self._deemed_price(is_buy)
                self._rest(at, order, events)
        if triggered is not None:
            self._trigger_vi(at, *triggered, events)

    def _no_match(self, at: int, order: Order, events: list[Event]) -> None:
        tif = order.tif
        if tif is not DAY:
            self._seq += 1
            events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, "fok" if tif is FOK else "ioc"))
            return
        if order.kind is MARKET:
            order.price = self._deemed_price(order.side is BUY)
        self._rest(at, order, events)

    def _deemed_price(self, is_buy: bool) -> int:
        """Where a market order with nothing left to take waits in continuous trading.

        KRX, "Execution Method of Market Order at Continuous Trading" (global.krx.co.kr
        GLB0602010202T5): a buy market order is deemed one tick above the highest buy limit, or,
        with no buy limit, at the higher of the last traded price and the highest sell limit (the
        sell side mirrored); a later order meeting it trades at that price (the preceding
        order's). A later limit at or beyond that price pushes it one tick beyond the limit again
        (`_repeg_markets`); when the best limit leaves, the price is not lowered (the engine's
        simplification: a seller then meets it at the higher price). An earlier market order's
        price is joined, keeping time priority among market orders.
        """
        own = self._bids if is_buy else self._asks
        best = own.best()
        reference = self._reference_price()
        if best is None:
            price = reference
        elif next(iter(own.levels[best].orders.values())).kind is MARKET:
            return best
        else:
            price = rules.tick_up(best) if is_buy else rules.tick_down(best)
        return min(price, self._upper) if is_buy else max(price, self._lower)

    def _take_level(self, at: int, order: Order, level: Level, events: list[Event]) -> None:
        """Fill the aggressor against one level in time priority, at the level's price (제24조)."""
        price = level.price
        filled_ids = []
        want = order.quantity
        is_buy = order.side is BUY
        aggressor = order.side
        for resting in level.orders.values():
            quantity = resting.quantity if resting.quantity <= want else want
            resting.quantity -= quantity
            resting.filled += quantity
            want -= quantity
            self._seq += 1
            if is_buy:
                events.append(
                    Traded(
                        self._seq,
                        at,
                        price,
                        quantity,
                        order.order_id,
                        resting.order_id,
                        order.owner,
                        resting.owner,
                        aggressor,
                    )
                )
            else:
                events.append(
                    Traded(
                        self._seq,
                        at,
                        price,
                        quantity,
                        resting.order_id,
                        order.order_id,
                        resting.owner,
                        order.owner,
                        aggressor,
                    )
                )
            if not resting.quantity:
                filled_ids.append(resting.order_id)
            if not want:
                break
        traded = order.quantity - want
        order.filled += traded
        order.quantity = want
        level.quantity -= traded
        self.volume += traded
        self.value += traded * price
        orders = level.orders
        book_orders = self._orders
        for order_id in filled_ids:
            del orders[order_id]
            del book_orders[order_id]

    @staticmethod
    def _fillable(opposite: BookSide, limit: int, low: int, high: int, is_buy: bool) -> int:
        total = 0
        for price in opposite.prices if is_buy else reversed(opposite.prices):
            if ((price > limit) if is_buy else (price < limit)) or price >= high or price <= low:
                break
            total += opposite.levels[price].quantity
        return total

    def _match_fixed_price(self, at: int, order: Order, events: list[Event]) -> None:
        opposite = self._asks if order.side is BUY else self._bids
        level = opposite.levels.get(order.price)
        available = level.quantity if level is not None else 0
        if order.tif is FOK and available < order.quantity:
            self._seq += 1
            events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, "fok"))
            return
        if level is not None:
            self._take_level(at, order, level, events)
            if not level.orders:
                opposite.drop_level(level.price)
            self._seq += 1
            events.append(LevelChanged(self._seq, at, opposite.side, level.price, level.quantity))
            self._last_price = order.price
        if order.quantity:
            if order.tif is not DAY:
                self._seq += 1
                events.append(Cancelled(self._seq, at, order.order_id, order.quantity, 0, "ioc"))
            else:
                self._rest(at, order, events)

    # --- internals: calls, uncross and VI -------------------------------------------------------

    def _set_phase(self, at: int, phase: BookPhase, reason: str, events: list[Event]) -> None:
        self._phase = phase
        self._seq += 1
        events.append(PhaseChanged(self._seq, at, phase, None, reason))

    def _levels(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        bids, asks = self._bids, self._asks
        return (
            [(p, bids.levels[p].quantity) for p in reversed(bids.prices)],
            [(p, asks.levels[p].quantity) for p in asks.prices],
        )

    def _reference_price(self) -> int:
        """직전의 가격 for the 합치가격 tie rule: the last trade, before any the base price."""
        return self._last_price if self._last_price is not None else self.base_price

    def _uncross_price(self) -> tuple[int | None, int]:
        """예상체결가 / the uncross: limit levels plus the market orders, which wait at the band
        limits during a call (a market buy at the upper limit, a market sell at the lower)."""
        bids, asks = self._levels()
        market_bid = self._market_quantity(self._bids, self._upper)
        market_ask = self._market_quantity(self._asks, self._lower)
        if market_bid:
            bids = _without(bids, self._upper, market_bid)
        if market_ask:
            asks = _without(asks, self._lower, market_ask)
        return auction.uncross(
            bids,
            asks,
            self._reference_price(),
            market_bid=market_bid,
            market_ask=market_ask,
            lower=self._lower,
            upper=self._upper,
        )

    @staticmethod
    def _market_quantity(book: BookSide, price: int) -> int:
        level = book.levels.get(price)
        if level is None:
            return 0
        return sum(o.quantity for o in level.orders.values() if o.kind is MARKET)

    def _markets_to_band_limits(self, at: int, events: list[Event]) -> None:
        """A call starts: market orders waiting at deemed prices move to the band limit they rank
        with in a call, keeping their time priority."""
        for order in sorted((o for o in self._orders.values() if o.kind is MARKET), key=_arrival):
            limit = self._upper if order.side is BUY else self._lower
            if order.price == limit:
                continue
            book = self._side(order.side)
            old = book.remove(order)
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, old.quantity if old.orders else 0))
            order.price = limit
            level = book.add(order)
            level.orders = dict(sorted(level.orders.items(), key=lambda item: item[1].arrival))
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, limit, level.quantity))

    def _publish_indicative(self, at: int, events: list[Event]) -> None:
        current = self._uncross_price()
        if current != self._published_indicative:
            self._published_indicative = current
            self._seq += 1
            events.append(Indicative(self._seq, at, current[0], current[1]))

    def _leave_call(self, at: int, events: list[Event]) -> None:
        if self._published_indicative != (None, 0):
            self._published_indicative = (None, 0)
            self._seq += 1
            events.append(Indicative(self._seq, at, None, 0))

    def _executable_at(self, price: int) -> int:
        demand = sum(self._bids.levels[p].quantity for p in self._bids.prices if p >= price)
        supply = sum(self._asks.levels[p].quantity for p in self._asks.prices if p <= price)
        return min(demand, supply)

    def _uncross_vi(self, price: int) -> tuple[ViKind, int, int] | None:
        """The VI an uncross at `price` would trigger under this call's rules, if any."""
        reason = self._call_reason
        if reason != CallReason.SINGLE_PRICE:  # static VI: regular session only
            if price >= self._static_hi:
                return ViKind.STATIC, self._static_reference, self._static_hi
            if price <= self._static_lo:
                return ViKind.STATIC, self._static_reference, self._static_lo
        if reason in (CallReason.CLOSING, CallReason.SINGLE_PRICE) and self._last_price is not None:
            rate = dynamic_vi_rate_percent(
                kospi200=self.kospi200, market=self.market, closing_call=reason == CallReason.CLOSING
            )
            reference, lo, hi = self._dynamic_bounds(rate)
            if price >= hi:
                return ViKind.DYNAMIC, reference, hi
            if price <= lo:
                return ViKind.DYNAMIC, reference, lo
        return None

    def _uncross(self, at: int, events: list[Event], *, check_vi: bool) -> None:
        """End the running call at `at`: VI check, allocation, then the next phase."""
        price, quantity = self._uncross_price()
        if price is not None and check_vi:
            self._call_vi_checked = True
            triggered = self._uncross_vi(price)
            if triggered is not None:
                # The call is extended by a 2-minute VI call plus a random end; its uncross then runs
                # without a further VI check.
                kind, reference, trigger = triggered
                ends_at = at + VI_CALL_MICROS
                self._call_scheduled_end = ends_at
                self._call_end = ends_at + self._rng.randrange(RANDOM_END_MAX_MICROS + 1)
                self._vi = ViState(kind, reference, trigger, ends_at)
                self._seq += 1
                events.append(ViTriggered(self._seq, at, kind, reference, trigger, ends_at))
                self._seq += 1
                events.append(PhaseChanged(self._seq, at, CALL, ends_at, "vi"))
                return
        if price is not None:
            simultaneous = self._call_reason in (CallReason.PRE_OPEN, CallReason.VI, CallReason.SESSION) and (
                price in (self._upper, self._lower)
            )
            self._allocate(at, price, quantity, aggressor=None, simultaneous=simultaneous, events=events)
            if self._call_reason != CallReason.SINGLE_PRICE:
                self._set_static_reference(price)  # 정적 VI reference: the last single-price price
        self._leave_call(at, events)
        if self._vi is not None:
            self._release_vi(at, events)
        then = self._call_then
        if then is BookPhase.FIXED_PRICE:
            self._fixed_price = self._last_price
        if then is CALL:
            then = BookPhase.CLOSED
        self._set_phase(at, then, "uncross", events)
        if then is CONTINUOUS:
            # Market orders the uncross left open stay market orders in continuous trading.
            for order in sorted((o for o in self._orders.values() if o.kind is MARKET), key=_arrival):
                if self._phase is not CONTINUOUS:
                    break  # a VI stopped one: the rest wait in its call
                book = self._side(order.side)
                level = book.remove(order)
                del self._orders[order.order_id]
                self._seq += 1
                events.append(
                    LevelChanged(self._seq, at, order.side, order.price, level.quantity if level.orders else 0)
                )
                self._match_continuous(at, order, events)
        if self._next_call is not None:
            scheduled_end, next_then, reason = self._next_call
            self._next_call = None
            self._begin_call(at, scheduled_end, BookPhase(next_then), reason, events)

    def _allocate(
        self, at: int, price: int, quantity: int, *, aggressor: Side | None, simultaneous: bool, events: list[Event]
    ) -> None:
        """Execute `quantity` at one price: bids at or above and asks at or below it, in priority."""
        buys = self._fills(self._bids, price, quantity, simultaneous and price == self._upper)
        sells = self._fills(self._asks, price, quantity, simultaneous and price == self._lower)
        b = s = 0
        buy_left = buys[0][1]
        sell_left = sells[0][1]
        while b < len(buys) and s < len(sells):
            buy, sell = buys[b][0], sells[s][0]
            q = buy_left if buy_left <= sell_left else sell_left
            self._seq += 1
            events.append(
                Traded(self._seq, at, price, q, buy.order_id, sell.order_id, buy.owner, sell.owner, aggressor)
            )
            buy_left -= q
            sell_left -= q
            if not buy_left:
                b += 1
                if b < len(buys):
                    buy_left = buys[b][1]
            if not sell_left:
                s += 1
                if s < len(sells):
                    sell_left = sells[s][1]
        self.volume += quantity
        self.value += quantity * price
        self._last_price = price
        for book, fills in ((self._bids, buys), (self._asks, sells)):
            touched: dict[int, Level] = {}
            for order, q in fills:
                level = book.levels[order.price]
                touched[order.price] = level
                order.quantity -= q
                order.filled += q
                level.quantity -= q
                if not order.quantity:
                    del level.orders[order.order_id]
                    del self._orders[order.order_id]
            for level_price, level in touched.items():
                if not level.orders:
                    book.drop_level(level_price)
                self._seq += 1
                events.append(LevelChanged(self._seq, at, book.side, level_price, level.quantity))

    @staticmethod
    def _fills(book: BookSide, price: int, quantity: int, simultaneous: bool) -> list[tuple[Order, int]]:
        """(order, quantity) taken from one side for an uncross, in priority order."""
        fills: list[tuple[Order, int]] = []
        left = quantity
        for level in book.levels_in_priority():
            if not left or (level.price < price if book.is_bid else level.price > price):
                break
            orders = list(level.orders.values())
            if simultaneous and level.price == price and level.quantity > left:
                # 동시호가 at the band limit: quantity priority (auction.allocate_simultaneous).
                shares = auction.allocate_simultaneous([o.quantity for o in orders], left)
                fills.extend((o, q) for o, q in zip(orders, shares, strict=True) if q)
                return fills
            for order in orders:
                q = order.quantity if order.quantity <= left else left
                fills.append((order, q))
                left -= q
                if not left:
                    break
        return fills

    def _trigger_vi(self, at: int, kind: ViKind, reference: int, trigger: int, events: list[Event]) -> None:
        ends_at = at + VI_CALL_MICROS
        self._vi = ViState(kind, reference, trigger, ends_at)
        self._seq += 1
        events.append(ViTriggered(self._seq, at, kind, reference, trigger, ends_at))
        self._call_then = self._phase  # back to the interrupted phase (or what the shell sets meanwhile)
        self._phase = CALL
        self._call_reason = str(CallReason.VI)
        self._call_scheduled_end = ends_at
        self._call_end = ends_at + self._rng.randrange(RANDOM_END_MAX_MICROS + 1)
        self._call_vi_checked = True
        self._seq += 1
        events.append(PhaseChanged(self._seq, at, CALL, ends_at, str(CallReason.VI)))
        self._markets_to_band_limits(at, events)
        self._publish_indicative(at, events)

    def _release_vi(self, at: int, events: list[Event]) -> None:
        self._vi = None
        self._seq += 1
        events.append(ViReleased(self._seq, at))

    def _conditionals_to_market(self, at: int, events: list[Event]) -> None:
        for order in sorted((o for o in self._orders.values() if o.kind is CONDITIONAL), key=_arrival):
            book = self._side(order.side)
            old = book.remove(order)
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, old.quantity if old.orders else 0))
            order.kind = MARKET
            order.price = self._upper if order.side is BUY else self._lower
            self._arrival += 1
            order.arrival = self._arrival
            level = book.add(order)
            self._seq += 1
            events.append(Modified(self._seq, at, order.order_id, None, order.quantity, False))
            self._seq += 1
            events.append(LevelChanged(self._seq, at, order.side, order.price, level.quantity))

    def _orders_in_priority(self) -> Iterable[Order]:
        for book in (self._bids, self._asks):
            for level in book.levels_in_priority():
                yield from list(level.orders.values())

    # --- snapshot -------------------------------------------------------------------------------

    def snapshot(self) -> dict:
        """State for `restore`: resting orders in priority order, phase, timers, references, RNG state.

        JSON-able as long as order ids and owners are (ints, strings)."""
        version, internal, gauss = self._rng.getstate()
        return {
            "version": SNAPSHOT_VERSION,
            "code": self.code,
            "kospi200": self.kospi200,
            "market": self.market,
            "seed": self.seed,
            "rng": [version, list(internal), gauss],
            "seq": self._seq,
            "arrival": self._arrival,
            "base_price": self.base_price,
            "lower": self._lower,
            "upper": self._upper,
            "last_price": self._last_price,
            "static_reference": self._static_reference,
            "volume": self.volume,
            "value": self.value,
            "phase": str(self._phase),
            "call": {
                "end": self._call_end,
                "scheduled_end": self._call_scheduled_end,
                "then": str(self._call_then),
                "reason": self._call_reason,
                "vi_checked": self._call_vi_checked,
                "next": None if self._next_call is None else list(self._next_call),
            },
            "fixed_price": self._fixed_price,
            "vi": None
            if self._vi is None
            else {
                "kind": str(self._vi.kind),
                "reference_price": self._vi.reference_price,
                "trigger_price": self._vi.trigger_price,
                "ends_at": self._vi.ends_at,
            },
            "indicative": list(self._published_indicative),
            "orders": [
                {
                    "order_id": o.order_id,
                    "side": str(o.side),
                    "kind": str(o.kind),
                    "price": o.price,
                    "quantity": o.quantity,
                    "filled": o.filled,
                    "tif": str(o.tif),
                    "owner": o.owner,
                    "arrival": o.arrival,
                }
                for o in self._orders_in_priority()
            ],
        }

    @classmethod
    def restore(cls, data: dict) -> MatchingEngine:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown exchange snapshot version: {data.get('version')!r}")
        engine = cls(
            data["code"],
            base_price=data["base_price"],
            kospi200=data["kospi200"],
            market=data["market"],
            seed=data["seed"],
            lower=data["lower"],
            upper=data["upper"],
        )
        version, internal, gauss = data["rng"]
        engine._rng.setstate((version, tuple(internal), gauss))
        engine._seq = data["seq"]
        engine._arrival = data["arrival"]
        engine._last_price = data["last_price"]
        engine._set_static_reference(data["static_reference"])
        engine.volume = data["volume"]
        engine.value = data["value"]
        engine._phase = BookPhase(data["phase"])
        call = data["call"]
        engine._call_end = call["end"]
        engine._call_scheduled_end = call["scheduled_end"]
        engine._call_then = BookPhase(call["then"])
        engine._call_reason = call["reason"]
        engine._call_vi_checked = call["vi_checked"]
        engine._next_call = None if call["next"] is None else tuple(call["next"])
        engine._fixed_price = data["fixed_price"]
        vi = data["vi"]
        if vi is not None:
            engine._vi = ViState(ViKind(vi["kind"]), vi["reference_price"], vi["trigger_price"], vi["ends_at"])
        engine._published_indicative = (data["indicative"][0], data["indicative"][1])
        for item in sorted(data["orders"], key=lambda o: o["arrival"]):
            order = Order(
                item["order_id"],
                Side(item["side"]),
                OrderKind(item["kind"]),
                item["price"],
                item["quantity"],
                TimeInForce(item["tif"]),
                item["owner"],
                item["arrival"],
                item["filled"],
            )
            engine._side(order.side).add(order)
            engine._orders[order.order_id] = order
        return engine


def _without(levels: list[tuple[int, int]], price: int, quantity: int) -> list[tuple[int, int]]:
    """Levels with `quantity` taken off the level at `price` (dropping it when nothing is left)."""
    out = []
    for p, q in levels:
        if p == price:
            q -= quantity
            if not q:
                continue
        out.append((p, q))
    return out


def _arrival(order: Order) -> int:
    return order.arrival


def _view(order: Order) -> OrderView:
    return OrderView(
        order.order_id, order.side, order.kind, order.price, order.quantity, order.filled, order.tif, order.owner
    )
