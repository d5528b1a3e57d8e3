"""The market clock: the one "now" that the feed, the exchange, order expiry, deployments and "today" read.

- `krx`: Seoul wall time, speed 1 (what the KIS feed always uses).
- `practice` (the default of `make run`): a simulated clock. It starts at PAPERTRADE_CLOCK_START
  (default: 08:50 of the next XKRX trading day when the platform first starts), runs at
  PAPERTRADE_CLOCK_SPEED times wall time, and skips the night: once a trading day's last session is
  over it moves on to just before the next trading day's first session (see `advance`).

A practice clock is an anchor — (market time, wall time, speed) — and the time line it runs on.
Its state is one database row (`MarketClockState`) so that every process reads the same time:
the process that runs the feed owns the clock (`ClockOwner`): on start it resumes from the row and
then re-anchors it every few seconds (a heartbeat). Other processes re-read the row at most every
`REFRESH_SECONDS`, and a clock whose owner has stopped heartbeating stops too (`STALE_AFTER`), so a
restart continues where the market stopped instead of skipping the downtime.

Tests build clocks directly: `PracticeClock.starting(at, speed=60)` needs no settings or database.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal, TypeVar

from market import timetable
from market.timetable import SEOUL, MarketStatus

logger = logging.getLogger(__name__)

ClockKind = Literal["krx", "practice"]
CLOCK_KINDS: tuple[ClockKind, ...] = ("krx", "practice")

# The default start: this long into the next trading day's opening call.
DEFAULT_START_TIME = dt.time(8, 50)
REFRESH_SECONDS = 2.0  # how stale a reader's copy of the anchor may be
HEARTBEAT_SECONDS = 2.0  # how often the owner re-anchors the row
STALE_AFTER = dt.timedelta(seconds=6)  # without a heartbeat for this long (3 beats), the clock stands still

T = TypeVar("T")


def wall_now() -> dt.datetime:
    return dt.datetime.now(tz=dt.UTC)


@dataclass(frozen=True, slots=True)
class ClockAnchor:
    """At wall time `wall_at` the market clock read `market_at`; it runs `speed` times wall time."""

    market_at: dt.datetime
    wall_at: dt.datetime
    speed: float


# --- the practice time line ---------------------------------------------------------------------------
def skip_closed(at: dt.datetime) -> dt.datetime:
    """`at`, or the next trading day's wake-up time if `at` falls in the closed stretch before it."""
    wake = timetable.wake_time(timetable.trading_day_of(at))
    return wake if at < wake else at


def advance(start: dt.datetime, elapsed: dt.timedelta) -> dt.datetime:
    """Where the practice clock is `elapsed` of running time after `start`.

    Running time passes through the day's sessions; at the end of a trading day's last session the
    clock jumps to just before the next trading day's first session (no night, no weekend).
    """
    if elapsed < dt.timedelta(0):
        raise ValueError("the practice clock does not run backwards")
    at = skip_closed(start.astimezone(SEOUL))
    while True:
        day = timetable.trading_day_of(at)
        end = timetable.last_session_end(day)
        assert end is not None  # trading_day_of returns a trading day
        if at + elapsed < end:
            return at + elapsed
        elapsed -= end - at
        at = timetable.wake_time(timetable.next_trading_day(day))


def running_time_between(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The running time a practice clock takes from `start` to `end` (the inverse of `advance`)."""
    if end < start:
        return -running_time_between(end, start)
    at, total = skip_closed(start.astimezone(SEOUL)), dt.timedelta(0)
    while at < end:
        day = timetable.trading_day_of(at)
        day_end = timetable.last_session_end(day)
        assert day_end is not None
        if end < day_end:
            return total + (end - at)
        total += day_end - at
        at = timetable.wake_time(timetable.next_trading_day(day))
    return total


def default_start(wall: dt.datetime) -> dt.datetime:
    """08:50 of the next trading day: today's if it is a trading day not yet past 08:50."""
    local = wall.astimezone(SEOUL)
    day = local.date()
    if not timetable.is_trading_day(day) or local.time() >= DEFAULT_START_TIME:
        day = timetable.next_trading_day(day)
    return dt.datetime.combine(day, DEFAULT_START_TIME, tzinfo=SEOUL)


# --- clocks ---------------------------------------------------------------------------------------------
class MarketClock:
    kind: ClockKind
    speed: float

    def now(self) -> dt.datetime:
        raise NotImplementedError

    def today(self) -> dt.date:
        """The Seoul date of the market's now."""
        return self.now().astimezone(SEOUL).date()

    def status(self) -> MarketStatus:
        return timetable.status_at(self.now())

    def wall_time_of(self, market_at: dt.datetime) -> dt.datetime:
        """The wall time at which the clock read (or will read) `market_at`, had it run throughout."""
        raise NotImplementedError


class KrxClock(MarketClock):
    """Seoul wall time."""

    kind: ClockKind = "krx"
    speed = 1.0

    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=SEOUL)

    def wall_time_of(self, market_at: dt.datetime) -> dt.datetime:
        return market_at


class PracticeClock(MarketClock):
    """A simulated clock on the practice time line.

    `source`, if given, returns the current anchor (the shared row); it is re-read at most every
    `refresh_seconds`, never from inside a running event loop's thread without a helper thread.
    `stale_after`: the clock stands still once its anchor is this old (its owner stopped).
    """

    kind: ClockKind = "practice"

    def __init__(
        self,
        anchor: ClockAnchor,
        *,
        wall: Callable[[], dt.datetime] = wall_now,
        source: Callable[[], ClockAnchor | None] | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
        stale_after: dt.timedelta | None = None,
    ) -> None:
        self._anchor = anchor
        self._wall = wall
        self._source = source
        self.shared = source is not None  # built on the shared row (not a test's own clock)
        self._refresh_seconds = refresh_seconds
        self._stale_after = stale_after
        self._read_at = time.monotonic()
        self._lock = threading.Lock()

    @classmethod
    def starting(
        cls, at: dt.datetime, *, speed: float = 1.0, wall: Callable[[], dt.datetime] = wall_now
    ) -> PracticeClock:
        """A clock that reads `at` now (or the wake-up time after it, if `at` is in a closed stretch)."""
        if at.tzinfo is None:
            raise ValueError("the clock start must be timezone-aware")
        if speed <= 0:
            raise ValueError("the clock speed must be positive")
        return cls(ClockAnchor(skip_closed(at.astimezone(SEOUL)), wall(), speed), wall=wall)

    @property
    def anchor(self) -> ClockAnchor:
        self._maybe_refresh()
        return self._anchor

    @property
    def speed(self) -> float:  # type: ignore[override]
        return self.anchor.speed

    def _running_time(self, anchor: ClockAnchor) -> dt.timedelta:
        wall_elapsed = max(self._wall() - anchor.wall_at, dt.timedelta(0))
        if self._stale_after is not None:
            wall_elapsed = min(wall_elapsed, self._stale_after)
        return wall_elapsed * anchor.speed

    def now(self) -> dt.datetime:
        anchor = self.anchor
        return advance(anchor.market_at, self._running_time(anchor))

    def wall_time_of(self, market_at: dt.datetime) -> dt.datetime:
        anchor = self.anchor
        return anchor.wall_at + running_time_between(anchor.market_at, market_at) / anchor.speed

    def reanchored(self, *, speed: float | None = None) -> ClockAnchor:
        """An anchor at the current reading (the heartbeat; with `speed`, a change of speed)."""
        anchor = self.anchor
        return ClockAnchor(self.now(), self._wall(), speed or anchor.speed)

    def set_anchor(self, anchor: ClockAnchor) -> None:
        with self._lock:
            self._anchor = anchor
            self._read_at = time.monotonic()

    def own(self, anchor: ClockAnchor) -> None:
        """Become the clock's writer: run on `anchor` without re-reading or standing still."""
        with self._lock:
            self._anchor, self._source, self._stale_after = anchor, None, None

    def _maybe_refresh(self) -> None:
        if self._source is None or time.monotonic() - self._read_at < self._refresh_seconds:
            return
        with self._lock:
            if time.monotonic() - self._read_at < self._refresh_seconds:
                return
            self._read_at = time.monotonic()
            try:
                fresh = _sync(self._source)
            except Exception:  # noqa: BLE001 - keep the last anchor; try again after the interval
                logger.warning("market clock: could not re-read the clock state", exc_info=True)
                return
            if fresh is not None:
                self._anchor = fresh


# --- database state (Django) ------------------------------------------------------------------------
def _sync(fn: Callable[[], T]) -> T:
    """Run a database call: directly, or from an event loop's thread on a helper thread (blocking
    the loop meanwhile: it happens at start and at most every REFRESH_SECONDS)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    return in_daemon_thread(fn).result()


def in_daemon_thread(fn: Callable[[], T]) -> Future[T]:
    """`fn` on a daemon thread with its own database connection. The first clock reading loads the
    XKRX calendar (seconds); a daemon thread never holds up the process's exit, as an executor's
    worker would."""
    future: Future[T] = Future()

    def call() -> None:
        from django.db import close_old_connections

        close_old_connections()
        try:
            future.set_result(fn())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            future.set_exception(exc)
        finally:
            close_old_connections()

    threading.Thread(target=call, name="market-clock", daemon=True).start()
    return future


def _row_anchor() -> ClockAnchor | None:
    from market.models import MarketClockState

    row = MarketClockState.objects.filter(pk=MarketClockState.SINGLETON).first()
    if row is None:
        return None
    return ClockAnchor(row.anchor_market_at.astimezone(SEOUL), row.anchor_wall_at, row.speed)


def _configured() -> tuple[ClockKind, str, float]:
    from django.conf import settings

    return settings.MARKET_CLOCK, settings.MARKET_CLOCK_START, float(settings.MARKET_CLOCK_SPEED)


def parse_start(text: str) -> dt.datetime:
    """PAPERTRADE_CLOCK_START: ISO 8601; a time without an offset is Seoul time."""
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=SEOUL)


def clock_state_load(*, owner: bool = False) -> ClockAnchor:
    """The shared practice clock's anchor. The owner (the feed's process) starts the clock if it has
    never run (or its configured start changed), else resumes it: from where the clock stood when its
    last heartbeat went stale, at the configured speed, from now. Before the owner has started it, a
    reader (a web process, `seed_demo`) reads the start and writes nothing: a row it wrote would look
    like a clock that ran, and the owner would resume it up to STALE_AFTER × speed later."""
    from django.db import IntegrityError

    try:
        return _clock_state_load(owner=owner)
    except IntegrityError:  # another process created the row at the same moment: use theirs
        return _clock_state_load(owner=owner)


def _clock_state_load(*, owner: bool) -> ClockAnchor:
    from django.db import transaction

    from market.models import MarketClockState

    _, start_setting, speed = _configured()
    with transaction.atomic():
        row = MarketClockState.objects.select_for_update().filter(pk=MarketClockState.SINGLETON).first()
        if row is None or row.start_setting != start_setting:
            start = parse_start(start_setting) if start_setting else default_start(wall_now())
            start = skip_closed(start.astimezone(SEOUL))  # may build the exchange calendar: seconds
            anchor = ClockAnchor(start, wall_now(), speed)  # the clock runs from here, not from before that
            if not owner:
                return anchor
        else:
            stood = ClockAnchor(row.anchor_market_at.astimezone(SEOUL), row.anchor_wall_at, row.speed)
            if not owner:
                return stood
            reading = PracticeClock(stood, stale_after=STALE_AFTER).now()
            anchor = ClockAnchor(reading, wall_now(), speed)
        clock_state_save(anchor, start_setting=start_setting)
    return anchor


def clock_state_save(anchor: ClockAnchor, *, start_setting: str | None = None) -> None:
    from market.models import MarketClockState

    fields = {"anchor_market_at": anchor.market_at, "anchor_wall_at": anchor.wall_at, "speed": anchor.speed}
    if start_setting is not None:
        fields["start_setting"] = start_setting
    MarketClockState.objects.update_or_create(pk=MarketClockState.SINGLETON, defaults=fields)


class ClockOwner:
    """The feed process's hold on the shared practice clock: resume on start, then heartbeat."""

    def __init__(self, clock: PracticeClock) -> None:
        self.clock = clock

    def resume(self) -> None:
        self.clock.own(_sync(lambda: clock_state_load(owner=True)))

    def heartbeat(self) -> None:
        anchor = self.clock.reanchored()
        self.clock.set_anchor(anchor)
        _sync(lambda: clock_state_save(anchor))

    async def run(self, stop: asyncio.Event) -> None:
        """Heartbeat until `stop` (call `resume` first)."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                pass
            try:
                await loop.run_in_executor(None, self.heartbeat)
            except Exception:  # noqa: BLE001 - the database may be back at the next beat
                logger.warning("market clock: heartbeat failed", exc_info=True)


# --- the process-wide clock --------------------------------------------------------------------------
_clock: MarketClock | None = None
_clock_lock = threading.Lock()


def market_clock() -> MarketClock:
    """The process-wide market clock, as settings configure it."""
    global _clock
    if _clock is None:
        with _clock_lock:
            if _clock is None:
                kind, _, _ = _configured()
                if kind == "krx":
                    _clock = KrxClock()
                else:
                    anchor = _sync(clock_state_load)
                    _clock = PracticeClock(anchor, source=_row_anchor, stale_after=STALE_AFTER)
    return _clock


def market_now() -> dt.datetime:
    """The market clock's now: the time of orders, fills, ledger rows and "today"."""
    return market_clock().now()


def set_market_clock(clock: MarketClock | None) -> None:
    """Replace the process-wide clock (tests); None: build it from settings on next use."""
    global _clock
    with _clock_lock:
        _clock = clock


def clock_owner() -> ClockOwner | None:
    """The owner of the process-wide clock if it is the shared practice clock (the feed runner
    calls this); None for the KRX clock and for a clock a test installed."""
    clock = market_clock()
    return ClockOwner(clock) if isinstance(clock, PracticeClock) and clock.shared else None
