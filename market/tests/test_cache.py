"""The order engine's symbol cache (market.cache): fresh after this process's writes, at most
SYMBOL_TTL stale after another's."""

import pytest

from market import cache
from market.models import Symbol
from market.services import symbol_set_prev_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def samsung():
    return Symbol.objects.create(code="005930", name="삼성전자", market="KOSPI", prev_close=70_000)


def test_a_symbol_saved_or_updated_here_is_seen_at_once(samsung):
    assert cache.symbol_cached(code="005930").prev_close == 70_000
    samsung.is_tradable = False
    samsung.save()
    assert cache.symbol_cached(code="005930").is_tradable is False
    symbol_set_prev_close(code="005930", prev_close=71_000)
    assert cache.symbol_cached(code="005930").prev_close == 71_000
    samsung.delete()
    assert cache.symbol_cached(code="005930") is None


def test_a_change_made_elsewhere_is_seen_after_the_ttl(samsung, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    assert cache.symbol_cached(code="005930").prev_close == 70_000
    # As another process would: a write that sends no signal to this one.
    Symbol.objects.filter(code="005930").update(prev_close=72_000)
    assert cache.symbol_cached(code="005930").prev_close == 70_000
    clock[0] += cache.SYMBOL_TTL
    assert cache.symbol_cached(code="005930").prev_close == 72_000


def test_unknown_codes_are_not_cached(db):
    assert cache.symbol_cached(code="000660") is None
    Symbol.objects.bulk_create([Symbol(code="000660", name="SK하이닉스", market="KOSPI")])  # no signal
    assert cache.symbol_cached(code="000660") is not None
