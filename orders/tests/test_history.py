"""Account history (snapshots → equity, P&L, return) and activities, through the services and the API."""

import datetime as dt

import pytest
from django.utils import translation

from market.clock import market_now
from market.state import store
from market.timetable import SEOUL
from orders import costs, history, services
from orders.api import BAD_ACTIVITY_TYPE, BAD_PERIOD
from orders.enums import SnapshotTimeframe
from orders.history import AFTER_NOT_BEFORE_UNTIL, BAD_PAGE_TOKEN
from orders.models import Account, AccountSnapshot, CashEntry
from orders.tests.factories import account_in_deep_market, book_around, publish_trade, quote_for, set_book

pytestmark = pytest.mark.django_db
CODE = "005930"


def mark(price: int) -> None:
    """The live last price the account is valued at."""
    store().put(quote=quote_for(CODE, price, 70_000))


def kst(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


@pytest.fixture
def account(user):
    return account_in_deep_market(user)


def test_daily_history_gives_equity_pnl_and_return_per_day_ending_with_the_live_value(auth_client, account):
    today = market_now().astimezone(SEOUL).date()
    history.account_snapshots_take(now=kst(today - dt.timedelta(days=3), 15, 40))  # 10,000,000, nothing held

    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)
    account.refresh_from_db()
    cash_after_buy = account.cash
    mark(72_000)
    history.account_snapshots_take(now=kst(today - dt.timedelta(days=2), 15, 40))

    services.account_deposit(account_id=account.pk, amount=1_000_000)  # not a gain
    mark(71_000)

    body = auth_client.get(f"/api/v1/accounts/{account.pk}/history?period=1W").json()
    assert body["period"] == "1W" and body["timeframe"] == "1D" and body["account"] == account.pk
    first, second, live = body["points"]
    assert first["equity"] == 10_000_000 and first["profit_loss"] == 0 and first["period_profit_loss"] == 0
    assert second["equity"] == cash_after_buy + 720_000
    assert second["profit_loss"] == cash_after_buy + 720_000 - 10_000_000
    assert second["period_profit_loss"] == second["profit_loss"]
    assert second["return_rate"] == round(second["profit_loss"] * 100 / 10_000_000, 4)

    assert live["equity"] == cash_after_buy + 1_000_000 + 710_000
    assert live["invested"] == 11_000_000
    assert live["profit_loss"] == live["equity"] - 11_000_000
    # The day's P&L is the price move only: the deposit is money put in, not earned.
    assert live["period_profit_loss"] == -10_000
    assert live["period_return_rate"] == round(-10_000 * 100 / (second["equity"] + 1_000_000), 4)
    # The last point is the account summary.
    summary = auth_client.get(f"/api/v1/accounts/{account.pk}").json()
    assert (live["equity"], live["profit_loss"]) == (summary["equity"], summary["total_pnl"])
    assert live["time"].startswith(today.isoformat())
    assert body["base_value"] == 10_000_000  # no day before the first: the money put in


def test_a_reset_starts_profit_and_loss_over(account):
    today = market_now().astimezone(SEOUL).date()
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)
    mark(60_000)
    history.account_snapshots_take(now=kst(today - dt.timedelta(days=1), 15, 40))
    services.account_reset(account_id=account.pk, initial_cash=5_000_000)
    account = Account.objects.prefetch_related("positions").get(pk=account.pk)
    result = history.account_history(account=account, period="1M", timeframe="1D")
    before, live = result.points
    assert before.profit_loss < 0
    assert (live.equity, live.profit_loss, live.period_profit_loss) == (5_000_000, 0, 0)


def test_intraday_history_buckets_today_s_minutes_against_yesterday_s_close(account):
    today = dt.date(2026, 12, 1)  # a Tuesday
    history.account_snapshots_take(now=kst(today - dt.timedelta(days=1), 15, 40))
    for minute, price in ((1, 70_500), (3, 71_000), (6, 69_000), (7, 69_500)):
        if minute == 1:
            services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)
        mark(price)
        history.account_snapshots_take(now=kst(today, 9, minute))
    account.refresh_from_db()
    cash = account.cash
    mark(70_000)
    account = Account.objects.prefetch_related("positions").get(pk=account.pk)

    five = history.account_history(account=account, period="1D", timeframe="5Min", now=kst(today, 9, 12))
    assert [p.time for p in five.points] == [kst(today, 9, 0), kst(today, 9, 5), kst(today, 9, 10)]
    # Each bucket closes at its last minute; the current one is live.
    assert [p.equity for p in five.points] == [cash + 710_000, cash + 695_000, cash + 700_000]
    assert five.base_value == 10_000_000
    assert five.points[0].period_profit_loss == cash + 710_000 - 10_000_000
    assert five.points[1].period_profit_loss == -15_000

    minutes = history.account_history(account=account, period="1D", timeframe="1Min", now=kst(today, 9, 12))
    assert len(minutes.points) == 5
    hour = history.account_history(account=account, period="1D", timeframe="1H", now=kst(today, 9, 12))
    assert [p.time for p in hour.points] == [kst(today, 9, 0)]

    # Over a longer period the intraday points span the days whose minutes are kept, each change
    # measured against the point before; the first against the close of the day before it.
    tomorrow = today + dt.timedelta(days=1)
    week = history.account_history(account=account, period="1W", timeframe="1H", now=kst(tomorrow, 10, 5))
    yesterday = today - dt.timedelta(days=1)
    assert [p.time for p in week.points] == [kst(yesterday, 15, 0), kst(today, 9, 0), kst(tomorrow, 10, 0)]
    assert week.points[2].period_profit_loss == week.points[2].equity - week.points[1].equity


def test_snapshots_are_idempotent_per_bucket_and_old_minutes_are_pruned(account):
    day = dt.date(2026, 12, 1)
    history.account_snapshots_take(now=kst(day, 9, 1))
    history.account_snapshots_take(now=kst(day, 9, 1) + dt.timedelta(seconds=30))
    assert AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.MINUTE).count() == 1
    assert AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.DAY).count() == 1
    history.account_snapshots_take(now=kst(day + dt.timedelta(days=3), 9, 1))
    assert not AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.MINUTE, time__lt=kst(day, 23)).exists()
    assert AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.DAY).count() == 2


def test_the_beat_entry_records_minutes_only_in_the_session(account):
    saturday = dt.date(2026, 12, 5)
    history.snapshots_scheduled(now=kst(saturday, 10, 0))
    assert list(AccountSnapshot.objects.values_list("timeframe", flat=True)) == [SnapshotTimeframe.DAY]
    history.snapshots_scheduled(now=kst(dt.date(2026, 12, 4), 10, 0))  # Friday, continuous trading
    assert AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.MINUTE).count() == 1


def test_the_feed_s_ticks_record_snapshots_once_a_minute(account, monkeypatch):
    monkeypatch.setattr(history, "_last_tick_minute", None)
    set_book(book_around(CODE, 69_900, 70_000, levels=2))
    publish_trade(CODE, 70_000, 5, side="buy")  # two prints: a buyer takes the best asks twice
    publish_trade(CODE, 70_100, 5, side="buy")
    rows = AccountSnapshot.objects.filter(account=account)
    assert sorted(rows.values_list("timeframe", flat=True)) == [SnapshotTimeframe.DAY, SnapshotTimeframe.MINUTE]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=2D", BAD_PERIOD.split("{")[0]),
        ("timeframe=2Min", "timeframe은"),
    ],
)
def test_history_refuses_bad_parameters_in_korean(auth_client, account, query, message):
    response = auth_client.get(f"/api/v1/accounts/{account.pk}/history?{query}")
    assert response.status_code == 400
    assert message in str(response.json()["error"])


def _trade_a_day(account):
    services.order_place(account_id=account.pk, symbol=CODE, side="buy", type="market", quantity=10)
    services.order_place(account_id=account.pk, symbol=CODE, side="sell", type="limit", quantity=4, price=69_900)
    services.account_deposit(account_id=account.pk, amount=500_000)


def test_activities_list_fills_deposits_costs_and_settlements_newest_first(account):
    _trade_a_day(account)
    trade_day = market_now().astimezone(SEOUL).date()
    later = kst(trade_day + dt.timedelta(days=8), 12)
    page = history.activity_list(account=account, now=later)
    types = [a.type for a in page.results]
    assert types[0] == "settlement" and types[1] == "deposit"
    assert types.count("fill") == 2 and types.count("commission") == 2 and types.count("tax") == 1
    settlement = page.results[0]
    assert settlement.trade_date == trade_day and settlement.settlement_date == costs.settlement_date(trade_day)
    net = sum(
        CashEntry.objects.filter(account=account, kind__in=("buy", "sell", "commission", "tax")).values_list(
            "amount", flat=True
        )
    )
    assert settlement.amount == net
    assert settlement.note == "체결 2건"
    with translation.override("en"):
        assert history.activity_list(account=account, now=later).results[0].note == "Fills: 2"
    buy = next(a for a in page.results if a.type == "fill" and a.side == "buy")
    assert (buy.quantity, buy.price, buy.amount) == (10, 70_000, -700_000)
    # Nothing has settled on the trade day itself.
    assert "settlement" not in [a.type for a in history.activity_list(account=account).results]


def test_settlement_is_two_business_days_later():
    assert costs.settlement_date(dt.date(2026, 12, 3)) == dt.date(2026, 12, 7)  # Thu → Mon
    assert costs.settlement_date(dt.date(2026, 12, 1)) == dt.date(2026, 12, 3)


def test_activities_pages_cover_everything_once(auth_client, account):
    _trade_a_day(account)
    everything = auth_client.get(f"/api/v1/accounts/{account.pk}/activities?page_size=500").json()["results"]
    assert len(everything) == 7  # 2 fills, 2 commissions, 1 tax, 1 deposit, the opening deposit
    seen, url = [], f"/api/v1/accounts/{account.pk}/activities?page_size=2"
    while url:
        body = auth_client.get(url).json()
        assert len(body["results"]) <= 2
        seen.extend(body["results"])
        url = body["next"]
    assert [a["id"] for a in seen] == [a["id"] for a in everything]


def test_activities_filter_by_type_and_time(auth_client, account):
    _trade_a_day(account)
    base = f"/api/v1/accounts/{account.pk}/activities"
    fills = auth_client.get(f"{base}?type=fill,tax").json()["results"]
    assert sorted(a["type"] for a in fills) == ["fill", "fill", "tax"]
    assert fills[0]["symbol"] == CODE and fills[0]["symbol_name"] == "삼성전자"
    future = (market_now().astimezone(SEOUL) + dt.timedelta(hours=1)).isoformat()
    assert auth_client.get(f"{base}", {"after": future}).json()["results"] == []
    assert len(auth_client.get(f"{base}", {"until": future}).json()["results"]) == 7


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"type": "dividend"}, BAD_ACTIVITY_TYPE.split("{")[0]),
        ({"type": "fill,,tax"}, BAD_ACTIVITY_TYPE.split("{")[0]),
        ({"type": " fill"}, BAD_ACTIVITY_TYPE.split("{")[0]),
        ({"page_token": "bm9wZQ"}, BAD_PAGE_TOKEN),
        ({"after": "2026-12-02T10:00:00+09:00", "until": "2026-12-01T10:00:00+09:00"}, AFTER_NOT_BEFORE_UNTIL),
        ({"after": "yesterday"}, "ISO 8601"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_activities_refuse_bad_parameters_in_korean(auth_client, account, query, message):
    response = auth_client.get(f"/api/v1/accounts/{account.pk}/activities", query)
    # a malformed parameter is a 400; a well-formed one a rule refuses (an unknown token, a window
    # that ends before it starts) is a 422, as everywhere in the API
    rule = "page_token" in query or "until" in query
    assert response.status_code == (422 if rule else 400)
    assert message in str(response.json()["error"])


def test_another_users_history_and_activities_are_404(api_client, account, other_user):
    api_client.force_authenticate(other_user)
    for path in ("history", "activities"):
        assert api_client.get(f"/api/v1/accounts/{account.pk}/{path}").status_code == 404


def test_history_and_activities_queries_do_not_grow_with_rows(auth_client, account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as history_queries:
            assert auth_client.get(f"/api/v1/accounts/{account.pk}/history?period=1D").status_code == 200
        with CaptureQueriesContext(connection) as activity_queries:
            assert auth_client.get(f"/api/v1/accounts/{account.pk}/activities").status_code == 200
        return len(history_queries), len(activity_queries)

    _trade_a_day(account)
    history.account_snapshots_take()
    before = counts()
    for _ in range(3):
        _trade_a_day(account)
    history.account_snapshots_take(now=market_now() + dt.timedelta(minutes=1))
    assert counts() == before
