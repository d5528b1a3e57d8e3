"""An MCP server that lets an AI agent use one user's paper account, built on the official SDK.

It is a client of the REST API with the user's token: the API decides who may see and do what,
so an agent reaches only its user's accounts (another user's is a 404, as in the web app) and is
held to the same throttles. Every papertrade account is a paper account; no tool reaches a
brokerage. The API's refusals come back as tool errors carrying its message, for the agent to read.

Not yet exposed: modifying an order and conditional orders, which the API does not offer yet.

Run: `papertrade mcp` (stdio, for desktop agents) or `papertrade mcp --transport streamable-http`.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from papertrade.client import Client, Json
from papertrade.errors import ApiError

INSTRUCTIONS = (
    "papertrade is a simulated (paper) trading platform for the Korean stock market (KRX: KOSPI, KOSDAQ). "
    "Symbols are 6-character KRX codes such as 005930 (삼성전자). Prices and money are integer won. "
    "Orders are simulated; place them only when the user asked to trade. Limit prices must sit on the KRX "
    "tick grid and inside the day's price band (see get_quote: upper_limit, lower_limit)."
)
MAX_CANDLES = 500


def _api(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except ApiError as exc:
        raise ToolError(f"papertrade API {exc.status} {exc.code}: {exc}") from exc


def build_server(client: Client) -> MCPServer:
    """The server's tools, all acting through `client` (one user's token)."""
    server = MCPServer("papertrade", instructions=INSTRUCTIONS, version="0.1.0")

    def account_id_or_default(account_id: int | None) -> int:
        return int(account_id) if account_id is not None else int(_api(client.default_account)["id"])

    @server.tool()
    def search_symbols(query: str, market: Literal["KOSPI", "KOSDAQ", "KONEX"] | None = None, limit: int = 20) -> Json:
        """Find KRX symbols by code prefix or by part of the Korean or English name (e.g. "삼성", "Hynix")."""
        found = _api(client.symbols, query, market=market, limit=max(1, min(limit, 100)))
        keep = ("code", "name", "name_en", "market", "sector", "is_tradable", "prev_close")
        symbols = [{k: s.get(k) for k in keep} | {"price": (s.get("quote") or {}).get("price")} for s in found]
        return {"symbols": symbols}

    @server.tool()
    def get_quote(code: str) -> Json:
        """The symbol's live quote: price, change, best bid/ask, volume, market phase and today's limits."""
        return _api(client.quote, code)

    @server.tool()
    def get_order_book(code: str) -> Json:
        """The order book: 10 ask levels (lowest first) and 10 bid levels (highest first), price and quantity."""
        return _api(client.order_book, code)

    @server.tool()
    def get_candles(
        code: str,
        timeframe: Literal["1d", "1w", "1M"] = "1d",
        start: str | None = None,
        end: str | None = None,
        limit: int = 120,
    ) -> Json:
        """Stored OHLCV bars, oldest first (dates YYYY-MM-DD); at most `limit` of the latest bars."""
        frame = _api(client.candles, code, timeframe=timeframe, start=start, end=end)
        frame = frame.tail(max(1, min(limit, MAX_CANDLES)))
        bars = [{"date": t.date().isoformat(), **row} for t, row in frame.to_dict("index").items()]
        for bar in bars:
            if bar.get("value") != bar.get("value"):  # NaN: the source gave no traded value
                bar["value"] = None
        return {"symbol": code, "timeframe": timeframe, "simulated": frame.attrs.get("simulated"), "candles": bars}

    @server.tool()
    def account_summary(account_id: int | None = None) -> Json:
        """Cash, reserved cash, buying power, market value, equity and P&L of a paper account (default: the
        first one), with its open positions."""
        account = _api(client.account, account_id_or_default(account_id))
        positions = _api(client.positions, account_id=account["id"])
        return {**account, "positions": [p for p in positions if p["quantity"]]}

    @server.tool()
    def list_accounts() -> Json:
        """The user's paper accounts with their equity and P&L."""
        return {"accounts": _api(client.accounts)}

    @server.tool()
    def list_positions(account_id: int | None = None) -> Json:
        """Open positions (all accounts unless `account_id`): quantity, average cost, market value, P&L."""
        return {"positions": [p for p in _api(client.positions, account_id=account_id) if p["quantity"]]}

    @server.tool()
    def list_orders(
        account_id: int | None = None,
        status: Literal["new", "partially_filled", "filled", "cancelled", "rejected", "expired"] | None = None,
        symbol: str | None = None,
        limit: int = 50,
    ) -> Json:
        """Orders, newest first, optionally of one account, status or symbol."""
        orders = _api(client.orders, account_id=account_id, status=status, symbol=symbol)
        return {"orders": orders[: max(1, min(limit, 500))]}

    @server.tool()
    def place_order(
        symbol: str,
        side: Literal["buy", "sell"],
        quantity: int,
        price: int | None = None,
        account_id: int | None = None,
        time_in_force: Literal["DAY", "IOC", "FOK"] = "DAY",
        client_order_id: str | None = None,
    ) -> Json:
        """Place a paper order: a limit order at `price` (won), or a market order without one.
        Pass a unique `client_order_id` so that a retry cannot place the order twice."""
        return _api(
            client.place_order,
            account_id_or_default(account_id),
            symbol,
            side,
            quantity,
            price=price,
            time_in_force=time_in_force,
            client_order_id=client_order_id,
        )

    @server.tool()
    def cancel_order(order_id: int, quantity: int | None = None) -> Json:
        """Cancel an open order (all its unfilled part, or `quantity` shares of it: a partial cancel
        keeps its time priority); answers the order as it now stands."""
        return _api(client.cancel_order, order_id, quantity=quantity)

    @server.tool()
    def modify_order(order_id: int, price: int | None = None, quantity: int | None = None) -> Json:
        """정정: give an open order a new limit `price` and/or a new open `quantity`. A new price or a
        larger quantity sends it to the back of the queue at its price; a smaller quantity keeps its place."""
        return _api(client.modify_order, order_id, price=price, quantity=quantity)

    @server.tool()
    def place_condition(
        symbol: str,
        side: Literal["buy", "sell"],
        quantity: int,
        trigger: Literal["stop", "take_profit", "trailing"],
        trigger_price: int | None = None,
        trail_amount: int | None = None,
        trail_percent: float | None = None,
        limit_price: int | None = None,
        account_id: int | None = None,
    ) -> Json:
        """A conditional order (자동감시주문) the platform watches on the last price: `stop` (a sell when
        the price falls to `trigger_price`, a buy when it rises to it), `take_profit` (the reverse), or
        `trailing` (`trail_amount` won or `trail_percent` % from the best price since). When it
        triggers it places a market order, or a limit order at `limit_price`."""
        return _api(
            client.place_condition,
            account_id_or_default(account_id),
            symbol,
            side,
            quantity,
            trigger=trigger,
            trigger_price=trigger_price,
            trail_amount=trail_amount,
            trail_percent=trail_percent,
            limit_price=limit_price,
        )

    @server.tool()
    def list_conditions(
        account_id: int | None = None,
        status: Literal["waiting", "active", "triggered", "cancelled", "failed"] | None = None,
    ) -> Json:
        """Conditional orders, newest first: their trigger, status and the order they placed."""
        return {"conditions": _api(client.conditions, account_id=account_id, status=status)}

    @server.tool()
    def cancel_condition(condition_id: int) -> Json:
        """Stop watching a waiting or active conditional order."""
        return _api(client.cancel_condition, condition_id)

    return server


def run(client: Client, *, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8765) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per API call drowns the server's own log
    server = build_server(client)
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
