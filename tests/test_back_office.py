"""The back office an operator works in: the dashboard on the admin index, amounts in won and times
in Seoul, links between an account and its rows, read-only screens, and Korean model names.

Rows come from the services (orders placed and filled on the test's exchange); the one hand edit
is the direct UPDATE that makes an account disagree with its ledger."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.admin import seoul_time, won
from historical import services as historical_services
from historical.sources.base import Bar, day_start
from jobs import services as job_services
from jobs.enums import JobStatus
from jobs.models import Job
from market.clock import market_clock
from market.state import store
from orders import conditions, selectors, services
from orders.enums import OPEN_STATUSES, OrderStatus
from orders.models import Account, CashEntry, Condition, Order, Position, Trade
from orders.tests.factories import SymbolFactory
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db

CODE = "005930"
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture
def staff(django_user_model) -> Client:
    boss = django_user_model.objects.create_superuser(username="operator", password="correct-horse-battery")
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def symbol():
    return SymbolFactory(code=CODE, name="삼성전자", prev_close=70_000)


def _buy(account: Account, price: int, quantity: int) -> Order:
    order, _ = services.order_place(
        account_id=account.pk, symbol=CODE, side="buy", type="limit", price=price, quantity=quantity
    )
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def book(user, other_user, symbol, exchange):
    """Alice: a fill of 10 at 71,500, a resting buy and a stop; Bob: a fill of 3 and a resting buy."""
    alice = services.account_create(owner=user, name="알리스 계좌", initial_cash=10_000_000)
    bob = services.account_create(owner=other_user, name="밥 계좌", initial_cash=5_000_000)
    exchange.add_liquidity(CODE, "sell", 71_500, 13)
    filled = _buy(alice, 71_500, 10)
    _buy(bob, 71_500, 3)
    resting = _buy(alice, 69_000, 4)
    _buy(bob, 68_000, 2)
    stop = conditions.condition_create(
        account_id=alice.pk, symbol=CODE, side="sell", quantity=5, trigger="stop", trigger_price=65_000
    )
    assert filled.status == OrderStatus.FILLED and resting.status == OrderStatus.NEW
    return {"alice": alice, "bob": bob, "filled": filled, "resting": resting, "stop": stop}


def _section(page: str, element_id: str) -> str:
    """The markup from the element with `element_id` to the next dashboard element."""
    start = page.index(f'id="{element_id}"')
    following = [page.find('id="bo-', start + 1), page.find("</section>", start)]
    return page[start : min(i for i in following if i > 0)]


# --- the dashboard -------------------------------------------------------------------------------------
def test_the_dashboard_shows_the_phase_open_orders_failed_jobs_and_a_flagged_account(staff, book):
    job = job_services.job_create(kind="historical.backfill")
    job_services.job_fail(job_id=job.pk, error="ConnectionError: 데이터 소스 응답 없음")
    job_services.job_create(kind="historical.refresh")  # queued: not a failure
    # A hand edit behind the services' back: Bob's cash no longer equals the sum of his ledger.
    bob_cash = Account.objects.get(pk=book["bob"].pk).cash
    Account.objects.filter(pk=book["bob"].pk).update(cash=F("cash") + 1)

    response = staff.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    dashboard = response.context["dashboard"]

    # The phase is the market clock's: the test clock stands in the continuous session.
    assert market_clock().status().phase == dashboard.phase == "continuous"
    assert "정규장 (접속매매)" in _section(page, "bo-phase")

    open_orders = Order.objects.filter(status__in=OPEN_STATUSES).count()
    assert open_orders == 2 and dashboard.open_orders == open_orders
    assert f"{open_orders}건" in _section(page, "bo-open-orders")

    assert dashboard.failed_jobs_24h == 1
    failed = _section(page, "bo-failed-jobs-list")
    assert f"#{job.pk} historical.backfill" in failed and "데이터 소스 응답 없음" in failed
    assert "historical.refresh" not in failed

    flagged = _section(page, "bo-flagged")
    assert str(book["bob"]) in flagged and str(book["alice"]) not in flagged
    assert won(bob_cash + 1) in flagged and won(bob_cash) in flagged  # his cash, and Σ his ledger
    assert "1개" in _section(page, "bo-ledger")

    # The platform's health checks, and the feed: the fills just printed, so its quote is fresh.
    assert [c.name for c in dashboard.checks][0] == "데이터베이스" and all(c.ok for c in dashboard.checks)
    assert dashboard.feed.quotes == len(store().all_quotes()) == 1
    assert dashboard.feed.state == "ok" and dashboard.feed.delay_seconds < 30
    assert "정상" in _section(page, "bo-feed")
    # The stock app list stays below the dashboard.
    assert page.index('id="bo-flagged"') < page.index('class="app-orders')


def test_the_ledger_check_flags_each_kind_of_disagreement(book):
    for account in (book["alice"], book["bob"]):
        assert_account_invariants(account.pk)
    assert list(selectors.accounts_off_ledger()) == []

    Account.objects.filter(pk=book["bob"].pk).update(reserved_cash=F("reserved_cash") - 1)
    [off] = selectors.accounts_off_ledger()
    assert off.pk == book["bob"].pk and off.open_orders_reserved == off.reserved_cash + 1 and not off.shares_off

    Position.objects.filter(account=book["alice"]).update(reserved_quantity=1)  # no open sell holds it
    assert [(a.pk, a.shares_off) for a in selectors.accounts_off_ledger()] == [
        (book["alice"].pk, True),
        (book["bob"].pk, False),
    ]

    entry = CashEntry.objects.filter(account=book["alice"]).order_by("id").first()
    CashEntry.objects.filter(pk=entry.pk).update(amount=F("amount") - 5)
    alice = selectors.accounts_off_ledger().get(pk=book["alice"].pk)
    assert alice.ledger_cash == alice.cash - 5


# --- formatting ----------------------------------------------------------------------------------------
def test_amounts_are_won_with_separators_and_times_have_seconds_in_seoul(staff, book):
    trade = Trade.objects.get(order=book["filled"])
    trades = staff.get(reverse("admin:orders_trade_changelist")).content.decode()
    assert "71,500원" in trades and "71500" not in trades
    assert seoul_time(trade.time) in trades
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", trades)

    order_page = staff.get(reverse("admin:orders_order_change", args=[book["filled"].pk])).content.decode()
    assert book["filled"].avg_fill_price == Decimal("71500.0000")
    assert "71,500원" in order_page and "71500.0000" not in order_page and "715,000원" in order_page  # filled_amount
    assert "10주" in order_page

    alice = Account.objects.get(pk=book["alice"].pk)
    account_page = staff.get(reverse("admin:orders_account_change", args=[alice.pk])).content.decode()
    assert won(alice.cash) in account_page and won(alice.reserved_cash) in account_page
    assert f"{alice.cash:,}원" == won(alice.cash) and "," in won(alice.cash)
    assert str(alice.cash) not in account_page

    ledger = staff.get(reverse("admin:orders_cashentry_changelist"), {"account__id__exact": alice.pk})
    assert "+10,000,000원" in ledger.content.decode()  # the opening balance, signed


def test_candles_show_won_and_traded_value_in_eok(staff, symbol):
    bar = Bar(
        time=day_start(dt.date(2024, 1, 3)),
        open=70_000,
        high=71_500,
        low=69_900,
        close=71_000,
        volume=12_345_678,
        value=876_543_210_000,
    )
    historical_services.candles_upsert(symbol_id=symbol.pk, bars=[bar], source="csv")
    page = staff.get(reverse("admin:historical_candle_changelist")).content.decode()
    assert "71,500원" in page and "12,345,678주" in page and "8,765억원" in page and "2024-01-03" in page


# --- links ---------------------------------------------------------------------------------------------
def test_an_account_links_to_lists_of_only_its_own_orders_ledger_fills_positions_and_conditions(staff, book):
    alice, bob = book["alice"], book["bob"]
    page = staff.get(reverse("admin:orders_account_change", args=[alice.pk])).content.decode()
    for model in (Order, CashEntry, Trade, Position, Condition):
        opts = model._meta
        url = f"{reverse(f'admin:{opts.app_label}_{opts.model_name}_changelist')}?account__id__exact={alice.pk}"
        assert f'href="{url}"' in page, model
        response = staff.get(url)
        assert response.status_code == 200
        rows = list(response.context["cl"].result_list)
        assert rows and {row.account_id for row in rows} == {alice.pk}, model
        assert len(rows) == model.objects.filter(account=alice).count()
        if model is not Condition:  # Bob has none
            assert model.objects.filter(account=bob).exists(), model
        assert f"계좌 {alice}의 {opts.verbose_name_plural}" in response.content.decode()

    # The account list links each account to its lists too.
    listing = staff.get(reverse("admin:orders_account_changelist")).content.decode()
    assert f"{reverse('admin:orders_order_changelist')}?account__id__exact={bob.pk}" in listing


def test_an_order_links_to_its_fills_and_account_and_a_fill_to_its_order(staff, book):
    order = book["filled"]
    trade = Trade.objects.get(order=order)
    page = staff.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    fills_url = f"{reverse('admin:orders_trade_changelist')}?order__id__exact={order.pk}"
    assert f'href="{fills_url}"' in page and "체결 1건" in page
    assert reverse("admin:orders_account_change", args=[order.account_id]) in page
    assert [t.pk for t in staff.get(fills_url).context["cl"].result_list] == [trade.pk]

    trade_page = staff.get(reverse("admin:orders_trade_change", args=[trade.pk])).content.decode()
    assert reverse("admin:orders_order_change", args=[order.pk]) in trade_page
    trade_list = staff.get(reverse("admin:orders_trade_changelist")).content.decode()
    assert f'href="{reverse("admin:orders_order_change", args=[order.pk])}"' in trade_list


# --- read-only screens ---------------------------------------------------------------------------------
def _read_only_rows(book):
    job = job_services.job_create(kind="historical.backfill")
    return [
        book["filled"],
        Trade.objects.get(order=book["filled"]),
        CashEntry.objects.filter(account=book["alice"]).first(),
        Position.objects.get(account=book["alice"]),
        book["stop"],
        job,
    ]


def test_rows_only_services_write_have_no_save_add_or_delete(staff, book):
    for row in _read_only_rows(book):
        opts = row._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        page = staff.get(change)
        assert page.status_code == 200, opts.model_name
        body = page.content.decode()
        assert 'name="_save"' not in body and 'name="_continue"' not in body, opts.model_name
        assert "/delete/" not in body, opts.model_name
        listing = staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).content.decode()
        assert reverse(f"admin:{opts.app_label}_{opts.model_name}_add") not in listing, opts.model_name
        assert staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403

        before = {f.attname: getattr(row, f.attname) for f in opts.concrete_fields}
        assert staff.post(change, {f: "1" for f in before if f != "id"}).status_code == 403, opts.model_name
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
        assert staff.post(delete, {"post": "yes"}).status_code == 403, opts.model_name
        row.refresh_from_db()
        assert {f.attname: getattr(row, f.attname) for f in opts.concrete_fields} == before


def test_admin_actions_still_go_through_the_services(staff, book, django_capture_on_commit_callbacks):
    resting = book["resting"]
    response = staff.post(
        reverse("admin:orders_order_changelist"), {"action": "cancel", "_selected_action": [resting.pk]}
    )
    assert response.status_code == 302
    resting.refresh_from_db()
    assert resting.status == OrderStatus.CANCELLED and resting.reserved_cash == 0
    assert_account_invariants(book["alice"].pk)

    response = staff.post(
        reverse("admin:orders_condition_changelist"), {"action": "cancel", "_selected_action": [book["stop"].pk]}
    )
    assert response.status_code == 302
    assert Condition.objects.get(pk=book["stop"].pk).status == "cancelled"

    with django_capture_on_commit_callbacks(execute=False):
        queued = job_services.job_create(kind="historical.backfill")
    response = staff.post(
        reverse("admin:jobs_job_changelist"), {"action": "cancel_jobs", "_selected_action": [queued.pk]}
    )
    assert response.status_code == 302
    assert Job.objects.get(pk=queued.pk).status == JobStatus.CANCELLED


# --- Korean names --------------------------------------------------------------------------------------
def test_every_model_has_a_korean_name_shown_on_the_index(staff):
    page = staff.get(reverse("admin:index")).content.decode()
    for app in ("accounts", "market", "historical", "orders", "strategies", "jobs", "webhooks"):
        for model in apps.get_app_config(app).get_models():
            opts = model._meta
            assert HANGUL.search(str(opts.verbose_name)) and HANGUL.search(str(opts.verbose_name_plural)), model
    for name in (
        "계좌",
        "주문",
        "체결",
        "현금 원장",
        "보유 종목",
        "감시주문",
        "종목",
        "캔들",
        "작업",
        "전략 실행",
        "웹훅 전송",
    ):
        assert f">{name}</a>" in page, name


def test_list_columns_are_labelled_in_korean(staff, book):
    page = staff.get(reverse("admin:orders_order_changelist")).content.decode()
    for label in ("주문 시각", "계좌", "종목", "매매", "주문 수량", "주문 가격", "체결 수량", "평균 체결가", "상태"):
        assert f">{label}<" in page or f">{label}</a>" in page, label


def test_the_admin_stylesheet_is_linked_and_found(staff):
    page = staff.get(reverse("admin:orders_order_changelist")).content.decode()
    assert "back_office/admin.css" in page
    assert finders.find("back_office/admin.css")


def test_the_feed_card_says_when_quotes_stop_or_the_exchange_is_away(staff, symbol):
    from market import venue

    dashboard = staff.get(reverse("admin:index")).context["dashboard"]
    assert dashboard.phase == "continuous" and dashboard.feed.quotes == 0
    assert (dashboard.feed.state, dashboard.feed.label) == ("lagging", "지연")  # a session without prints

    venue.serve(None)  # nobody owns the books
    response = staff.get(reverse("admin:index"))
    dashboard = response.context["dashboard"]
    assert (dashboard.feed.state, dashboard.feed.label) == ("down", "중단")
    exchange_check = dashboard.checks[-1]
    assert exchange_check.name.startswith("거래소") and not exchange_check.ok
    assert "오류" in _section(response.content.decode(), "bo-health")


def test_every_admin_screen_renders(staff, book):
    from django.contrib import admin

    from market.models import Quote

    Quote.objects.create(
        symbol=book["filled"].symbol,
        price=71_500,
        open=70_000,
        high=71_500,
        low=69_900,
        prev_close=70_000,
        time=book["filled"].created_at,
    )
    job_services.job_create(kind="historical.backfill")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        listing = staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert listing.status_code == 200, model
        row = model._default_manager.first()
        if row is not None:
            assert (
                staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])).status_code == 200
            ), model
        add = staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == (200 if model_admin.has_add_permission(listing.wsgi_request) else 403), model
