import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from market import demo
from market.models import Symbol
from market.seed_symbols import SEED_SYMBOLS
from market.services import symbol_update
from market.tests.fake_krx import FakeKrxSources


def test_seed_list_is_real_and_valid():
    from market import rules

    codes = [s.code for s in SEED_SYMBOLS]
    assert len(codes) >= 30 and len(set(codes)) == len(codes)
    assert {"005930", "000660", "035420", "247540", "196170"} <= set(codes)
    assert {s.market for s in SEED_SYMBOLS} == {"KOSPI", "KOSDAQ"}
    for s in SEED_SYMBOLS:
        assert Symbol.CODE_RE.fullmatch(s.code) and s.name and s.name_en and s.sector
        assert rules.is_on_tick(s.reference_price), s


@pytest.mark.django_db
def test_demo_seed_upserts_and_keeps_admin_edits():
    out = io.StringIO()
    demo.seed(user=None, stdout=out)
    assert Symbol.objects.count() == len(SEED_SYMBOLS)
    samsung = Symbol.objects.get(code="005930")
    assert (samsung.name, samsung.name_en, samsung.market, samsung.prev_close) == (
        "삼성전자",
        "Samsung Electronics",
        "KOSPI",
        71_000,
    )
    symbol_update(code="005930", name="삼성전자(보통주)", is_active=False)
    Symbol.objects.filter(code="000660").update(prev_close=200_000)
    demo.seed(user=None, stdout=out)
    assert Symbol.objects.count() == len(SEED_SYMBOLS)
    samsung.refresh_from_db()
    assert samsung.name == "삼성전자(보통주)" and samsung.is_active is False
    assert Symbol.objects.get(code="000660").prev_close == 200_000  # a known close is not replaced
    assert f"{len(SEED_SYMBOLS)} symbols (0 created" in out.getvalue().splitlines()[-1]


@pytest.mark.django_db
def test_load_symbols_reads_fdr_listing_from_the_wire_and_upserts(monkeypatch):
    Symbol.objects.create(code="005930", name="삼성전자 (손으로 고침)", market="KOSPI", prev_close=70_000)
    with FakeKrxSources().serving(monkeypatch) as fake:
        out = io.StringIO()
        call_command("load_symbols", stdout=out)
        call_command("load_symbols", stdout=out)  # a second run must not duplicate anything
    hosts = {host for host, _ in fake.requests}
    assert "data.krx.co.kr" in hosts and "raw.githubusercontent.com" in hosts
    assert Symbol.objects.count() == 6
    assert Symbol.objects.get(code="005930").name == "삼성전자 (손으로 고침)"  # hand edits kept
    assert Symbol.objects.get(code="005930").prev_close == 257_500
    alteogen = Symbol.objects.get(code="196170")
    assert (alteogen.market, alteogen.sector, alteogen.prev_close) == ("KOSDAQ", "", 258_500)  # Dept is no sector
    assert Symbol.objects.get(code="0126Z0").name == "삼성에피스홀딩스"
    assert Symbol.objects.get(code="217320").market == "KONEX"
    lines = out.getvalue().splitlines()
    assert "6 symbols: 5 created, 1 updated, 0 unchanged." in lines
    assert "6 symbols: 0 created, 0 updated, 6 unchanged." in lines


@pytest.mark.django_db
def test_load_symbols_reports_an_unreachable_source(monkeypatch):
    fake = FakeKrxSources()
    with fake.serving(monkeypatch):
        fake.server.shutdown()
        fake.server.server_close()
        with pytest.raises(CommandError, match="Could not load the KRX listing"):
            call_command("load_symbols", stdout=io.StringIO())
    assert Symbol.objects.count() == 0
