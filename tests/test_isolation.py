"""Every door is locked: anonymous callers get 401/403 everywhere but the public endpoints, and a
user reaches none of another user's accounts, orders, positions, trades, strategies, runs or jobs."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts import watchlists
from jobs import services as job_services
from orders import services as order_services
from orders.tests.factories import SymbolFactory
from strategies import services as strategy_services
from strategies.models import StrategyRun
from strategies.tests.factories import zigzag_market
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db

PUBLIC = {"/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/csrf"}


def _api_routes() -> list[str]:
    """Every /api/v1/ route with its parameters filled in."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                routes.append(prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "/")
    filled = []
    for route in routes:
        if not route.startswith("/api/v1/"):
            continue
        route = re.sub(r"<int:\w+>", "1", route)
        route = re.sub(r"<(str:)?\w+>", "005930", route)
        filled.append(route)
    return sorted(set(filled))


def test_every_private_endpoint_refuses_anonymous_callers():
    client = APIClient()
    routes = _api_routes()
    assert len(routes) > 25, routes
    open_doors = []
    for route in routes:
        if route in PUBLIC:
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            status = getattr(client, method)(route, {}, format="json").status_code
            if status not in (401, 403, 405):
                open_doors.append(f"{method.upper()} {route} -> {status}")
    assert not open_doors


@pytest.fixture
def victims_things(user, settings):
    """One of everything, owned by `user`."""
    settings.TASK_MODE = "eager"
    SymbolFactory()
    account = order_services.account_create(owner=user, name="main", initial_cash=10_000_000)
    order, _ = order_services.order_place(
        account_id=account.pk, symbol="005930", side="buy", type="limit", quantity=1, price=60_000
    )
    dates = zigzag_market()
    strategy = strategy_services.strategy_create(
        owner=user,
        name="mine",
        symbols=["000010", "000020"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
    )
    job = job_services.job_create(kind="train", owner=user)
    run = StrategyRun.objects.create(strategy=strategy, kind="train", job=job)
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    hook, _ = webhook_services.endpoint_create(owner=user, url="http://127.0.0.1:9/hook", events=["order.filled"])
    delivery = webhook_services.endpoint_ping(endpoint_id=hook.pk)
    watchlist = watchlists.watchlist_create(user=user, name="반도체")
    watchlists.watchlist_symbol_add(user=user, watchlist_id=watchlist.pk, code="005930")
    return {
        "account": account,
        "order": order,
        "strategy": strategy,
        "run": run,
        "job": job,
        "hook": hook,
        "delivery": delivery,
        "watchlist": watchlist,
    }


def test_another_users_ids_answer_404_everywhere(victims_things, other_user):
    thief = APIClient()
    thief.force_authenticate(other_user)
    a, o, s, r, j, w, d, wl = (
        victims_things[k].pk for k in ("account", "order", "strategy", "run", "job", "hook", "delivery", "watchlist")
    )
    attempts = [
        ("get", f"/api/v1/accounts/{a}", None),
        ("post", f"/api/v1/accounts/{a}/reset", {}),
        ("post", f"/api/v1/accounts/{a}/deposit", {"amount": 1000}),
        ("get", f"/api/v1/accounts/{a}/history", None),
        ("get", f"/api/v1/accounts/{a}/activities", None),
        ("get", f"/api/v1/webhooks/{w}", None),
        ("patch", f"/api/v1/webhooks/{w}", {"events": ["order.cancelled"]}),
        ("delete", f"/api/v1/webhooks/{w}", None),
        ("post", f"/api/v1/webhooks/{w}/ping", {}),
        ("post", f"/api/v1/webhooks/{w}/rotate-secret", {}),
        ("get", f"/api/v1/webhooks/{w}/deliveries", None),
        ("get", f"/api/v1/webhooks/deliveries/{d}", None),
        ("post", f"/api/v1/webhooks/deliveries/{d}/redeliver", {}),
        ("get", f"/api/v1/orders/{o}", None),
        ("post", f"/api/v1/orders/{o}/cancel", {}),
        ("post", "/api/v1/orders", {"account": a, "symbol": "005930", "side": "buy", "type": "market", "quantity": 1}),
        ("get", f"/api/v1/orders?account={a}", None),
        ("get", f"/api/v1/positions?account={a}", None),
        ("get", f"/api/v1/trades?account={a}", None),
        ("get", f"/api/v1/strategies/{s}", None),
        ("patch", f"/api/v1/strategies/{s}", {"name": "stolen"}),
        ("delete", f"/api/v1/strategies/{s}", None),
        ("post", f"/api/v1/strategies/{s}/train", {}),
        ("post", f"/api/v1/strategies/{s}/backtest", {}),
        ("get", f"/api/v1/strategies/{s}/runs", None),
        ("get", f"/api/v1/strategies/runs/{r}", None),
        ("post", f"/api/v1/strategies/{s}/deploy", {"account": a}),
        ("post", f"/api/v1/strategies/{s}/undeploy", {}),
        ("get", f"/api/v1/jobs/{j}", None),
        ("post", f"/api/v1/jobs/{j}/cancel", {}),
        ("get", f"/api/v1/watchlists/{wl}", None),
        ("patch", f"/api/v1/watchlists/{wl}", {"name": "stolen"}),
        ("delete", f"/api/v1/watchlists/{wl}", None),
        ("post", f"/api/v1/watchlists/{wl}/symbols", {"code": "005930"}),
        ("put", f"/api/v1/watchlists/{wl}/symbols", {"codes": ["005930"]}),
        ("delete", f"/api/v1/watchlists/{wl}/symbols/005930", None),
    ]
    leaks = []
    for method, path, body in attempts:
        response = (
            getattr(thief, method)(path, body, format="json") if body is not None else getattr(thief, method)(path)
        )
        if response.status_code != 404:
            leaks.append(f"{method.upper()} {path} -> {response.status_code} {response.content[:200]!r}")
    assert not leaks

    # Lists show none of the victim's rows either.
    lists = (
        "/api/v1/accounts",
        "/api/v1/orders",
        "/api/v1/trades",
        "/api/v1/strategies",
        "/api/v1/jobs",
        "/api/v1/webhooks",
        "/api/v1/watchlists",
    )
    for path in lists:
        body = thief.get(path).json()
        assert not isinstance(body, dict) or "results" in body, (path, body)
        rows = body["results"] if isinstance(body, dict) else body
        assert rows == [], (path, rows)

    # And nothing of the victim's changed.
    victims_things["strategy"].refresh_from_db()
    assert victims_things["strategy"].name == "mine"
    victims_things["order"].refresh_from_db()
    assert victims_things["order"].status == "new"
    victims_things["hook"].refresh_from_db()
    assert victims_things["hook"].events == ["order.filled"]
    # A group order naming the victim's group is refused, and the victim's group is untouched.
    assert thief.put("/api/v1/watchlists/order", {"ids": [wl]}, format="json").status_code == 422
    kept = watchlists.watchlist_get(user=victims_things["account"].owner, watchlist_id=wl)
    assert kept.name == "반도체" and [i.symbol.code for i in kept.items.all()] == ["005930"]
