import datetime as dt

import pytest

from market.models import Quote, Symbol

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="boss", password="correct-horse-battery")
    client.force_login(admin)
    return client


@pytest.fixture
def samsung(db):
    return Symbol.objects.create(code="005930", name="삼성전자", name_en="Samsung Electronics", market="KOSPI")


def test_symbols_are_searchable_by_code_and_name(admin_client, samsung):
    Symbol.objects.create(code="000660", name="SK하이닉스", market="KOSPI")
    page = admin_client.get("/admin/market/symbol/?q=삼성").content.decode()
    assert "005930" in page and "000660" not in page
    page = admin_client.get("/admin/market/symbol/?q=000660").content.decode()
    assert "000660" in page and "005930" not in page


def test_rename_and_deactivate(admin_client, samsung):
    response = admin_client.post(
        f"/admin/market/symbol/{samsung.pk}/change/",
        {
            "name": "삼성전자 보통주",
            "name_en": "Samsung Elec.",
            "market": "KOSPI",
            "sector": "전기전자",
            "is_tradable": "on",
            "prev_close": "71000",
            "typical_daily_value": "1000000000000",
            "is_kospi200": "on",
        },
    )
    assert response.status_code == 302
    samsung.refresh_from_db()
    assert (samsung.code, samsung.name, samsung.is_active) == ("005930", "삼성전자 보통주", False)
    assert (samsung.typical_daily_value, samsung.is_kospi200) == (10**12, True)
    admin_client.post("/admin/market/symbol/", {"action": "activate", "_selected_action": [samsung.pk]})
    samsung.refresh_from_db()
    assert samsung.is_active


def test_quotes_are_read_only(admin_client, samsung):
    quote = Quote.objects.create(
        symbol=samsung,
        price=71_000,
        open=70_000,
        high=71_500,
        low=69_900,
        prev_close=70_000,
        time=dt.datetime(2024, 6, 12, 1, tzinfo=dt.UTC),
    )
    assert admin_client.get("/admin/market/quote/").status_code == 200
    assert admin_client.get("/admin/market/quote/add/").status_code == 403
    admin_client.post(f"/admin/market/quote/{quote.pk}/change/", {"price": "1"})
    quote.refresh_from_db()
    assert quote.price == 71_000
    assert admin_client.post(f"/admin/market/quote/{quote.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_practice_clock_is_shown_read_only(admin_client):
    from market import clock

    clock.clock_state_save(
        clock.ClockAnchor(dt.datetime(2024, 6, 12, 9, 0, tzinfo=dt.UTC), dt.datetime.now(tz=dt.UTC), 60),
        start_setting="2024-06-12T08:50",
    )
    page = admin_client.get("/admin/market/marketclockstate/").content.decode()
    assert "2024-06-12T08:50" in page and "60.0" in page
    assert admin_client.get("/admin/market/marketclockstate/add/").status_code == 403
