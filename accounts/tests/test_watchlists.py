import pytest

from accounts import watchlists
from market.models import Symbol

pytestmark = pytest.mark.django_db

URL = "/api/v1/watchlists"


@pytest.fixture
def symbols(db):
    rows = [("005930", "삼성전자"), ("000660", "SK하이닉스"), ("035420", "NAVER")]
    return [Symbol.objects.create(code=code, name=name, market="KOSPI") for code, name in rows]


def codes(body) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_a_group_is_made_filled_reordered_and_emptied(auth_client, symbols):
    created = auth_client.post(URL, {"name": " 반도체 "}, format="json")
    assert created.status_code == 201, created.content
    group = created.json()
    assert group["name"] == "반도체" and group["items"] == [] and group["position"] == 0
    path = f"{URL}/{group['id']}/symbols"
    for code in ("005930", "000660", "035420"):
        assert auth_client.post(path, {"code": code}, format="json").status_code == 201
    body = auth_client.get(f"{URL}/{group['id']}").json()
    assert codes(body) == ["005930", "000660", "035420"]
    assert body["items"][0]["name"] == "삼성전자" and body["items"][0]["market"] == "KOSPI"

    reordered = auth_client.put(path, {"codes": ["035420", "005930", "000660"]}, format="json")
    assert reordered.status_code == 200 and codes(reordered.json()) == ["035420", "005930", "000660"]
    assert codes(auth_client.get(URL).json()[0]) == ["035420", "005930", "000660"]

    removed = auth_client.delete(f"{path}/005930")
    assert removed.status_code == 200 and codes(removed.json()) == ["035420", "000660"]
    assert auth_client.delete(f"{URL}/{group['id']}").status_code == 204
    assert auth_client.get(URL).json() == []


def test_groups_are_reordered(auth_client):
    ids = [auth_client.post(URL, {"name": name}, format="json").json()["id"] for name in ("A", "B", "C")]
    response = auth_client.put(f"{URL}/order", {"ids": [ids[2], ids[0], ids[1]]}, format="json")
    assert response.status_code == 200
    assert [g["name"] for g in response.json()] == ["C", "A", "B"]
    assert [g["position"] for g in auth_client.get(URL).json()] == [0, 1, 2]
    # An order that leaves a group out (or names one twice) changes nothing.
    bad = auth_client.put(f"{URL}/order", {"ids": [ids[0], ids[0], ids[1]]}, format="json")
    assert bad.status_code == 422 and bad.json()["error"]["message"] == watchlists.ORDER_MISMATCH
    assert [g["name"] for g in auth_client.get(URL).json()] == ["C", "A", "B"]


def test_mistakes_get_clear_errors(auth_client, symbols):
    group = auth_client.post(URL, {"name": "관심"}, format="json").json()
    path = f"{URL}/{group['id']}/symbols"
    duplicate = auth_client.post(URL, {"name": "관심"}, format="json")
    assert duplicate.status_code == 409 and duplicate.json()["error"]["message"] == watchlists.WATCHLIST_NAME_TAKEN
    blank = auth_client.post(URL, {"name": "   "}, format="json")
    assert blank.status_code == 400 and "name" in blank.json()["error"]["fields"]
    unknown = auth_client.post(path, {"code": "999999"}, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == watchlists.UNKNOWN_SYMBOL.format(code="999999")
    auth_client.post(path, {"code": "005930"}, format="json")
    again = auth_client.post(path, {"code": "005930"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_in_watchlist"
    missing = auth_client.delete(f"{path}/000660")
    assert missing.status_code == 404
    assert auth_client.put(path, {"codes": ["000660"]}, format="json").status_code == 422
    assert codes(auth_client.get(f"{URL}/{group['id']}").json()) == ["005930"]


def test_group_and_symbol_limits(auth_client, user, symbols):
    for number in range(watchlists.MAX_WATCHLISTS):
        watchlists.watchlist_create(user=user, name=f"g{number}")
    response = auth_client.post(URL, {"name": "one too many"}, format="json")
    assert response.status_code == 409 and response.json()["error"]["message"] == watchlists.TOO_MANY_WATCHLISTS
    Symbol.objects.bulk_create(
        Symbol(code=f"{900000 + n}", name=f"종목{n}", market="KOSDAQ")
        for n in range(watchlists.MAX_SYMBOLS_PER_WATCHLIST)
    )
    first = watchlists.watchlist_list(user=user).first()
    for n in range(watchlists.MAX_SYMBOLS_PER_WATCHLIST):
        watchlists.watchlist_symbol_add(user=user, watchlist_id=first.pk, code=f"{900000 + n}")
    full = auth_client.post(f"{URL}/{first.pk}/symbols", {"code": "005930"}, format="json")
    assert full.status_code == 409 and full.json()["error"]["code"] == "too_many_symbols"


def test_the_list_costs_the_same_queries_for_many_groups(auth_client, user, symbols, django_assert_max_num_queries):
    for number in range(5):
        group = watchlists.watchlist_create(user=user, name=f"g{number}")
        for symbol in symbols:
            watchlists.watchlist_symbol_add(user=user, watchlist_id=group.pk, code=symbol.code)
    with django_assert_max_num_queries(4):
        body = auth_client.get(URL).json()
    assert len(body) == 5 and all(codes(g) == ["005930", "000660", "035420"] for g in body)
