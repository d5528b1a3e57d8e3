"""The KRX session timetable: which sessions run on a trading day and where the market stands at a moment.

Pure (no Django): the feed, the exchange core, order expiry and the API all read it.

- Trading days are the XKRX calendar's (exchange_calendars: weekends, Korean public holidays,
  Labour Day, the year-end closing day), weekdays outside its range.
- The hours are dated data in market/data/krx_sessions.json, citing KRX's rule for each session:
  an announced change of hours is a new version there, not a code change.
- Late opens move the sessions as KRX announces them. On the year's first trading day (개장식)
  the regular market opens at 10:00 and everything before the open moves one hour with it; the
  close and the after-hours sessions stay (exchange_calendars knows these days). On a CSAT day
  every session moves one hour later, except that the after-hours single-price session still ends
  at 18:00 (KRX's announcements, listed in the data file: exchange_calendars stops at 2020).
  The rule: a time at or before the regular open moves with the open's delay; every later time
  moves with the close's delay, unless the data marks it fixed.

The regular board's phase is one of "closed", "pre_open" (the opening call), "continuous",
"closing_auction" (the closing call) and "after_hours" (while a session after the close runs:
장후 시간외 종가, then 시간외 단일가); `session` names the close-price or single-price session
running at the moment, also during 장전 시간외 종가 (08:30–08:40, inside the opening call).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
DATA_FILE = Path(__file__).parent / "data" / "krx_sessions.json"

Board = Literal["regular", "close_price", "single_price"]
Kind = Literal["call", "continuous", "fixed_price", "periodic_call"]
Phase = Literal["closed", "pre_open", "continuous", "closing_auction", "after_hours"]
AfterHoursSession = Literal["close_price", "single_price"]

CLOSED: Phase = "closed"
PRE_OPEN: Phase = "pre_open"
CONTINUOUS: Phase = "continuous"
CLOSING_AUCTION: Phase = "closing_auction"
AFTER_HOURS: Phase = "after_hours"
PHASES: tuple[Phase, ...] = (CLOSED, PRE_OPEN, CONTINUOUS, CLOSING_AUCTION, AFTER_HOURS)

# A day's closed stretch ends this long before its first session: where the practice clock wakes.
WAKE_BEFORE_FIRST_SESSION = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Session:
    """One session of one board on one day. Call auctions uncross at `ends_at` (a periodic call
    every `call_interval` from `starts_at`)."""

    board: Board
    kind: Kind
    starts_at: dt.datetime
    ends_at: dt.datetime
    call_interval: dt.timedelta | None
    label_ko: str
    label_en: str

    def contains(self, at: dt.datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def uncross_times(self) -> list[dt.datetime]:
        """When this session's calls uncross: its end for a call, every interval for a periodic
        call (16:10, 16:20, ... 18:00 for 시간외 단일가), none for continuous or fixed-price trading."""
        if self.kind == "call":
            return [self.ends_at]
        if self.kind != "periodic_call" or not self.call_interval:
            return []
        times, at = [], self.starts_at + self.call_interval
        while at < self.ends_at:
            times.append(at)
            at += self.call_interval
        times.append(self.ends_at)
        return times


@dataclass(frozen=True, slots=True)
class MarketStatus:
    """Where the market stands at `at`. `trading_day` is the day in progress, or the next one while
    closed; `next_phase_at` is when `phase` next changes (to `next_phase`)."""

    at: dt.datetime
    trading_day: dt.date
    phase: Phase
    session: AfterHoursSession | None
    next_phase: Phase
    next_phase_at: dt.datetime


# --- the data ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _SessionSpec:
    board: Board
    kind: Kind
    start: dt.time
    end: dt.time
    call_interval: dt.timedelta | None
    end_is_fixed: bool
    label_ko: str
    label_en: str


@dataclass(frozen=True, slots=True)
class _Version:
    effective_from: dt.date
    regular_open: dt.time
    regular_close: dt.time
    sessions: tuple[_SessionSpec, ...]


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


@cache
def _data() -> tuple[tuple[_Version, ...], dict[dt.date, tuple[dt.timedelta, dt.timedelta]]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    versions = tuple(
        sorted(
            (
                _Version(
                    effective_from=dt.date.fromisoformat(v["effective_from"]),
                    regular_open=_time(v["regular_open"]),
                    regular_close=_time(v["regular_close"]),
                    sessions=tuple(
                        _SessionSpec(
                            board=s["board"],
                            kind=s["kind"],
                            start=_time(s["start"]),
                            end=_time(s["end"]),
                            call_interval=dt.timedelta(minutes=s["call_interval_minutes"])
                            if s.get("call_interval_minutes")
                            else None,
                            end_is_fixed=bool(s.get("end_is_fixed")),
                            label_ko=s["label_ko"],
                            label_en=s["label_en"],
                        )
                        for s in v["sessions"]
                    ),
                )
                for v in raw["versions"]
            ),
            key=lambda v: v.effective_from,
        )
    )
    delayed = {
        dt.date.fromisoformat(day): (
            dt.timedelta(minutes=d["open_delay_minutes"]),
            dt.timedelta(minutes=d["close_delay_minutes"]),
        )
        for day, d in raw["delayed_days"].items()
        if not day.startswith("_")
    }
    return versions, delayed


def _version_on(day: dt.date) -> _Version:
    """The hours in force on a day (the earliest version before the table starts)."""
    versions, _ = _data()
    chosen = versions[0]
    for version in versions:
        if version.effective_from <= day:
            chosen = version
    return chosen


# --- trading days (XKRX) ----------------------------------------------------------------------------
_xkrx_lock = threading.Lock()
_xkrx_calendar = None


def _xkrx():  # pragma: no cover - exercised through is_trading_day
    """The XKRX calendar, built once per process (it takes seconds), not once per thread that asks."""
    global _xkrx_calendar
    if _xkrx_calendar is None:
        with _xkrx_lock:
            if _xkrx_calendar is None:
                import exchange_calendars

                _xkrx_calendar = exchange_calendars.get_calendar("XKRX")
    return _xkrx_calendar


def prepare() -> threading.Thread:
    """Build the XKRX calendar now, on a thread of its own: a server process calls this as it
    starts, so its first request that asks about trading days does not wait seconds for it."""
    thread = threading.Thread(target=_xkrx, name="xkrx-calendar", daemon=True)
    thread.start()
    return thread


def _in_calendar(day: dt.date) -> bool:
    calendar = _xkrx()
    return calendar.first_session.date() <= day <= calendar.last_session.date()


@lru_cache(maxsize=4096)
def is_trading_day(day: dt.date) -> bool:
    """A KRX trading day per the XKRX calendar (weekends and holidays are not)."""
    if not _in_calendar(day):
        return day.weekday() < 5
    return bool(_xkrx().is_session(day.isoformat()))


def next_trading_day(day: dt.date) -> dt.date:
    """The first trading day after `day`."""
    day += dt.timedelta(days=1)
    while not is_trading_day(day):
        day += dt.timedelta(days=1)
    return day


def previous_trading_day(day: dt.date) -> dt.date:
    """The last trading day before `day`."""
    day -= dt.timedelta(days=1)
    while not is_trading_day(day):
        day -= dt.timedelta(days=1)
    return day


def _delays(day: dt.date, version: _Version) -> tuple[dt.timedelta, dt.timedelta]:
    """How late the open and the close are on a day: the data's CSAT days, else what XKRX knows."""
    _, delayed = _data()
    if day in delayed:
        return delayed[day]
    if not _in_calendar(day):
        return dt.timedelta(0), dt.timedelta(0)
    calendar = _xkrx()
    opens = calendar.session_open(day.isoformat()).tz_convert(SEOUL).to_pydatetime()
    closes = calendar.session_close(day.isoformat()).tz_convert(SEOUL).to_pydatetime()
    open_delay = opens - dt.datetime.combine(day, version.regular_open, tzinfo=SEOUL)
    close_delay = closes - dt.datetime.combine(day, version.regular_close, tzinfo=SEOUL)
    return max(open_delay, dt.timedelta(0)), max(close_delay, dt.timedelta(0))


@lru_cache(maxsize=4096)
def _sessions_on(day: dt.date) -> tuple[Session, ...]:
    if not is_trading_day(day):
        return ()
    version = _version_on(day)
    open_delay, close_delay = _delays(day, version)

    def moved(t: dt.time, *, fixed: bool = False) -> dt.datetime:
        at = dt.datetime.combine(day, t, tzinfo=SEOUL)
        if fixed:
            return at
        return at + (open_delay if t <= version.regular_open else close_delay)

    sessions = (
        Session(
            board=spec.board,
            kind=spec.kind,
            starts_at=moved(spec.start),
            ends_at=moved(spec.end, fixed=spec.end_is_fixed),
            call_interval=spec.call_interval,
            label_ko=spec.label_ko,
            label_en=spec.label_en,
        )
        for spec in version.sessions
    )
    return tuple(sorted(sessions, key=lambda s: (s.starts_at, s.ends_at)))


def sessions_on(day: dt.date) -> list[Session]:
    """Every session of a day, in order of start (empty on days KRX does not trade)."""
    return list(_sessions_on(day))


def opening_call(day: dt.date) -> Session | None:
    return next((s for s in _sessions_on(day) if s.board == "regular" and s.kind == "call"), None)


def closing_call(day: dt.date) -> Session | None:
    calls = [s for s in _sessions_on(day) if s.board == "regular" and s.kind == "call"]
    return calls[-1] if len(calls) > 1 else None


def continuous_session(day: dt.date) -> Session | None:
    return next((s for s in _sessions_on(day) if s.board == "regular" and s.kind == "continuous"), None)


def regular_close(day: dt.date) -> dt.datetime | None:
    """The closing uncross of a trading day (15:30, 16:30 on a CSAT day); None on other days."""
    call = closing_call(day)
    return call.ends_at if call else None


def last_session_end(day: dt.date, board: Board | None = None) -> dt.datetime | None:
    """When the day's last session (of a board, or of any) ends: where DAY orders for it expire."""
    ends = [s.ends_at for s in _sessions_on(day) if board is None or s.board == board]
    return max(ends) if ends else None


def trading_day_of(at: dt.datetime) -> dt.date:
    """The trading day in progress at `at`, or the next one once the day's last session is over."""
    _require_aware(at)
    day = at.astimezone(SEOUL).date()
    end = last_session_end(day)
    if end is not None and at < end:
        return day
    return next_trading_day(day)


def wake_time(day: dt.date) -> dt.datetime:
    """Just before a trading day's first session: where a practice clock lands after a night."""
    return _sessions_on(day)[0].starts_at - WAKE_BEFORE_FIRST_SESSION


# --- phases -----------------------------------------------------------------------------------------
def _state_at(day: dt.date, at: dt.datetime) -> tuple[Phase, AfterHoursSession | None]:
    """The regular board's phase and the off-board session running, on a trading day's own sessions."""
    phase: Phase = CLOSED
    session: AfterHoursSession | None = None
    sessions = _sessions_on(day)
    regular_close_at = regular_close(day)
    for s in sessions:
        if not s.contains(at):
            continue
        if s.board == "regular":
            if s.kind == "continuous":
                phase = CONTINUOUS
            elif s.kind == "call":
                phase = PRE_OPEN if regular_close_at is None or s.ends_at < regular_close_at else CLOSING_AUCTION
        else:
            session = s.board  # type: ignore[assignment]
            if regular_close_at is not None and at >= regular_close_at:
                phase = AFTER_HOURS
    return phase, session


def _boundaries(day: dt.date) -> list[dt.datetime]:
    return sorted({t for s in _sessions_on(day) for t in (s.starts_at, s.ends_at)})


def phase_at(at: dt.datetime) -> Phase:
    """The regular board's phase at a moment."""
    _require_aware(at)
    return _state_at(at.astimezone(SEOUL).date(), at)[0]


def status_at(at: dt.datetime) -> MarketStatus:
    """Where the market stands at `at` and when its phase next changes."""
    _require_aware(at)
    local = at.astimezone(SEOUL)
    phase, session = _state_at(local.date(), local)
    # the next boundary where the phase differs: today's remaining ones, then the following days'
    day = local.date()
    for _ in range(400):  # a year of days with no session at all would be a broken calendar
        for boundary in _boundaries(day):
            if boundary <= local:
                continue
            upcoming, _ = _state_at(day, boundary)
            if upcoming != phase:
                return MarketStatus(
                    at=local,
                    trading_day=trading_day_of(local),
                    phase=phase,
                    session=session,
                    next_phase=upcoming,
                    next_phase_at=boundary,
                )
        day = next_trading_day(day)
    raise RuntimeError("no phase change within a year: the calendar is broken")


def _require_aware(at: dt.datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("market times must be timezone-aware")


def last_regular_close(at: dt.datetime) -> dt.datetime:
    """The most recent close of the regular board (the closing uncross) at or before `at`."""
    _require_aware(at)
    day = at.astimezone(SEOUL).date()
    close = regular_close(day)
    while close is None or close > at:
        day = previous_trading_day(day)
        close = regular_close(day)
    return close
