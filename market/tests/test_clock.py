"""The market clock: the KRX wall clock, the practice clock's time line and its shared state."""

import datetime as dt

import pytest

from market import clock, timetable
from market.clock import ClockAnchor, PracticeClock
from market.models import MarketClockState
from market.timetable import SEOUL


def seoul(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SEOUL)


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def sleep(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def wall():
    return Wall(dt.datetime(2026, 12, 2, 19, 0, tzinfo=dt.UTC))


def test_krx_clock_is_seoul_wall_time():
    krx = clock.KrxClock()
    before = dt.datetime.now(tz=dt.UTC)
    now = krx.now()
    assert now.tzinfo is SEOUL and abs(now - before) < dt.timedelta(seconds=1)
    assert krx.kind == "krx" and krx.speed == 1
    assert krx.today() == now.date()
    assert krx.wall_time_of(now) == now


def test_practice_clock_starts_where_told_and_runs_at_its_speed(wall):
    practice = PracticeClock.starting(seoul("2024-06-12 08:50"), speed=60, wall=wall)
    assert practice.kind == "practice" and practice.speed == 60
    assert practice.now() == seoul("2024-06-12 08:50")
    assert practice.status().phase == "pre_open"
    wall.sleep(seconds=10)  # ten minutes of market time
    assert practice.now() == seoul("2024-06-12 09:00")
    assert practice.status().phase == "continuous"
    wall.sleep(minutes=6, seconds=20)  # 6h20m
    assert practice.now() == seoul("2024-06-12 15:20")
    assert practice.status().phase == "closing_auction"
    assert practice.today() == dt.date(2024, 6, 12)


def test_after_the_last_session_the_clock_moves_on_to_the_next_trading_day(wall):
    practice = PracticeClock.starting(seoul("2024-06-14 17:55"), speed=1, wall=wall)  # a Friday
    wall.sleep(minutes=4, seconds=59)
    assert practice.now() == seoul("2024-06-14 17:59:59")
    wall.sleep(seconds=1)
    assert practice.now() == seoul("2024-06-17 08:25")  # Monday, before its first session
    assert practice.status().phase == "closed" and practice.status().next_phase_at == seoul("2024-06-17 08:30")
    wall.sleep(minutes=5)
    assert practice.status().phase == "pre_open"


def test_a_start_in_the_night_or_on_a_holiday_wakes_up_before_the_next_session(wall):
    assert PracticeClock.starting(seoul("2024-06-12 02:00"), wall=wall).now() == seoul("2024-06-12 08:25")
    assert PracticeClock.starting(seoul("2024-09-16 10:00"), wall=wall).now() == seoul("2024-09-19 08:25")
    assert PracticeClock.starting(seoul("2024-12-31 10:00"), wall=wall).now() == seoul("2025-01-02 09:25")


def test_a_day_at_speed_60_takes_under_ten_minutes_and_passes_every_phase(wall):
    practice = PracticeClock.starting(seoul("2024-06-12 08:25"), speed=60, wall=wall)
    phases = []
    for _ in range(9 * 60 + 37):  # 08:25 to 18:00 is 575 s at 60×; two seconds more
        phase = practice.status().phase
        if not phases or phases[-1] != phase:
            phases.append(phase)
        wall.sleep(seconds=1)
    assert phases == ["closed", "pre_open", "continuous", "closing_auction", "closed", "after_hours", "closed"]
    assert practice.today() == dt.date(2024, 6, 13)


def test_advance_and_running_time_are_inverse():
    start = seoul("2024-06-14 17:00")  # Friday
    later = clock.advance(start, dt.timedelta(hours=2))
    assert later == seoul("2024-06-17 09:25")  # 1 h to 18:00, then 1 h from Monday 08:25
    assert clock.running_time_between(start, later) == dt.timedelta(hours=2)
    assert clock.running_time_between(later, start) == -dt.timedelta(hours=2)
    with pytest.raises(ValueError):
        clock.advance(start, -dt.timedelta(seconds=1))


def test_wall_time_of_a_past_close(wall):
    practice = PracticeClock.starting(seoul("2024-06-13 09:25"), speed=2, wall=wall)
    close = timetable.last_regular_close(practice.now())
    assert close == seoul("2024-06-12 15:30")
    # 15:30 → 18:00 and 08:25 → 09:25 is 3.5 h of running time: 1.75 h of wall time at speed 2
    assert practice.wall_time_of(close) == wall.at - dt.timedelta(hours=1, minutes=45)


def test_default_start_is_0850_of_the_next_trading_day():
    assert clock.default_start(seoul("2024-06-12 07:00")) == seoul("2024-06-12 08:50")
    assert clock.default_start(seoul("2024-06-12 08:50")) == seoul("2024-06-13 08:50")
    assert clock.default_start(seoul("2024-06-15 12:00")) == seoul("2024-06-17 08:50")


def test_the_start_setting_is_seoul_time_without_an_offset():
    assert clock.parse_start("2024-06-12T09:30") == seoul("2024-06-12 09:30")
    assert clock.parse_start("2024-06-12T00:30+00:00") == seoul("2024-06-12 09:30")


# --- the shared state -----------------------------------------------------------------------------------
@pytest.fixture
def shared(db, settings):
    settings.MARKET_CLOCK = "practice"
    settings.MARKET_CLOCK_START = "2024-06-12T08:50"
    settings.MARKET_CLOCK_SPEED = 60
    clock.set_market_clock(None)
    yield
    clock.set_market_clock(None)


def test_the_owner_s_first_start_creates_the_shared_row_from_the_start(shared):
    # A reader before the owner (seed_demo, a web process) reads the start and writes nothing ...
    reader = clock.market_clock()
    assert isinstance(reader, PracticeClock) and reader.shared and reader.speed == 60
    assert seoul("2024-06-12 08:50") <= reader.now() < seoul("2024-06-12 08:57")
    assert not MarketClockState.objects.exists()
    # ... so the owner starts the clock at its start, not where that reader's reading would stand.
    owner = clock.clock_owner()
    owner.resume()
    row = MarketClockState.objects.get()
    assert row.anchor_market_at == seoul("2024-06-12 08:50") and row.start_setting == "2024-06-12T08:50"
    assert seoul("2024-06-12 08:50") <= owner.clock.now() < seoul("2024-06-12 08:55")


def test_two_readers_agree(shared):
    clock.clock_owner().resume()
    first = clock.market_clock()
    second = PracticeClock(clock._row_anchor(), source=clock._row_anchor, stale_after=clock.STALE_AFTER)
    a, b = first.now(), second.now()
    assert abs(b - a) < dt.timedelta(seconds=60)  # under a second of wall time apart, at speed 60
    assert first.status().phase == second.status().phase


def test_a_restart_resumes_where_the_clock_stood(shared):
    stood = ClockAnchor(seoul("2024-06-12 11:00"), clock.wall_now() - dt.timedelta(hours=3), 60)
    clock.clock_state_save(stood, start_setting="2024-06-12T08:50")
    owner = clock.clock_owner()
    assert owner is not None
    owner.resume()
    # three hours down: the clock ran on for STALE_AFTER (6 s × 60 = 6 min) after its last beat, not 180 h
    assert seoul("2024-06-12 11:06") <= owner.clock.now() < seoul("2024-06-12 11:07")
    owner.heartbeat()
    row = MarketClockState.objects.get()
    assert seoul("2024-06-12 11:06") <= row.anchor_market_at.astimezone(SEOUL) < seoul("2024-06-12 11:07")
    assert abs(row.anchor_wall_at - clock.wall_now()) < dt.timedelta(seconds=5)


def test_a_reader_stands_still_when_the_owner_stops_heartbeating(shared):
    old = ClockAnchor(seoul("2024-06-12 10:00"), clock.wall_now() - dt.timedelta(minutes=10), 60)
    clock.clock_state_save(old, start_setting="2024-06-12T08:50")
    reader = clock.market_clock()
    assert reader.now() == seoul("2024-06-12 10:06")  # 6 s of wall time past the last beat, at 60×


def test_a_changed_start_setting_restarts_the_clock(shared, settings):
    clock.clock_owner().resume()
    settings.MARKET_CLOCK_START = "2024-06-13T15:00"
    clock.set_market_clock(None)
    assert clock.market_clock().now() >= seoul("2024-06-13 15:00")
    clock.clock_owner().resume()
    row = MarketClockState.objects.get()
    assert row.start_setting == "2024-06-13T15:00" and row.anchor_market_at >= seoul("2024-06-13 15:00")


def test_a_changed_speed_applies_when_the_owner_resumes(shared, settings):
    clock.market_clock()
    settings.MARKET_CLOCK_SPEED = 1
    owner = clock.clock_owner()
    owner.resume()
    assert owner.clock.speed == 1 and MarketClockState.objects.get().speed == 1


def test_krx_setting_gives_the_wall_clock(db, settings):
    settings.MARKET_CLOCK = "krx"
    clock.set_market_clock(None)
    assert isinstance(clock.market_clock(), clock.KrxClock)
    assert clock.clock_owner() is None
    assert not MarketClockState.objects.exists()


def test_a_test_clock_is_never_owned_or_persisted(db, practice_clock):
    assert clock.market_clock() is practice_clock and clock.clock_owner() is None
