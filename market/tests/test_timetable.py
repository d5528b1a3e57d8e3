"""The KRX session timetable: trading days, each day's sessions and every phase transition."""

import datetime as dt

import pytest

from market import timetable
from market.enums import SessionPhase
from market.timetable import SEOUL


def seoul(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("day", "trading"),
    [
        (dt.date(2024, 1, 1), False),  # New Year's Day
        (dt.date(2024, 1, 2), True),
        (dt.date(2024, 2, 9), False),  # Seollal
        (dt.date(2024, 9, 16), False),  # Chuseok
        (dt.date(2024, 9, 17), False),
        (dt.date(2024, 9, 18), False),
        (dt.date(2024, 9, 19), True),
        (dt.date(2024, 12, 31), False),  # year-end market holiday
        (dt.date(2024, 6, 12), True),  # a normal Wednesday
        (dt.date(2024, 6, 15), False),  # Saturday
        (dt.date(2024, 6, 16), False),  # Sunday
        (dt.date(2040, 6, 13), True),  # beyond the calendar: weekdays trade
        (dt.date(2040, 6, 16), False),
    ],
)
def test_trading_days(day, trading):
    assert timetable.is_trading_day(day) is trading


def test_next_and_previous_trading_days_skip_weekends_and_holidays():
    assert timetable.next_trading_day(dt.date(2024, 6, 14)) == dt.date(2024, 6, 17)  # Friday → Monday
    assert timetable.next_trading_day(dt.date(2024, 9, 13)) == dt.date(2024, 9, 19)  # over Chuseok
    assert timetable.previous_trading_day(dt.date(2024, 9, 19)) == dt.date(2024, 9, 13)
    assert timetable.previous_trading_day(dt.date(2025, 1, 2)) == dt.date(2024, 12, 30)  # 12-31 closed


def times(day: dt.date) -> list[tuple[str, str, str, str]]:
    return [
        (s.board, s.kind, s.starts_at.strftime("%H:%M"), s.ends_at.strftime("%H:%M"))
        for s in timetable.sessions_on(day)
    ]


def test_a_normal_day_has_every_session_of_krx_rules():
    assert times(dt.date(2024, 6, 12)) == [
        ("close_price", "fixed_price", "08:30", "08:40"),  # 장전 시간외 종가
        ("regular", "call", "08:30", "09:00"),  # 장전 동시호가
        ("regular", "continuous", "09:00", "15:20"),
        ("regular", "call", "15:20", "15:30"),  # 장마감 동시호가
        ("close_price", "fixed_price", "15:40", "16:00"),  # 장후 시간외 종가
        ("single_price", "periodic_call", "16:00", "18:00"),  # 시간외 단일가
    ]
    sessions = timetable.sessions_on(dt.date(2024, 6, 12))
    assert all(s.starts_at.tzinfo is not None for s in sessions)
    assert [s.label_ko for s in sessions][1:4] == ["장전 동시호가", "정규장", "장마감 동시호가"]
    assert sessions[-1].call_interval == dt.timedelta(minutes=10)


def test_no_sessions_on_weekends_and_holidays():
    assert timetable.sessions_on(dt.date(2024, 6, 15)) == []
    assert timetable.sessions_on(dt.date(2024, 9, 17)) == []


def test_the_first_trading_day_of_the_year_opens_an_hour_late_and_closes_as_usual():
    assert times(dt.date(2025, 1, 2)) == [
        ("close_price", "fixed_price", "09:30", "09:40"),
        ("regular", "call", "09:30", "10:00"),
        ("regular", "continuous", "10:00", "15:20"),
        ("regular", "call", "15:20", "15:30"),
        ("close_price", "fixed_price", "15:40", "16:00"),
        ("single_price", "periodic_call", "16:00", "18:00"),
    ]


def test_a_csat_day_moves_every_session_an_hour_but_single_price_still_ends_at_1800():
    assert times(dt.date(2024, 11, 14)) == [
        ("close_price", "fixed_price", "09:30", "09:40"),
        ("regular", "call", "09:30", "10:00"),
        ("regular", "continuous", "10:00", "16:20"),
        ("regular", "call", "16:20", "16:30"),
        ("close_price", "fixed_price", "16:40", "17:00"),
        ("single_price", "periodic_call", "17:00", "18:00"),
    ]
    assert timetable.regular_close(dt.date(2024, 11, 14)) == seoul("2024-11-14 16:30")


def test_single_price_calls_uncross_every_ten_minutes():
    single = timetable.sessions_on(dt.date(2024, 6, 12))[-1]
    calls = single.uncross_times()
    assert len(calls) == 12 and calls[0] == seoul("2024-06-12 16:10") and calls[-1] == seoul("2024-06-12 18:00")
    assert {b - a for a, b in zip(calls, calls[1:], strict=False)} == {dt.timedelta(minutes=10)}
    opening = timetable.opening_call(dt.date(2024, 6, 12))
    assert opening.uncross_times() == [seoul("2024-06-12 09:00")]
    assert timetable.continuous_session(dt.date(2024, 6, 12)).uncross_times() == []


@pytest.mark.parametrize(
    ("local", "phase", "session"),
    [
        ("2024-06-12 08:29:59", SessionPhase.CLOSED, None),
        ("2024-06-12 08:30:00", SessionPhase.PRE_OPEN, "close_price"),
        ("2024-06-12 08:39:59", SessionPhase.PRE_OPEN, "close_price"),
        ("2024-06-12 08:40:00", SessionPhase.PRE_OPEN, None),
        ("2024-06-12 08:59:59", SessionPhase.PRE_OPEN, None),
        ("2024-06-12 09:00:00", SessionPhase.CONTINUOUS, None),
        ("2024-06-12 15:19:59", SessionPhase.CONTINUOUS, None),
        ("2024-06-12 15:20:00", SessionPhase.CLOSING_AUCTION, None),
        ("2024-06-12 15:29:59", SessionPhase.CLOSING_AUCTION, None),
        ("2024-06-12 15:30:00", SessionPhase.CLOSED, None),
        ("2024-06-12 15:39:59", SessionPhase.CLOSED, None),
        ("2024-06-12 15:40:00", SessionPhase.AFTER_HOURS, "close_price"),
        ("2024-06-12 16:00:00", SessionPhase.AFTER_HOURS, "single_price"),
        ("2024-06-12 17:59:59", SessionPhase.AFTER_HOURS, "single_price"),
        ("2024-06-12 18:00:00", SessionPhase.CLOSED, None),
        ("2024-09-17 10:00:00", SessionPhase.CLOSED, None),  # Chuseok
        ("2024-06-15 10:00:00", SessionPhase.CLOSED, None),  # Saturday
        ("2024-01-02 08:45:00", SessionPhase.CLOSED, None),  # the year's first day opens late
        ("2024-01-02 09:30:00", SessionPhase.PRE_OPEN, "close_price"),
        ("2024-01-02 10:00:00", SessionPhase.CONTINUOUS, None),
        ("2024-11-14 16:25:00", SessionPhase.CLOSING_AUCTION, None),  # CSAT day
    ],
)
def test_phases_in_seoul(local, phase, session):
    status = timetable.status_at(seoul(local))
    assert (status.phase, status.session) == (phase, session)
    assert timetable.phase_at(seoul(local)) == phase


def test_phases_convert_from_utc_and_refuse_naive_times():
    assert timetable.phase_at(dt.datetime(2024, 6, 12, 0, 30, tzinfo=dt.UTC)) == SessionPhase.CONTINUOUS
    with pytest.raises(ValueError):
        timetable.status_at(dt.datetime(2024, 6, 12, 10, 0))


@pytest.mark.parametrize(
    ("local", "trading_day", "next_phase", "next_phase_at"),
    [
        ("2024-06-12 07:00", "2024-06-12", "pre_open", "2024-06-12 08:30"),
        ("2024-06-12 08:35", "2024-06-12", "continuous", "2024-06-12 09:00"),
        ("2024-06-12 11:00", "2024-06-12", "closing_auction", "2024-06-12 15:20"),
        ("2024-06-12 15:25", "2024-06-12", "closed", "2024-06-12 15:30"),
        ("2024-06-12 15:35", "2024-06-12", "after_hours", "2024-06-12 15:40"),
        ("2024-06-12 16:30", "2024-06-12", "closed", "2024-06-12 18:00"),
        ("2024-06-12 18:00", "2024-06-13", "pre_open", "2024-06-13 08:30"),
        ("2024-06-14 20:00", "2024-06-17", "pre_open", "2024-06-17 08:30"),  # Friday night → Monday
        ("2024-09-13 19:00", "2024-09-19", "pre_open", "2024-09-19 08:30"),  # over Chuseok
        ("2024-12-30 19:00", "2025-01-02", "pre_open", "2025-01-02 09:30"),  # into the late open
    ],
)
def test_trading_day_and_next_phase(local, trading_day, next_phase, next_phase_at):
    status = timetable.status_at(seoul(local))
    assert status.trading_day == dt.date.fromisoformat(trading_day)
    assert (status.next_phase, status.next_phase_at) == (next_phase, seoul(next_phase_at))
    assert timetable.trading_day_of(seoul(local)) == status.trading_day


def test_a_whole_day_of_transitions_in_order():
    at, seen = seoul("2024-06-11 19:00"), []
    while at < seoul("2024-06-12 19:00"):
        status = timetable.status_at(at)
        seen.append((status.next_phase_at.strftime("%H:%M"), status.next_phase))
        at = status.next_phase_at
    assert seen == [
        ("08:30", "pre_open"),
        ("09:00", "continuous"),
        ("15:20", "closing_auction"),
        ("15:30", "closed"),
        ("15:40", "after_hours"),
        ("18:00", "closed"),
        ("08:30", "pre_open"),
    ]


def test_last_regular_close_and_last_session_end():
    assert timetable.last_regular_close(seoul("2024-06-12 15:29")) == seoul("2024-06-11 15:30")
    assert timetable.last_regular_close(seoul("2024-06-12 15:30")) == seoul("2024-06-12 15:30")
    assert timetable.last_regular_close(seoul("2024-06-17 09:00")) == seoul("2024-06-14 15:30")  # Monday
    assert timetable.last_session_end(dt.date(2024, 6, 12), "regular") == seoul("2024-06-12 15:30")
    assert timetable.last_session_end(dt.date(2024, 6, 12)) == seoul("2024-06-12 18:00")
    assert timetable.last_session_end(dt.date(2024, 6, 15)) is None


def test_a_new_version_of_the_hours_is_a_data_edit(tmp_path, monkeypatch):
    import json

    data = json.loads(timetable.DATA_FILE.read_text(encoding="utf-8"))
    longer = json.loads(json.dumps(data["versions"][0]))
    longer["effective_from"] = "2030-03-04"
    longer["regular_close"] = "16:00"
    for session in longer["sessions"]:
        session["start"] = {"15:20": "15:50", "15:40": "16:10", "16:00": "16:30"}.get(
            session["start"], session["start"]
        )
        session["end"] = {"15:20": "15:50", "15:30": "16:00", "16:00": "16:30"}.get(session["end"], session["end"])
    data["versions"].append(longer)
    path = tmp_path / "krx_sessions.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(timetable, "DATA_FILE", path)
    for cached in (timetable._data, timetable._sessions_on):
        cached.cache_clear()
    try:
        assert timetable.regular_close(dt.date(2030, 3, 4)) == seoul("2030-03-04 16:00")
        assert timetable.regular_close(dt.date(2030, 2, 28)) == seoul("2030-02-28 15:30")  # before it
    finally:
        monkeypatch.undo()
        for cached in (timetable._data, timetable._sessions_on):
            cached.cache_clear()
