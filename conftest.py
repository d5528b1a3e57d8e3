"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient


def pytest_sessionfinish(session, exitstatus):
    """Django drops the embedded run's SQLite test file; SQLite leaves its -wal and -shm beside it."""
    from pathlib import Path

    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and name.endswith(".sqlite3"):
        for suffix in ("-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)


@pytest.fixture
def user(db, django_user_model):
    return django_user_model.objects.create_user(username="alice", password="correct-horse-battery")


@pytest.fixture
def other_user(db, django_user_model):
    return django_user_model.objects.create_user(username="mallory", password="correct-horse-battery")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_symbol_cache():
    """Symbols cached by an earlier test (maybe rolled back since) never leak into the next one."""
    from market.cache import symbols_forget

    symbols_forget()
    yield
    symbols_forget()


@pytest.fixture(autouse=True)
def _fresh_minute_bars():
    """The minute bars of one test's trades never reach the next test's database."""
    from historical.intraday import minute_bars

    minute_bars.forget()
    yield
    minute_bars.forget()


@pytest.fixture(autouse=True)
def _fresh_quote_store(settings):
    """Each test starts with empty market state (process memory or its own Redis prefix)."""
    from market import state

    state.set_store(None)
    yield
    try:
        state.store().clear()
    except Exception:  # noqa: BLE001 - a test may have stopped Redis on purpose
        pass
    state.set_store(None)


@pytest.fixture(autouse=True)
def practice_clock():
    """Each test runs on its own practice clock (no database row): 10:00, in the continuous session,
    of the next trading day after today, at speed 1. Tests of other moments install their own."""
    import datetime as dt

    from market import clock, timetable

    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    test_clock = clock.PracticeClock.starting(dt.datetime.combine(day, dt.time(10, 0), tzinfo=timetable.SEOUL))
    clock.set_market_clock(test_clock)
    yield test_clock
    clock.set_market_clock(None)


@pytest.fixture
def busy_market_clock(practice_clock):
    """The test's practice clock at two minutes of market a second, for tests that wait on trades of
    the synthetic market (at speed 1 a thinly traded stock prints every few seconds)."""
    from market import clock

    fast = clock.PracticeClock.starting(practice_clock.now(), speed=120)
    clock.set_market_clock(fast)
    yield fast
    clock.set_market_clock(practice_clock)


@pytest.fixture(autouse=True)
def exchange(practice_clock):
    """Every test has an exchange: the real venue and engines on the test's clock, with no other
    participants until the test adds them (`exchange.add_liquidity`, `exchange.trade`)."""
    from market.testing import Exchange
    from orders import conditions

    # Conditional orders watch prints on a thread of their own: only the tests of them (the
    # `watcher` fixture) let it run, so no other test's prints reach the database from there.
    conditions._watcher.enabled = False
    with Exchange() as running:
        yield running


@pytest.fixture
def watcher():
    """The conditional orders' watcher, running; `watcher.settle()` waits until it has looked."""
    from orders import conditions

    conditions._watcher.enabled = True
    yield conditions._watcher
    conditions._watcher.settle()
    conditions._watcher.enabled = False
