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
from market.state import BookLevel, OrderBook
from orders import costs
from orders.tests.factories import publish_trade, set_book

CODE = "005930"
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _publish_book(bid: int, ask: int, quantity: int) -> None:
    """Other participants rest a bid and an ask in the exchange (as the synthetic market's would)."""
    set_book(OrderBook(CODE, asks=(BookLevel(ask, quantity),), bids=(BookLevel(bid, quantity),), time=timezone.now()))


def _publish_trade(price: int, quantity: int) -> None:
    """Another participant sells `quantity` at `price`, immediate or cancel."""
    publish_trade(CODE, price, quantity)


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

    # 1. A limit buy between the others' bid and ask rests: it is the best bid now.
    await sync_to_async(_publish_book)(69_500, 70_100, 50)
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

    # 2. Another participant sells 4 through the limit: they meet the best bid, ours, at its limit.
    await sync_to_async(_publish_trade)(69_700, 4)
    fill = await ws.receive_json_from(timeout=3)
    assert fill["type"] == "fill"
    assert (fill["trade"]["quantity"], fill["trade"]["price"]) == (4, 69_800)
    assert fill["order"]["status"] == "partially_filled" and fill["order"]["filled_quantity"] == 4

    # 3. A seller offers 50 at 69,700, under the limit: 6 of them meet our resting order, at its
    # price (it was in the book first), the rest stays on offer.
    await sync_to_async(_publish_book)(69_500, 69_700, 50)
    fill = await ws.receive_json_from(timeout=3)
    assert (fill["trade"]["quantity"], fill["trade"]["price"]) == (6, 69_800)
    assert fill["order"]["status"] == "filled" and fill["order"]["avg_fill_price"] == "69800.0000"

    # 4. Numbers: position at the average price, cash paid with commission on the order's total,
    # marked to the last price.
    commissions = costs.commission_for(10 * 69_800)
    positions = (await get(f"/api/v1/positions?account={account['id']}")).json()["results"]
    assert len(positions) == 1
    position = positions[0]
    assert (position["quantity"], position["reserved_quantity"], position["avg_cost"]) == (10, 0, "69800.0000")
    assert position["last_price"] == 69_800 and position["market_value"] == 698_000
    assert position["unrealized_pnl"] == 0
    numbers = (await get(f"/api/v1/accounts/{account['id']}")).json()
    assert numbers["cash"] == 10_000_000 - 698_000 - commissions
    assert numbers["reserved_cash"] == 0 and numbers["available_cash"] == numbers["cash"]
    assert numbers["equity"] == numbers["cash"] + 698_000
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
    assert sold["type"] == "fill" and sold["trade"]["price"] == 69_500
    tax = costs.sell_tax_for(695_000, Market.KOSPI, costs.settlement_date(costs.trade_date(timezone.now())))
    assert sold["trade"]["tax"] == tax
    sell_commission = costs.commission_for(695_000)
    position = (await get(f"/api/v1/positions?account={account['id']}")).json()["results"][0]
    assert position["quantity"] == 0
    assert position["realized_pnl"] == 695_000 - 698_000 - commissions - sell_commission - tax
    numbers = (await get(f"/api/v1/accounts/{account['id']}")).json()
    assert numbers["cash"] == 10_000_000 - 698_000 - commissions + 695_000 - sell_commission - tax
    assert numbers["realized_pnl"] == position["realized_pnl"]
    assert numbers["total_pnl"] == numbers["cash"] - 10_000_000

    await ws.disconnect()
    await sync_to_async(connections.close_all)()
