"""The simulated KRX market: participants' orders meeting in the exchange, on the market clock.

Per symbol three boards, each a `market.exchange.MatchingEngine`: the regular board (pre-open call,
opening uncross, continuous trading, closing call and uncross), the close-price board (장전/장후
시간외 종가, at the previous or today's close, by time priority) and the single-price board (시간외
단일가: a call every 10 minutes within ±10% of the close). `market.timetable` says when each
session starts and ends; `market.feeds.participants` sends the orders. Everything the platform
publishes (the tape, quotes, 10-level books, 예상체결가, VI) is derived from the engines' events and
state, so the book a browser sees is the book the engine holds.

`SyntheticMarket` is the pure part (no I/O): `advance_to(now)` runs the market up to a moment and
returns what changed. `SimulatedFeed` is the shell: it reads the market clock every step, advances
the market and hands the result to the sink (the Publisher).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from market import rules, timetable, venue
from market.exchange import (
    BookPhase,
    CallReason,
    Indicative,
    LevelChanged,
    MatchingEngine,
    PhaseChanged,
    Rejected,
    Traded,
    ViReleased,
    ViTriggered,
)
from market.exchange.types import from_micros, to_micros
from market.feeds.base import Feed, FeedSink
from market.feeds.participants import MarketFactor, Participants, Profile
from market.state import BookLevel, OrderBook, Quote, Trade
from market.venue import NO_BOOK, Cancel, Command, LocalVenue, Modify, Reply, Submit, as_json, concerns_user

logger = logging.getLogger(__name__)

LEVELS = 10
# After-hours single-price calls trade within ±10% of the day's close (inside the daily band).
SINGLE_PRICE_RANGE_PERCENT = 10
# A day is over this long after its last session's scheduled end (the last call's random end and
# the expiry that follows it fit inside).
DAY_SETTLES = 60 * 1_000_000
BOARDS = ("regular", "close_price", "single_price")  # as `market.timetable.Session.board` names them


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    """What the market needs to know of a symbol (seed data of the symbol master)."""

    code: str
    market: str
    prev_close: int
    daily_value: int
    kospi200: bool = False


@dataclass(slots=True)
class MarketUpdate:
    """What changed for one symbol in one advance: its prints, its quote, its book if it moved."""

    code: str
    trades: list[Trade]
    quote: Quote
    book: OrderBook | None


@dataclass
class _Symbol:
    spec: SymbolSpec
    participants: Participants
    regular: MatchingEngine
    close_board: MatchingEngine
    single_board: MatchingEngine
    prev_close: int
    close: int | None = None  # today's closing price, once the closing uncross has run
    fixed_price: int | None = None  # the price of the 시간외 종가 session running
    open: int | None = None
    high: int = 0
    low: int = 0
    volume: int = 0
    value: int = 0
    regular_expired: bool = False
    single_calls_left: list[int] = field(default_factory=list)  # scheduled ends of the next calls
    session_ends: int = 0  # end of the single-price session, µs

    @property
    def engines(self) -> tuple[MatchingEngine, ...]:
        return (self.regular, self.close_board, self.single_board)

    @property
    def price(self) -> int:
        return self.regular.last_price or self.prev_close


class SyntheticMarket:
    """Every simulated symbol's boards and participants, run on the KRX timetable (pure)."""

    def __init__(
        self, specs: list[SymbolSpec], *, seed: int | str = 0, scale: float = 1.0, participants: bool = True
    ) -> None:
        self.seed = seed
        self.scale = scale
        self.participants = participants  # False: only the users' orders (tests build their books)
        self._user_events: list[tuple[str, str, Any]] = []
        self.factor = MarketFactor(seed)
        self.symbols: dict[str, _Symbol] = {}
        for spec in specs:
            self._add(spec)
        self.now: int | None = None  # market time reached, µs
        self.day: dt.date | None = None
        self._edges: list[tuple[int, int, timetable.Session, str]] = []  # (at, order, session, "start"|"end")
        self._day_over = 0
        self._events: dict[str, list[tuple[str, Any]]] = {}
        self._pending: list[MarketUpdate] = []

    def _add(self, spec: SymbolSpec) -> _Symbol | None:
        if spec.prev_close <= 0:
            return None
        base = rules.round_to_tick(spec.prev_close)
        profile = Profile(code=spec.code, market=spec.market, reference_price=base, daily_value=spec.daily_value)

        def engine(board: str, spec: SymbolSpec = spec, base: int = base) -> MatchingEngine:
            return MatchingEngine(
                spec.code,
                base_price=base,
                kospi200=spec.kospi200,
                market=spec.market,
                seed=f"{self.seed}:{spec.code}:{board}",
            )

        self.symbols[spec.code] = _Symbol(
            spec=spec,
            participants=Participants(profile, self.factor, self.seed, scale=self.scale),
            regular=engine("regular"),
            close_board=engine("close"),
            single_board=engine("single"),
            prev_close=base,
        )
        return self.symbols[spec.code]

    def add_symbol(self, spec: SymbolSpec) -> None:
        """List a symbol while the market runs: it joins the day (and its sessions) under way."""
        sym = self._add(spec)
        if sym is None or self.day is None or self.now is None:
            return
        at = self.now
        for board, engine in zip(BOARDS, sym.engines, strict=True):
            self._tagged(sym, board, engine.new_day(at, base_price=sym.prev_close))
        regular = [s for s in timetable.sessions_on(self.day) if s.board == "regular"]
        opens = next((s.ends_at for s in regular if s.kind == "call"), regular[0].starts_at)
        sym.participants.start_day(
            day=self.day, base_price=sym.prev_close, opens_at=to_micros(opens), closes_at=to_micros(regular[-1].ends_at)
        )
        for session in timetable.sessions_on(self.day):
            if to_micros(session.starts_at) <= at < to_micros(session.ends_at):
                self._tagged(sym, session.board, self._apply(sym, session, "start", at))

    # --- the timetable ----------------------------------------------------------------------
    def _open_day(self, day: dt.date, at: int) -> None:
        """Start a trading day: new bands and base prices, participants' paths, the day's edges."""
        self.day = day
        sessions = timetable.sessions_on(day)
        regular = [s for s in sessions if s.board == "regular"]
        opens = next((s.ends_at for s in regular if s.kind == "call"), regular[0].starts_at)
        closes = regular[-1].ends_at
        for sym in self.symbols.values():
            if sym.close is not None:
                sym.prev_close = sym.close
            sym.close = sym.fixed_price = sym.open = None
            sym.high = sym.low = sym.volume = sym.value = 0
            sym.regular_expired = False
            sym.single_calls_left = []
            for board, engine in zip(BOARDS, sym.engines, strict=True):
                self._events[sym.spec.code] += self._tagged(sym, board, engine.new_day(at, base_price=sym.prev_close))
            sym.participants.start_day(
                day=day, base_price=sym.prev_close, opens_at=to_micros(opens), closes_at=to_micros(closes)
            )
        self._edges = sorted(
            [(to_micros(s.starts_at), 1, s, "start") for s in sessions]
            + [(to_micros(s.ends_at), 0, s, "end") for s in sessions],
            key=lambda edge: (edge[0], edge[1]),
        )

    def _apply(self, sym: _Symbol, session: timetable.Session, edge: str, at: int) -> list[Any]:
        """What a session's start or end does to a symbol's boards."""
        if session.board == "regular":
            engine = sym.regular
            if edge == "start" and session.kind == "call":
                # the pre-open call opens into continuous trading; the closing call into the close
                opening = at < sym.participants.day.opens_at
                return engine.start_call(
                    at,
                    scheduled_end=to_micros(session.ends_at),
                    then=BookPhase.CONTINUOUS if opening else BookPhase.CLOSED,
                    reason=CallReason.PRE_OPEN if opening else CallReason.CLOSING,
                )
            if edge == "start" and session.kind == "continuous" and engine.phase == BookPhase.CLOSED:
                return engine.start_continuous(at)  # started (or restarted) mid-morning
            return []
        if session.board == "close_price":
            engine = sym.close_board
            if edge == "start":
                sym.fixed_price = sym.prev_close if sym.close is None else sym.close
                return engine.start_fixed_price(at, price=sym.fixed_price)
            sym.fixed_price = None
            return engine.close(at) + engine.expire(at)
        engine = sym.single_board  # 시간외 단일가
        if edge == "start":
            close = sym.close or sym.price
            lower = max(sym.regular.lower, rules.round_to_tick(close * (100 - SINGLE_PRICE_RANGE_PERCENT) / 100, "up"))
            upper = min(
                sym.regular.upper, rules.round_to_tick(close * (100 + SINGLE_PRICE_RANGE_PERCENT) / 100, "down")
            )
            engine.set_band(lower, upper)
            step = to_micros(session.starts_at + session.call_interval) - to_micros(session.starts_at)
            ends = to_micros(session.ends_at)
            sym.session_ends = ends
            sym.single_calls_left = list(range(at + 2 * step, ends + 1, step))
            return engine.start_call(at, scheduled_end=at + step, then=BookPhase.CLOSED, reason=CallReason.SINGLE_PRICE)
        return []

    def _after_events(self, sym: _Symbol, at: int) -> list[tuple[str, Any]]:
        """Follow-ups once an engine has moved on by itself (a call's random end has passed)."""
        out: list[tuple[str, Any]] = []
        day = sym.participants.day
        if sym.regular.phase == BookPhase.CLOSED and sym.close is None and day is not None and at >= day.closes_at:
            sym.close = sym.price  # the closing uncross has run (or nothing traded: the base price)
        if sym.close is not None and not sym.regular_expired:
            out += self._tagged(sym, "regular", sym.regular.expire(at))
            sym.regular_expired = True
        engine = sym.single_board
        if engine.phase == BookPhase.CLOSED and sym.single_calls_left:
            ends = sym.single_calls_left.pop(0)
            started = engine.start_call(at, scheduled_end=ends, then=BookPhase.CLOSED, reason=CallReason.SINGLE_PRICE)
            out += self._tagged(sym, "single_price", started)
        elif engine.phase == BookPhase.CLOSED and sym.session_ends and at >= sym.session_ends:
            out += self._tagged(sym, "single_price", engine.expire(at))
            sym.session_ends = 0
        return out

    # --- running ----------------------------------------------------------------------------
    def _day_for(self, at: int) -> dt.date:
        """The trading day in progress at `at` (until its last call has settled), or the next one."""
        return timetable.trading_day_of(from_micros(at - DAY_SETTLES))

    def _enter_day(self, target: int) -> bool:
        """Open the trading day that `now` has reached (or starts inside); False if it starts later."""
        assert self.now is not None
        day = self._day_for(self.now)
        sessions = timetable.sessions_on(day)
        first = to_micros(sessions[0].starts_at)
        if target < first:
            return False
        at = max(self.now, first)
        self._open_day(day, at)
        self._day_over = to_micros(sessions[-1].ends_at) + DAY_SETTLES
        for sym in self.symbols.values():
            events = self._events[sym.spec.code]
            events.append(("", None))  # a new day: publish the new base price even if nothing trades
            for session in sessions:  # sessions already under way (a start in the middle of the day)
                if to_micros(session.starts_at) <= at < to_micros(session.ends_at):
                    events += self._tagged(sym, session.board, self._apply(sym, session, "start", at))
        self.now = at
        return True

    def _tagged(self, sym: _Symbol, board: str, events: list[Any]) -> list[tuple[str, Any]]:
        """The events of one of the symbol's boards, tagged with it; users' are kept for the ledger."""
        code = sym.spec.code
        self._user_events += [(code, board, event) for event in events if concerns_user(event)]
        return [(board, event) for event in events]

    def take_user_events(self) -> list[tuple[str, str, Any]]:
        """(code, board, event) of every event about a user's order since the last call, in order."""
        out, self._user_events = self._user_events, []
        return out

    def _engine(self, sym: _Symbol, board: str) -> MatchingEngine:
        return sym.engines[BOARDS.index(board)]

    def execute(self, command: Command, now: dt.datetime) -> tuple[list[Any], int | None, str]:
        """Run a user's command on its board at `now` (the market is advanced there first).

        Returns the command's events, the queue ahead of its order if it rests, and the board's
        phase; what changed in the market meanwhile is collected for `take_updates`."""
        self._pending += self.advance_to(now)
        sym = self.symbols.get(command.code)
        at = to_micros(now) if self.now is None else self.now
        if sym is None or command.board not in BOARDS:
            return [Rejected(0, at, command.ref, "no_book", NO_BOOK.format(code=command.code))], None, "closed"
        engine = self._engine(sym, command.board)
        if isinstance(command, Submit):
            events = engine.submit(
                at,
                order_id=command.ref,
                side=command.side,
                quantity=command.quantity,
                kind=command.kind,
                price=command.price,
                tif=command.tif,
                owner=command.owner,
            )
        elif isinstance(command, Cancel):
            events = engine.cancel(at, order_id=command.ref, quantity=command.quantity)
        elif isinstance(command, Modify):
            events = engine.modify(at, order_id=command.ref, price=command.price, quantity=command.quantity)
        else:
            events = []
        tagged = self._tagged(sym, command.board, events)
        if events:
            status = timetable.status_at(from_micros(at))
            self._pending.append(self._update(sym, tagged, at, status))
        ahead = engine.queue_ahead(command.ref) if engine.order(command.ref) is not None else None
        return events, ahead, str(engine.phase)

    def take_updates(self) -> list[MarketUpdate]:
        """What users' commands changed in the market since the last call (to publish)."""
        out, self._pending = self._pending, []
        return out

    def advance_to(self, now: dt.datetime) -> list[MarketUpdate]:
        """Run the market up to `now` (market time); what changed, per symbol."""
        target = to_micros(now)
        self._events = {code: [] for code in self.symbols}
        if self.now is None:
            self.now = target
        while True:
            if self.day is None or self.now >= self._day_over:
                if not self._enter_day(target):
                    self.now = max(self.now, target)
                    break
            if self.now >= target:
                break
            later = [edge for edge in self._edges if edge[0] > self.now]
            stop = min(target, later[0][0] if later else self._day_over)
            for sym in self.symbols.values():
                self._run(sym, self.now, stop)
            self.now = stop
            for at, _, session, edge in later:
                if at != stop:
                    break
                for sym in self.symbols.values():
                    events = self._events[sym.spec.code]
                    events += self._tagged(sym, "regular", sym.regular.advance(at))  # a call due now uncrosses first
                    events += self._tagged(sym, session.board, self._apply(sym, session, edge, at))
                    events += self._after_events(sym, at)
        status = timetable.status_at(from_micros(target))
        return [
            self._update(sym, self._events[code], target, status)
            for code, sym in self.symbols.items()
            if self._events[code]
        ]

    def _run(self, sym: _Symbol, start: int, stop: int) -> None:
        events = self._events[sym.spec.code]
        for board, engine in zip(BOARDS, sym.engines, strict=True):
            fixed = sym.fixed_price if engine is sym.close_board else None
            if self.participants:
                acted = sym.participants.act(engine, start, stop, fixed_price=fixed)
            else:
                acted = engine.advance(stop)
            events += self._tagged(sym, board, acted)
        events += self._after_events(sym, stop)

    def _update(
        self, sym: _Symbol, events: list[tuple[str, Any]], at: int, status: timetable.MarketStatus
    ) -> MarketUpdate:
        trades: list[Trade] = []
        book_moved = False
        for board, event in events:
            if isinstance(event, Traded):
                trades.append(self._record(sym, board, event))
            elif board in ("", "regular") and (
                event is None or isinstance(event, (LevelChanged, Indicative, PhaseChanged, ViTriggered, ViReleased))
            ):
                book_moved = True
        now = from_micros(at)
        book = None
        if book_moved or trades:
            asks, bids = sym.regular.depth(LEVELS)
            book = OrderBook(
                code=sym.spec.code,
                asks=tuple(BookLevel(p, q) for p, q in asks),
                bids=tuple(BookLevel(p, q) for p, q in bids),
                time=now,
            )
        quote = self.quote(sym.spec.code, now, status)
        return MarketUpdate(code=sym.spec.code, trades=trades, quote=quote, book=book)

    def _record(self, sym: _Symbol, board: str, event: Traded) -> Trade:
        """A print of one of the symbol's boards; the day's OHLC is the regular board's."""
        sym.volume += event.quantity
        sym.value += event.price * event.quantity
        if board == "regular":
            if sym.open is None:
                sym.open = sym.high = sym.low = event.price
            sym.high = max(sym.high, event.price)
            sym.low = min(sym.low, event.price)
        side = str(event.aggressor) if event.aggressor is not None else ""
        return Trade(
            code=sym.spec.code, price=event.price, quantity=event.quantity, side=side, time=from_micros(event.at)
        )

    def quote(self, code: str, now: dt.datetime, status: timetable.MarketStatus | None = None) -> Quote:
        sym = self.symbols[code]
        engine = sym.regular
        price = sym.price
        status = status or timetable.status_at(now)
        phase = status.phase
        expected_price = expected_quantity = None
        if engine.phase == BookPhase.CALL:
            expected_price, expected_quantity = engine.indicative()
            if engine.vi is None:
                phase = "pre_open" if sym.open is None else "closing_auction"
        elif engine.phase == BookPhase.CONTINUOUS:
            phase = "continuous"
        vi = engine.vi
        return Quote(
            code=code,
            price=price,
            open=sym.open or price,
            high=sym.high or price,
            low=sym.low or price,
            prev_close=sym.prev_close,
            volume=sym.volume,
            value=sym.value,
            best_bid=engine.best_bid,
            best_ask=engine.best_ask,
            time=now,
            extra={"feed": "sim"},
            phase=phase,
            session=status.session,
            expected_price=expected_price,
            expected_quantity=expected_quantity or None,
            vi=(
                {
                    "kind": str(vi.kind),
                    "reference_price": vi.reference_price,
                    "trigger_price": vi.trigger_price,
                    "ends_at": from_micros(vi.ends_at).astimezone(timetable.SEOUL).isoformat(),
                }
                if vi is not None
                else None
            ),
            upper_limit=engine.upper,
            lower_limit=engine.lower,
        )

    def prev_closes(self) -> dict[str, int]:
        return {code: sym.prev_close for code, sym in self.symbols.items()}


class SimulatedFeed(Feed):
    """The shell: advances the synthetic market on the market clock and publishes what changed."""

    name = "sim"

    def __init__(
        self,
        specs: list[SymbolSpec],
        *,
        clock: Any,
        seed: int | None = None,
        steps_per_second: float = 4.0,
    ) -> None:
        self.clock = clock
        speed = max(float(getattr(clock, "speed", 1.0)), 1.0)
        self.market = SyntheticMarket(specs, seed=seed if seed is not None else time.time_ns(), scale=scale_for(speed))
        self.steps_per_second = steps_per_second
        self.status: timetable.MarketStatus | None = None

    async def run(self, sink: FeedSink, stop: asyncio.Event) -> None:
        interval = 1.0 / self.steps_per_second if self.steps_per_second > 0 else 0.25
        first = True
        self.sink = sink
        self.venue = LocalVenue(self.market, loop=asyncio.get_running_loop(), clock=self.clock, execute=self.execute)
        await self._restore()
        venue.serve(self.venue)
        try:
            await self._run(sink, stop, interval, first)
        finally:
            if venue.local() is self.venue:
                venue.serve(None)

    async def _restore(self) -> None:
        """Re-enter the users' resting orders, oldest first, before the market moves on."""
        loop = asyncio.get_running_loop()
        commands = await loop.run_in_executor(None, venue.resting_orders)
        if commands:
            await self.execute(commands)

    async def execute(self, commands: list[Command]) -> list[Reply | BaseException]:
        """Users' commands, on the feed's loop (the books' one writer): new orders recorded, then
        all run, their events booked together, what changed published."""
        replies, events = self.venue.run_here(*await self.sink.admit(commands))
        await self.sink.order_events(events)
        await asyncio.gather(*(self._publish(self.sink, update) for update in self.market.take_updates()))
        return replies

    async def _run(self, sink: FeedSink, stop: asyncio.Event, interval: float, first: bool) -> None:
        while not stop.is_set():
            started = time.monotonic()
            now = self.clock.now()
            day_before = self.market.day
            updates = self.market.take_updates() + self.market.advance_to(now)
            events = as_json(self.market.take_user_events(), self.venue.epoch)
            if events:
                await sink.order_events(events)
            if self.market.day != day_before and day_before is not None:
                await sink.new_session(self.market.prev_closes(), closed_day=day_before)
            await self._publish_status(sink, now)
            if first:  # quotes and books exist from the start, traded or not
                first = False
                for code in self.market.symbols:
                    await sink.quote(self.market.quote(code, now))
            await asyncio.gather(*(self._publish(sink, update) for update in updates))
            delay = interval - (time.monotonic() - started)
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(delay, 0))
            except TimeoutError:
                pass

    async def _publish_status(self, sink: FeedSink, now: dt.datetime) -> None:
        status = timetable.status_at(now)
        if self.status is None or (status.phase, status.session) != (self.status.phase, self.status.session):
            self.status = status
            await sink.status(status)

    @staticmethod
    async def _publish(sink: FeedSink, update: MarketUpdate) -> None:
        await sink.update(update.trades, update.quote, update.book)  # its prints in order, then its book


def scale_for(speed: float) -> float:
    """Thin the flow at high clock speeds so the events a wall second stay about the same."""
    return max(0.005, min(1.0, 20.0 / speed))
