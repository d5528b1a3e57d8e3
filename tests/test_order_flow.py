"""End to end: REST order → fill from a market tick (signals) → /ws/orders message → positions and
account numbers as expected. Runs on both configurations (PostgreSQL + Redis, and embedded)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import AsyncClient
from django.utils import timezone
from rest_framework.test import APIClient

from config.asgi import application
from market.enums import Market
from market.models import Symbol
from market.signals import book_changed, trade_printed
from market.state import BookLevel, OrderBook, Quote, Trade, store
from orders import costs

CODE = "005930"
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _quote(price: int, bid: int | None = None, ask: int | None = None) -> Quote:
    return Quote(CODE, price, 70_000, max(price, 70_000), min(price, 70_000), 70_000, 0, 0, bid, ask, timezone.now())


def _publish_book(bid: int, ask: int, quantity: int) -> None:
    book = OrderBook(CODE, asks=(BookLevel(ask, quantity),), bids=(BookLevel(bid, quantity),), time=timezone.now())
    store().put(quote=_quote(bid, bid, ask), book=book)
    book_changed.send(sender=None, book=book)


def _publish_trade(price: int, quantity: int) -> None:
    quote = _quote(price)
    store().put(quote=quote)
    trade_printed.send(sender=None, trade=Trade(CODE, price, quantity, "sell", timezone.now()), quote=quote)


@pytest.mark.django_db(transaction=True)
async def test_rest_order_fills_on_a_tick_and_streams_to_the_owner(user):
    await Symbol.objects.acreate(code=CODE, name="삼성전자", market=Market.KOSPI, prev_close=70_000)
    rest = APIClient()
    await sync_to_async(rest.force_authenticate)(user)
    post = sync_to_async(rest.post)
    get = sync_to_async(rest.get)

    account = (await post("/api/v1/accounts", {"name": "e2e", "initial_cash": 10_000_000}, format="json")).json()

    browser = AsyncClient()
    await sync_to_async(browser.force_login)(user)
    ws = WebsocketCommunicator(
        application,
        "/ws/orders",
        headers=[(b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode()), ORIGIN],
    )
    connected, _ = await ws.connect()
    assert connected
    assert (await ws.receive_json_from(timeout=3))["type"] == "hello"

    # 1. A limit buy below the market rests.
    await sync_to_async(_publish_book)(70_000, 70_100, 50)
    response = await post(
        "/api/v1/orders",
        {"account": account["id"], "symbol": CODE, "side": "buy", "type": "limit", "quantity": 10, "price": 69_800},
        format="json",
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "new"
    pushed = await ws.receive_json_from(timeout=3)
    assert pushed["type"] == "order" and pushed["order"]["id"] == order["id"] and pushed["order"]["status"] == "new"
    reserved = 698_000 + costs.commission_for(698_000)
    assert (await get(f"/api/v1/accounts/{account['id']}")).json()["reserved_cash"] == reserved

    # 2. The feed prints a trade through the limit: 4 shares fill at the limit.
    await sync_to_async(_publish_trade)(69_700, 4)
    fill = await ws.receive_json_from(timeout=3)
    assert fill["type"] == "fill"
    assert (fill["trade"]["quantity"], fill["trade"]["price"]) == (4, 69_800)
    assert fill["order"]["status"] == "partially_filled" and fill["order"]["filled_quantity"] == 4

    # 3. The ask drops under the limit: the other 6 fill at the ask (better than the limit).
    await sync_to_async(_publish_book)(69_600, 69_700, 50)
    fill = await ws.receive_json_from(timeout=3)
    assert (fill["trade"]["quantity"], fill["trade"]["price"]) == (6, 69_700)
    assert fill["order"]["status"] == "filled" and fill["order"]["avg_fill_price"] == "69740.0000"

    # 4. Numbers: position at the average price, cash paid with commissions, marked to the quote.
    commissions = costs.commission_for(4 * 69_800) + costs.commission_for(6 * 69_700)
    positions = (await get(f"/api/v1/positions?account={account['id']}")).json()["results"]
    assert len(positions) == 1
    position = positions[0]
    assert (position["quantity"], position["reserved_quantity"], position["avg_cost"]) == (10, 0, "69740.0000")
    assert position["last_price"] == 69_600 and position["market_value"] == 696_000
    assert position["unrealized_pnl"] == 696_000 - 697_400
    numbers = (await get(f"/api/v1/accounts/{account['id']}")).json()
    assert numbers["cash"] == 10_000_000 - 697_400 - commissions
    assert numbers["reserved_cash"] == 0 and numbers["available_cash"] == numbers["cash"]
    assert numbers["equity"] == numbers["cash"] + 696_000
    assert numbers["total_pnl"] == numbers["equity"] - 10_000_000
    trades = (await get(f"/api/v1/trades?account={account['id']}")).json()
    assert trades["count"] == 2

    # 5. Sell everything at market into the bid: realised P&L net of commission and tax.
    response = await post(
        "/api/v1/orders",
        {"account": account["id"], "symbol": CODE, "side": "sell", "type": "market", "quantity": 10},
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == "filled"
    assert (await ws.receive_json_from(timeout=3))["type"] == "order"
    sold = await ws.receive_json_from(timeout=3)
    assert sold["type"] == "fill" and sold["trade"]["price"] == 69_600
    tax = costs.sell_tax_for(696_000, Market.KOSPI, costs.settlement_date(costs.trade_date(timezone.now())))
    assert sold["trade"]["tax"] == tax
    sell_commission = costs.commission_for(696_000)
    position = (await get(f"/api/v1/positions?account={account['id']}")).json()["results"][0]
    assert position["quantity"] == 0
    assert position["realized_pnl"] == 696_000 - 697_400 - sell_commission - tax
    numbers = (await get(f"/api/v1/accounts/{account['id']}")).json()
    assert numbers["cash"] == 10_000_000 - 697_400 - commissions + 696_000 - sell_commission - tax
    assert numbers["realized_pnl"] == position["realized_pnl"]
    assert numbers["total_pnl"] == numbers["cash"] - 10_000_000

    await ws.disconnect()
    await sync_to_async(connections.close_all)()
