"""The MCP server through the official SDK's own client, against a real server (tests/live_platform.py):
launched over stdio as an agent launches it (`papertrade mcp`), a tool call places an order that the
REST API then shows; another user's account is refused and nothing is written to it."""

from __future__ import annotations

import json
import os
import sys
import uuid
from typing import Any

from mcp import Client as McpClient
from mcp.client.stdio import StdioServerParameters
from papertrade import Client
from papertrade.mcp_server import build_server

from tests.live_platform import PlatformServer

CODE = "005930"
TOOLS = {
    "search_symbols",
    "get_quote",
    "get_order_book",
    "get_candles",
    "account_summary",
    "list_accounts",
    "list_positions",
    "list_orders",
    "place_order",
    "cancel_order",
    "modify_order",
    "place_condition",
    "list_conditions",
    "cancel_condition",
}


def _body(result: Any) -> Any:
    assert not result.is_error, result.content
    assert result.structured_content == json.loads(result.content[0].text)
    return result.structured_content


def _error(result: Any) -> str:
    assert result.is_error, result
    return " ".join(block.text for block in result.content)


def _stdio(platform_server: PlatformServer, token: str) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERTRADE_")}
    env |= {"PAPERTRADE_URL": platform_server.url, "PAPERTRADE_TOKEN": token, "PAPERTRADE_CONFIG": os.devnull}
    return StdioServerParameters(command=sys.executable, args=["-m", "papertrade", "mcp"], env=env)


async def test_a_tool_call_over_stdio_places_an_order_the_api_then_shows(platform_server, demo):
    limit = int(demo.symbol(CODE)["price_limits"]["lower"])  # 하한가: the order rests
    async with McpClient(_stdio(platform_server, demo.token)) as agent:
        listed = await agent.list_tools()
        assert {tool.name for tool in listed.tools} == TOOLS

        quote = _body(await agent.call_tool("get_quote", {"code": CODE}))
        assert quote["code"] == CODE and quote["price"] > 0
        found = _body(await agent.call_tool("search_symbols", {"query": "삼성"}))["symbols"]
        assert found and all("삼성" in s["name"] for s in found)
        book = _body(await agent.call_tool("get_order_book", {"code": CODE}))
        assert book["bids"] and book["asks"]
        candles = _body(await agent.call_tool("get_candles", {"code": CODE, "limit": 5}))
        assert len(candles["candles"]) == 5 and candles["candles"][-1]["date"] > candles["candles"][0]["date"]

        client_order_id = f"mcp-{uuid.uuid4().hex[:12]}"
        placed = _body(
            await agent.call_tool(
                "place_order",
                {"symbol": CODE, "side": "buy", "quantity": 2, "price": limit, "client_order_id": client_order_id},
            )
        )
        assert (placed["symbol"], placed["side"], placed["quantity"], placed["price"]) == (CODE, "buy", 2, limit)
        # The order is really there, on the user's first paper account, as the REST API sees it.
        stored = demo.order(placed["id"])
        assert stored["status"] == "new" and stored["client_order_id"] == client_order_id
        assert stored["account"] == demo.default_account()["id"]
        open_orders = _body(await agent.call_tool("list_orders", {"status": "new"}))["orders"]
        assert placed["id"] in [o["id"] for o in open_orders]
        summary = _body(await agent.call_tool("account_summary", {}))
        assert summary["reserved_cash"] >= 2 * limit and isinstance(summary["positions"], list)

        reduced = _body(await agent.call_tool("modify_order", {"order_id": placed["id"], "quantity": 1}))
        assert reduced["quantity"] == 1 and demo.order(placed["id"])["quantity"] == 1
        cancelled = _body(await agent.call_tool("cancel_order", {"order_id": placed["id"]}))
        assert cancelled["status"] == "cancelled" and demo.order(placed["id"])["status"] == "cancelled"

        upper = int(demo.symbol(CODE)["price_limits"]["upper"])
        watching = _body(
            await agent.call_tool(
                "place_condition",
                {"symbol": CODE, "side": "buy", "quantity": 1, "trigger": "stop", "trigger_price": upper},
            )
        )
        assert watching["status"] == "active" and watching["trigger_price"] == upper
        listed = _body(await agent.call_tool("list_conditions", {"status": "active"}))["conditions"]
        assert watching["id"] in [c["id"] for c in listed]
        ended = _body(await agent.call_tool("cancel_condition", {"condition_id": watching["id"]}))
        assert ended["status"] == "cancelled"

        # The API's refusal reaches the agent as a tool error with the API's message.
        refused = _error(await agent.call_tool("place_order", {"symbol": CODE, "side": "buy", "quantity": 0}))
        assert "quantity" in refused


async def test_another_users_account_is_refused(platform_server, demo):
    other = Client(platform_server.url)
    name = f"mallory{uuid.uuid4().hex[:6]}"
    other.request("POST", "auth/register", json={"username": name, "password": "correct-horse-battery-9"})
    other.login(name, "correct-horse-battery-9")
    victim = other.create_account("mallory's", initial_cash=5_000_000)
    try:
        async with McpClient(build_server(demo)) as agent:
            refused = _error(
                await agent.call_tool(
                    "place_order",
                    {"symbol": CODE, "side": "buy", "quantity": 1, "account_id": victim["id"]},
                )
            )
            assert "404" in refused
            assert "404" in _error(await agent.call_tool("account_summary", {"account_id": victim["id"]}))
            assert "404" in _error(await agent.call_tool("list_orders", {"account_id": victim["id"]}))
            mine = _body(await agent.call_tool("list_accounts", {}))["accounts"]
            assert victim["id"] not in [a["id"] for a in mine]
        assert other.orders(account_id=victim["id"]) == []
        assert other.account(victim["id"])["reserved_cash"] == 0
    finally:
        other.close()
