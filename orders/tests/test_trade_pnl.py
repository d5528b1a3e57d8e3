"""Each fill's realised P&L (`Trade.realized_pnl`), its replay for old fills (migration 0011), and
`GET trades` with it, the symbol's name and the `after` / `until` window."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from market.enums import Market
from market.timetable import SEOUL
from orders import costs, services
from orders.api import BAD_TIME
from orders.history import AFTER_NOT_BEFORE_UNTIL
from orders.models import Position, Trade
from orders.tests.factories import SymbolFactory, book_around, set_book
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db

CODE = "005930"
OTHER = "000660"
replay = importlib.import_module("orders.migrations.0011_trade_realized_pnl")


@pytest.fixture
def symbol():
    return SymbolFactory(code=CODE, name="삼성전자", prev_close=70_000)


@pytest.fixture
def account(user, symbol):
    return services.account_create(owner=user, name="main", initial_cash=10_000_000)


def realized(account, code: str = CODE) -> int:
    position = Position.objects.filter(account=account, symbol__code=code).first()
    return position.realized_pnl if position else 0


def fill(account, side: str, quantity: int, *, bid: int, ask: int, code: str = CODE) -> list[Trade]:
    """A market order against a book of `bid` / `ask`: its fills, and the position's realized_pnl
    change, which they must account for exactly."""
    set_book(book_around(code, bid, ask), prev_close=70_000 if code == CODE else 100_000)
    before = realized(account, code)
    order, _ = services.order_place(account_id=account.pk, symbol=code, side=side, type="market", quantity=quantity)
    trades = list(Trade.objects.filter(order=order).order_by("id"))
    assert sum(t.quantity for t in trades) == quantity
    assert sum(t.realized_pnl for t in trades) == realized(account, code) - before
    assert_account_invariants(account.pk)
    return trades


def tax_of(trade: Trade) -> int:
    settles = costs.settlement_date(costs.trade_date(trade.time))
    return costs.sell_tax_for(trade.price * trade.quantity, Market.KOSPI, settles)


def test_each_fill_books_its_share_of_the_positions_realized_pnl(account):
    held, basis = 0, 0  # the ledger's average-cost rule, step by step over the fills' own prices

    def expect(trade: Trade) -> int:
        nonlocal held, basis
        if trade.side == "buy":
            held, basis = held + trade.quantity, basis + trade.amount
            return -trade.commission  # expensed when it fills
        released = basis if trade.quantity == held else basis * trade.quantity // held  # rounded down
        held, basis = held - trade.quantity, basis - released
        assert trade.tax == tax_of(trade) > 0
        return trade.amount - released - trade.commission - trade.tax

    (buy,) = fill(account, "buy", 10, bid=69_900, ask=70_000)
    assert (buy.price, buy.commission, buy.realized_pnl) == (70_000, 105, -105)
    steps = [buy]
    steps += fill(account, "buy", 5, bid=70_900, ask=71_000)
    # Bids about 1.4% above the last trade: inside every VI range.
    steps += fill(account, "sell", 4, bid=72_000, ask=72_100)  # a partial sale at the average cost
    steps += fill(account, "sell", 6, bid=71_000, ask=71_100)
    steps += fill(account, "sell", 5, bid=70_000, ask=70_100)  # the position closes: all of the basis
    assert [t.realized_pnl for t in steps] == [expect(t) for t in steps]
    position = Position.objects.get(account=account)
    assert (position.quantity, position.cost_basis, held, basis) == (0, 0, 0, 0)
    assert sum(t.realized_pnl for t in Trade.objects.filter(account=account)) == position.realized_pnl


def test_after_a_reset_the_fills_count_from_the_new_start(account):
    fill(account, "buy", 10, bid=69_900, ask=70_000)
    services.account_reset(account_id=account.pk)
    assert not Position.objects.filter(account=account).exists()
    (buy,) = fill(account, "buy", 3, bid=69_900, ask=70_000)
    (sell,) = fill(account, "sell", 3, bid=71_000, ask=71_100)
    assert realized(account) == buy.realized_pnl + sell.realized_pnl


def test_the_migration_replays_old_fills_to_what_the_ledger_booked(user, account):
    SymbolFactory(code=OTHER, name="SK하이닉스", prev_close=100_000)
    fill(account, "buy", 7, bid=69_900, ask=70_000)
    fill(account, "buy", 5, bid=99_900, ask=100_000, code=OTHER)
    fill(account, "sell", 3, bid=71_000, ask=71_100)
    fill(account, "buy", 2, bid=70_900, ask=71_000)
    fill(account, "sell", 2, bid=101_000, ask=101_100, code=OTHER)
    services.account_reset(account_id=account.pk)  # positions start over: the held shares are gone
    fill(account, "buy", 4, bid=69_900, ask=70_000)
    fill(account, "sell", 1, bid=70_900, ask=71_000)
    second = services.account_create(owner=user, name="second", initial_cash=5_000_000)
    fill(second, "buy", 9, bid=69_900, ask=70_000)
    fill(second, "sell", 4, bid=71_000, ask=71_100)
    booked = dict(Trade.objects.values_list("id", "realized_pnl"))
    assert len(booked) == 9 and all(booked.values())

    Trade.objects.update(realized_pnl=0)  # as the column's default left the fills booked before it
    replay.book_realized_pnl(apps, None)
    assert dict(Trade.objects.values_list("id", "realized_pnl")) == booked
    for each in (account, second):
        assert_account_invariants(each.pk)


# --- GET trades ----------------------------------------------------------------------------------------


def kst(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def dated_fills(account):
    """Four fills at 12-01 10:00, 12-01 14:00, 12-02 09:30 and 12-03 15:00 Seoul time."""
    for side, quantity in (("buy", 10), ("buy", 2), ("sell", 4), ("sell", 8)):
        fill(account, side, quantity, bid=69_900, ask=70_000)
    trades = list(Trade.objects.filter(account=account).order_by("id"))
    for trade, at in zip(trades, (kst(1, 10), kst(1, 14), kst(2, 9, 30), kst(3, 15)), strict=True):
        Trade.objects.filter(pk=trade.pk).update(time=at)
    return trades


def listed(auth_client, **query) -> list[dict]:
    response = auth_client.get("/api/v1/trades", query)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_trades_carry_the_symbols_name_and_what_they_realised(auth_client, dated_fills):
    rows = listed(auth_client)
    assert [r["id"] for r in rows] == [t.pk for t in reversed(dated_fills)]  # newest first
    for row, trade in zip(rows, reversed(dated_fills), strict=True):
        assert row["symbol"] == CODE and row["symbol_name"] == "삼성전자"
        assert row["realized_pnl"] == trade.realized_pnl
    assert sum(r["realized_pnl"] for r in rows) == Position.objects.get().realized_pnl
    assert [r["realized_pnl"] < 0 for r in rows] == [True, True, True, True]  # sold below the average cost


def test_trades_after_and_until_are_a_half_open_window(auth_client, dated_fills):
    ids = [t.pk for t in dated_fills]

    def window(**query) -> list[int]:
        return sorted(r["id"] for r in listed(auth_client, **query))

    assert window(after="2026-12-01T14:00:00+09:00") == ids[2:]  # after: strictly later
    assert window(until="2026-12-01T14:00:00+09:00") == ids[:2]  # until: at or before
    assert window(after="2026-11-30T23:59:59.999999+09:00", until="2026-12-01T23:59:59.999999+09:00") == ids[:2]
    assert window(after="2026-12-02T01:00:00Z", until="2026-12-03T06:00:00Z") == ids[3:]  # 15:00 KST = 06:00Z
    assert window(after="2026-12-02T09:00:00", until="2026-12-02T10:00:00") == ids[2:3]  # no offset: Seoul
    assert window(after="2026-12-03T15:00:00+09:00") == []
    assert window(until="2026-12-03T15:00:00+09:00", symbol=CODE, account=dated_fills[0].account_id) == ids


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"after": "yesterday"}, "after"),
        ({"until": "2026-13-01T00:00:00+09:00"}, "until"),
        ({"after": "2026-12-01T10:00:00+09:00", "until": ""}, "until"),
        ({"after": "1764550800"}, "after"),
    ],
)
def test_a_malformed_window_is_a_400_in_korean(auth_client, dated_fills, query, field):
    response = auth_client.get("/api/v1/trades", query)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [str(BAD_TIME)]}
    assert "ISO 8601 날짜·시각으로 보내 주세요" in str(BAD_TIME)
    english = auth_client.get("/api/v1/trades", query, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["fields"]
    with translation.override("en"):
        assert english == {field: [str(BAD_TIME)]} and english[field][0].startswith("Send an ISO 8601")


@pytest.mark.parametrize("until", ["2026-12-01T10:00:00+09:00", "2026-11-30T10:00:00+09:00"])
def test_a_window_that_ends_before_it_starts_is_a_422(auth_client, dated_fills, until):
    response = auth_client.get("/api/v1/trades", {"after": "2026-12-01T10:00:00+09:00", "until": until})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == AFTER_NOT_BEFORE_UNTIL  # Korean: the msgid itself
    assert response.json()["error"]["fields"] == {"after": [AFTER_NOT_BEFORE_UNTIL]}


def test_the_window_filters_another_users_fills_out_too(api_client, other_user, dated_fills):
    api_client.force_authenticate(other_user)
    assert api_client.get("/api/v1/trades", {"after": "2026-01-01T00:00:00+09:00"}).json()["results"] == []


def test_the_trades_page_is_two_queries_with_the_window(auth_client, dated_fills, django_assert_num_queries):
    with django_assert_num_queries(2):  # the count, and the page with its symbols joined
        assert len(listed(auth_client, after="2026-11-01T00:00:00+09:00", until="2026-12-31T00:00:00+09:00")) == 4


def test_the_schema_states_the_window_and_the_new_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/trades"]["get"]["parameters"]}
    for name in ("after", "until"):
        assert parameters[name]["in"] == "query" and not parameters[name].get("required", False)
        assert parameters[name]["schema"] == {"type": "string", "format": "date-time"}
        assert parameters[name]["description"]
    fields = schema["components"]["schemas"]["TradeOutput"]
    assert (
        fields["properties"]["realized_pnl"]["type"] == "integer" and fields["properties"]["realized_pnl"]["readOnly"]
    )
    assert "commission" in fields["properties"]["realized_pnl"]["description"]
    assert fields["properties"]["symbol_name"] == {"type": "string", "readOnly": True, "maxLength": 100}
    assert {"symbol_name", "realized_pnl"} <= set(fields["required"])
