"""The synthetic market's participants: seeded order flow into one symbol's matching engine.

Pure (no Django, no I/O, no clock of its own): the feed shell (`market/feeds/simulated.py`) hands
each symbol's `Participants` the engine and a span of market time, and they send it the orders and
cancels they would have sent in that span. Prices come out of those orders meeting in the engine.

The model, per symbol and trading day (docs/architecture.md, "Synthetic market"):
- A day's return is a common market factor plus the stock's own noise, both fat-tailed (Student's
  t with 4 degrees of freedom), with a weak pull back towards the price the run started from, so a
  run of months neither drifts to the limits nor empties the books. Part of the return is an
  overnight gap (set in the opening call); the rest follows a Brownian bridge through the day.
  That path is the *fair value* the participants trade around; nobody sees it but them.
- Market makers keep a 10-level ladder on both sides around fair value, sized from the stock's
  typical daily traded value (a level holds about 1/800 of a day's value: 10^4–10^5 shares for
  Samsung Electronics, hundreds for a small KOSDAQ stock), and re-quote every few seconds.
- Takers send marketable limit orders (IOC, up to two ticks through the touch), buying more when
  fair value is above the mid and selling more when below; their sizes add up to about the day's
  typical traded value.
- Liquidity providers rest limit orders a few ticks off the touch and cancel them after a while.
- Intensity is U-shaped over the day (heavier after the open and into the close); in the calls
  (pre-open, closing, VI) everyone sends limit orders around fair value instead, heavier into the
  closing call; the after-hours boards get a trickle.

`scale` thins the flow for high clock speeds (fewer, proportionally larger orders), so a day run in
seconds has the same volume in fewer events.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from typing import Any

from market import rules
from market.exchange import BookPhase, MatchingEngine, Side, TimeInForce

SECOND = 1_000_000  # market time is in microseconds
LEVELS = 10

# Daily volatility of the common factor and of a stock's own noise (of a day's log return).
MARKET_DAILY_VOL = 0.011
OWN_DAILY_VOL = {"KOSPI": 0.015, "KOSDAQ": 0.024, "KONEX": 0.03}
# Pull back towards the run's starting price, per day, of the log distance (a half-life of ~35 days).
MEAN_REVERSION = 0.02
# Share of the day's return set overnight (the opening call's gap).
OVERNIGHT_SHARE = 0.4
# Intraday wander of fair value around its path, per square root of a session.
INTRADAY_VOL = 0.008
# A market maker's level holds this share of the stock's typical daily traded value.
LEVEL_SHARE_OF_DAY = 1 / 800
# Average taker order, as a share of the day's typical traded value (between the bounds below).
TAKER_ORDERS_PER_DAY = (600, 6_000)
CONTINUOUS_SECONDS = 6 * 3600 + 20 * 60
# Floors of the arrival rates (per market second), so a thinned flow still makes a market.
MIN_TAKER_RATE = 1 / 120
MIN_CALL_RATE = 1 / 30


def _student_t(rng: random.Random, df: int = 4) -> float:
    """A Student's t draw scaled to unit variance."""
    z = rng.gauss(0.0, 1.0)
    chi2 = sum(rng.gauss(0.0, 1.0) ** 2 for _ in range(df))
    return z / math.sqrt(chi2 / df) / math.sqrt(df / (df - 2))


@dataclass(frozen=True, slots=True)
class Profile:
    """What the model knows of a stock: seed data of the symbol master."""

    code: str
    market: str
    reference_price: int  # where the run starts (the previous close)
    daily_value: int  # typical daily traded value in won
    beta: float = 1.0


class MarketFactor:
    """The day's common return, the same for every stock of a run (seeded per day)."""

    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        self._days: dict[Any, float] = {}

    def on(self, day: Any) -> float:
        if day not in self._days:
            rng = random.Random(f"{self.seed}:market:{day}")
            self._days[day] = MARKET_DAILY_VOL * _student_t(rng)
        return self._days[day]


@dataclass
class _Day:
    """Fair value's path for one trading day."""

    base: float  # the day's base price (previous close)
    target: float  # log return from base to the close
    gap: float  # log return set by the opening call
    opens_at: int
    closes_at: int
    bridge: float = 0.0  # the Brownian bridge's value (log), pinned to 0 at both ends
    bridge_at: int = 0


@dataclass
class Participants:
    """Everyone who trades one symbol in the synthetic market (one board's engine at a time)."""

    profile: Profile
    factor: MarketFactor
    seed: int | str
    scale: float = 1.0
    rng: random.Random = field(init=False)
    day: _Day | None = field(init=False, default=None)
    _next_id: int = field(init=False, default=0)
    # the market makers' resting quotes: (side, price) -> order id
    _quotes: dict[tuple[Side, int], Any] = field(init=False, default_factory=dict)
    _next_requote: int = field(init=False, default=0)
    # liquidity providers' orders to cancel: (when, order id)
    _expiring: list[tuple[int, Any]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(f"{self.seed}:{self.profile.code}")

    # --- the day ----------------------------------------------------------------------------
    def start_day(self, *, day: Any, base_price: int, opens_at: int, closes_at: int) -> None:
        """A new trading day: draw its return and forget yesterday's orders (they expired)."""
        day_rng = random.Random(f"{self.seed}:{self.profile.code}:{day}")
        own = OWN_DAILY_VOL.get(self.profile.market, 0.02) * _student_t(day_rng)
        pull = -MEAN_REVERSION * math.log(base_price / self.profile.reference_price)
        target = self.profile.beta * self.factor.on(day) + own + pull
        target = max(-0.25, min(0.25, target))  # the band (±30%) stays out of reach on most days
        self.day = _Day(
            base=base_price,
            target=target,
            gap=target * OVERNIGHT_SHARE,
            opens_at=opens_at,
            closes_at=closes_at,
            bridge_at=opens_at,
        )
        self.forget_orders()

    def forget_orders(self) -> None:
        """The board closed and its orders expired."""
        self._quotes.clear()
        self._expiring.clear()
        self._next_requote = 0

    def fair_value(self, at: int) -> float:
        day = self.day
        if day is None:
            return float(self.profile.reference_price)
        if at <= day.opens_at:
            return day.base * math.exp(day.gap)
        at = min(at, day.closes_at)
        remaining = day.closes_at - at
        if at > day.bridge_at:
            # advance the bridge: a Brownian step pulled towards 0 at the close
            dt = (at - day.bridge_at) / (day.closes_at - day.opens_at)
            left = (remaining + (at - day.bridge_at)) / (day.closes_at - day.opens_at)
            pull = day.bridge * dt / left if left > 0 else day.bridge
            day.bridge += self.rng.gauss(0.0, INTRADAY_VOL * math.sqrt(dt)) - pull
            day.bridge_at = at
        progress = (at - day.opens_at) / (day.closes_at - day.opens_at)
        return day.base * math.exp(day.gap + (day.target - day.gap) * progress + day.bridge)

    # --- sizes and rates --------------------------------------------------------------------
    def _order_id(self) -> str:
        self._next_id += 1
        return f"sim-{self.profile.code}-{self._next_id}"

    def _taker_orders_per_day(self) -> float:
        low, high = TAKER_ORDERS_PER_DAY
        return min(high, max(low, self.profile.daily_value / 150_000_000))

    def _shares(self, value: float, price: int) -> int:
        return max(1, int(value / max(price, 1)))

    def _taker_size(self, price: int) -> int:
        """Takers' orders add up to about 80% of the day's typical traded value (the calls do the rest)."""
        orders = max(MIN_TAKER_RATE * CONTINUOUS_SECONDS, self._taker_orders_per_day() * self.scale)
        mean_value = 0.8 * self.profile.daily_value / orders
        # lognormal with sigma 1 has mean exp(0.5): divide it out
        return self._shares(mean_value * self.rng.lognormvariate(-0.5, 1.0), price)

    def _level_size(self, price: int, depth: int) -> int:
        value = self.profile.daily_value * LEVEL_SHARE_OF_DAY * (1 + 0.15 * depth)
        return self._shares(value * self.rng.uniform(0.5, 1.5), price)

    def _intensity(self, at: int) -> float:
        """U-shaped over the continuous session: 1 at midday, about 2.5 after the open and 2 near the close."""
        day = self.day
        if day is None:
            return 1.0
        since_open = max(0.0, (at - day.opens_at) / SECOND / 60)
        to_close = max(0.0, (day.closes_at - at) / SECOND / 60)
        return 1.0 + 1.5 * math.exp(-since_open / 30) + 1.0 * math.exp(-to_close / 30)

    def _arrivals(self, rate_per_second: float, start: int, end: int) -> list[int]:
        """Poisson arrival times in [start, end)."""
        expected = rate_per_second * (end - start) / SECOND
        if expected <= 0:
            return []
        count = _poisson(self.rng, expected)
        return sorted(self.rng.randrange(start, end) for _ in range(count)) if end > start else []

    # --- acting -----------------------------------------------------------------------------
    def act(self, engine: MatchingEngine, start: int, end: int, *, fixed_price: int | None = None) -> list[Any]:
        """Send the engine what the participants would send in [start, end); its events in order.

        fixed_price: the one price of a 시간외 종가 session, when the engine runs one.
        """
        if end <= start:
            return []
        phase = engine.phase
        if phase == BookPhase.CLOSED:
            return []
        # however thin the flow is scaled, a stock still trades every couple of minutes
        base_rate = max(MIN_TAKER_RATE, self._taker_orders_per_day() / CONTINUOUS_SECONDS * self.scale)
        out: list[Any] = []
        if phase == BookPhase.CONTINUOUS:
            rate = base_rate * self._intensity((start + end) // 2)
            takers = [(t, 0) for t in self._arrivals(rate, start, end)]
            providers = [(t, 1) for t in self._arrivals(rate * 1.5, start, end)]
            requote_every = max(1, int(4 * SECOND / max(self.scale, 0.05)))
            requotes = []
            at = max(self._next_requote, start)
            while at < end:
                requotes.append((at, 2))
                at += requote_every
            self._next_requote = at
            for at, what in sorted(takers + providers + requotes):
                out += engine.advance(at)
                if engine.phase != BookPhase.CONTINUOUS:  # a VI (or the shell's schedule) stopped it
                    out += self._call_flow(engine, at, end, base_rate)
                    break
                out += self._cancel_expired(engine, at)
                if what == 0:
                    out += self._take(engine, at)
                elif what == 1:
                    out += self._provide(engine, at)
                else:
                    out += self._requote(engine, at)
        elif phase == BookPhase.CALL:
            out += self._call_flow(engine, start, end, base_rate)
        elif phase == BookPhase.FIXED_PRICE and fixed_price is not None:
            # 시간외 종가: a trickle of orders at the one price, matched by time priority
            for at in self._arrivals(base_rate * 0.05, start, end):
                out += engine.advance(at)
                side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
                out += engine.submit(
                    at,
                    order_id=self._order_id(),
                    side=side,
                    quantity=max(1, self._taker_size(fixed_price) // 4),
                    price=fixed_price,
                    owner="sim",
                )
        out += engine.advance(end - 1)
        return out

    def _call_flow(self, engine: MatchingEngine, start: int, end: int, base_rate: float) -> list[Any]:
        """Limit orders around fair value while the book is in a call (pre-open, closing, VI, after hours)."""
        out: list[Any] = []
        t = max(start, 0)
        # calls draw many orders (everyone who wants the open or the close): heavier into the close
        rate = max(MIN_CALL_RATE, base_rate * (8 if self._near_close(t) else 6))
        for at in self._arrivals(rate, start, end):
            out += engine.advance(at)
            if engine.phase != BookPhase.CALL:
                break
            fair = self.fair_value(at)
            side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
            # buyers bid a little under fair value, sellers ask a little over, with a spread of views
            skew = -1 if side == Side.BUY else 1
            price = fair * math.exp(self.rng.gauss(0.002 * skew, 0.006))
            out += engine.submit(
                at,
                order_id=self._order_id(),
                side=side,
                quantity=max(1, self._taker_size(int(fair)) // 5),
                price=self._on_grid(engine, price),
                owner="sim",
            )
        return out

    def _near_close(self, at: int) -> bool:
        return self.day is not None and at >= self.day.closes_at - 15 * 60 * SECOND

    def _on_grid(self, engine: MatchingEngine, price: float) -> int:
        return min(engine.upper, max(engine.lower, rules.round_to_tick(price)))

    def _mid(self, engine: MatchingEngine, fair: float) -> float:
        bid, ask = engine.best_bid, engine.best_ask
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return float(bid or ask or fair)

    def _take(self, engine: MatchingEngine, at: int) -> list[Any]:
        fair = self.fair_value(at)
        mid = self._mid(engine, fair)
        # buy more when fair value is above the mid: the tape follows fair value
        p_buy = 1 / (1 + math.exp(-math.log(fair / mid) / 0.002))
        side = Side.BUY if self.rng.random() < p_buy else Side.SELL
        touch = engine.best_ask if side == Side.BUY else engine.best_bid
        if touch is None:
            return []
        limit = rules.tick_up(touch, 2) if side == Side.BUY else rules.tick_down(touch, 2)
        return engine.submit(
            at,
            order_id=self._order_id(),
            side=side,
            quantity=self._taker_size(touch),
            price=self._on_grid(engine, limit),
            tif=TimeInForce.IOC,
            owner="sim",
        )

    def _provide(self, engine: MatchingEngine, at: int) -> list[Any]:
        fair = self.fair_value(at)
        side = Side.BUY if self.rng.random() < 0.5 else Side.SELL
        touch = engine.best_bid if side == Side.BUY else engine.best_ask
        anchor = touch if touch is not None else self._on_grid(engine, fair)
        depth = min(LEVELS - 1, int(self.rng.expovariate(0.4)))
        price = rules.tick_down(anchor, depth) if side == Side.BUY else rules.tick_up(anchor, depth)
        price = self._on_grid(engine, price)
        order_id = self._order_id()
        events = engine.submit(
            at,
            order_id=order_id,
            side=side,
            quantity=max(1, self._level_size(price, depth) // 3),
            price=price,
            owner="sim",
        )
        lifetime = int(self.rng.expovariate(1 / 90) * SECOND / max(self.scale, 0.05))
        heapq.heappush(self._expiring, (at + lifetime, order_id))
        return events

    def _cancel_expired(self, engine: MatchingEngine, at: int) -> list[Any]:
        out: list[Any] = []
        while self._expiring and self._expiring[0][0] <= at:
            _, order_id = heapq.heappop(self._expiring)
            if engine.order(order_id) is not None:
                out += engine.cancel(at, order_id=order_id)
        return out

    def _requote(self, engine: MatchingEngine, at: int) -> list[Any]:
        """Market makers move their ladders to fair value: cancel what is off, fill what is missing."""
        fair = self.fair_value(at)
        bid = self._on_grid(engine, rules.round_to_tick(fair, "down"))
        if bid >= fair and bid > engine.lower:
            bid = rules.tick_down(bid)
        ask = rules.tick_up(bid)
        if ask > engine.upper:
            ask = engine.upper
        wanted: dict[tuple[Side, int], int] = {}
        price = bid
        for depth in range(LEVELS):
            if price < engine.lower:
                break
            wanted[(Side.BUY, price)] = depth
            price = rules.tick_down(price)
        price = ask
        for depth in range(LEVELS):
            if price > engine.upper or price == bid:
                break
            wanted[(Side.SELL, price)] = depth
            price = rules.tick_up(price)
        out: list[Any] = []
        for key, order_id in list(self._quotes.items()):
            resting = engine.order(order_id)
            if resting is None:
                del self._quotes[key]
            elif key not in wanted:
                out += engine.cancel(at, order_id=order_id)
                del self._quotes[key]
        # nearest levels first, so the touch is quoted before the depth
        for (side, price), depth in sorted(wanted.items(), key=lambda item: item[1]):
            if (side, price) in self._quotes:
                continue
            order_id = self._order_id()
            out += engine.submit(
                at, order_id=order_id, side=side, quantity=self._level_size(price, depth), price=price, owner="sim"
            )
            if engine.order(order_id) is not None:
                self._quotes[(side, price)] = order_id
        return out


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:  # normal approximation: exact enough for a count of arrivals
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
