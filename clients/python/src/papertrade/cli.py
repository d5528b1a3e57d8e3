"""`papertrade`: the paper account from a terminal.

    papertrade login                       # asks for the server, username and password; keeps a token
    papertrade quote 005930 000660
    papertrade buy 005930 10 --limit 71000 # a limit buy (market without --limit)
    papertrade sell 005930 10
    papertrade orders --status new
    papertrade cancel 42                   # or --quantity 5: a partial cancel (keeps priority)
    papertrade modify 42 --price 70500     # 정정 (price and/or --quantity)
    papertrade stop 005930 10 68000        # a sell stop (--buy, --limit, --trail 1000, --trail-percent 3)
    papertrade bracket 005930 10 --take-profit 75000 --stop-loss 68000 [--entry 70000]
    papertrade conditions --status active  # conditional orders; cancel-condition 7
    papertrade positions
    papertrade watch 005930 000660         # a live table until Ctrl-C
    papertrade history --period 1W
    papertrade mcp                         # the MCP server for AI agents, on stdio

`--json` (before the command) prints the API's answer as JSON instead of a table. Orders go to the
first paper account unless `--account` (or PAPERTRADE_ACCOUNT) names another.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from papertrade import credentials
from papertrade.client import Client
from papertrade.errors import ApiError, PapertradeError

console = Console()
err_console = Console(stderr=True)


def _won(value: Any) -> str:
    if value is None or value == "":
        return "-"
    try:
        return f"{float(value):,.0f}"
    except (TypeError, ValueError):
        return str(value)


def _signed(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    number = float(value)
    colour = "red" if number > 0 else "blue" if number < 0 else "default"  # KRX colours: up red, down blue
    text = f"{number:+,.2f}{suffix}" if suffix else f"{number:+,.0f}"
    return f"[{colour}]{text}[/{colour}]"


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    # Borderless, one space between columns (the box draws it). On a narrow terminal (80 columns) only the second
    # column, a name, gives way (with an ellipsis); every other is as wide as what it shows.
    cells = [[str(cell) for cell in row] for row in rows]
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=0, show_edge=False)
    for i, column in enumerate(columns):
        widest = max([cell_len(Text.from_markup(row[i]).plain) for row in cells] + [cell_len(column)])
        table.add_column(
            column,
            justify="left" if i <= 1 else "right",
            no_wrap=True,
            overflow="ellipsis",
            min_width=None if i == 1 else widest,
        )
    for row in cells:
        table.add_row(*row)
    return table


def _account_id(client: Client, args: argparse.Namespace) -> int:
    chosen = args.account or os.environ.get("PAPERTRADE_ACCOUNT")
    return int(chosen) if chosen else int(client.default_account()["id"])


# --- commands -------------------------------------------------------------------------------------------


def cmd_login(args: argparse.Namespace) -> Any:
    stored = credentials.load()
    url = args.url or stored.url
    username = args.username or input("Username: ")
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    with Client(url) as client:
        user = client.login(username, password)
        path = credentials.save(credentials.Credentials(url=url, token=client.token, username=user["username"]))
    err_console.print(f"Logged in to {url} as {user['username']} (token kept in {path}).")
    return user


def cmd_logout(args: argparse.Namespace) -> Any:
    credentials.forget()
    err_console.print("Logged out (the stored token was removed).")
    return None


def cmd_accounts(client: Client, args: argparse.Namespace) -> Any:
    accounts = client.accounts()
    columns = ["id", "name", "equity", "cash", "available", "P&L", "return %"]
    rows = [
        [
            a["id"],
            a["name"],
            _won(a["equity"]),
            _won(a["cash"]),
            _won(a["available_cash"]),
            _signed(a["total_pnl"]),
            _signed(a["return_rate"], "%"),
        ]
        for a in accounts
    ]
    return accounts, _table("Paper accounts", columns, rows)


def cmd_quote(client: Client, args: argparse.Namespace) -> Any:
    quotes = [client.quote(code) for code in args.codes]
    return quotes, _quote_table(quotes)


def _quote_table(quotes: Sequence[dict[str, Any]]) -> Table:
    columns = ["code", "name", "price", "chg", "chg %", "bid", "ask", "volume"]
    rows = [
        [
            q["code"],
            q.get("name") or "",
            _won(q.get("price")),
            _signed(q.get("change")),
            _signed(q.get("change_rate"), "%"),
            _won(q.get("best_bid")),
            _won(q.get("best_ask")),
            _won(q.get("volume")),
        ]
        for q in quotes
    ]
    if any(q.get("expected_price") for q in quotes):  # a call auction (동시호가): its 예상체결가
        columns.append("expected")
        for row, q in zip(rows, quotes, strict=True):
            row.append(_won(q.get("expected_price")))
    return _table("Quotes", columns, rows)


def cmd_book(client: Client, args: argparse.Namespace) -> Any:
    book = client.order_book(args.code)
    rows = [[_won(level["quantity"]), _won(level["price"]), ""] for level in reversed(book["asks"])]
    rows += [["", _won(level["price"]), _won(level["quantity"])] for level in book["bids"]]
    return book, _table(f"Order book {args.code}", ["ask qty", "price", "bid qty"], rows)


def _when(stamp: Any) -> str:
    """An API time (ISO 8601, market time) as month-day and time: the year is not worth its width."""
    text = str(stamp or "")
    return text[5:19].replace("T", " ") if len(text) >= 19 else text


def _order_table(title: str, orders: Sequence[dict[str, Any]]) -> Table:
    columns = ["id", "symbol", "side", "type", "price", "filled/qty", "avg", "status", "created"]
    rows = [
        [
            o["id"],
            f"{o['symbol']} {o.get('symbol_name') or ''}".strip(),
            o["side"],
            o["type"],
            _won(o.get("price")),
            f"{o['filled_quantity']:,}/{o['quantity']:,}",
            _won(o.get("avg_fill_price")),
            o["status"],
            _when(o.get("created_at")),
        ]
        for o in orders
    ]
    table = _table(title, columns, rows)
    # Why an order ended (the exchange's refusal, an IOC's unfilled rest) goes under the table, where
    # it may wrap, rather than widen the status column past the terminal.
    reasons = [f"#{o['id']} {o['status']}: {o['reject_reason']}" for o in orders if o.get("reject_reason")]
    if reasons:
        table.caption, table.caption_justify = "\n".join(reasons), "left"
    return table


def _refused(order: dict[str, Any]) -> bool:
    """The exchange refused the order, or it ended with nothing filled (an IOC/FOK with nothing to take)."""
    ended = order["status"] in ("cancelled", "expired") and not order["filled_quantity"]
    return order["status"] == "rejected" or ended


PLACED_TITLES = {"rejected": "Order rejected", "filled": "Order filled", "partially_filled": "Order partly filled"}


def _place(side: str) -> Callable[[Client, argparse.Namespace], Any]:
    def place(client: Client, args: argparse.Namespace) -> Any:
        order = client.place_order(
            _account_id(client, args),
            args.code,
            side,  # type: ignore[arg-type]
            args.quantity,
            price=args.limit,
            time_in_force=args.tif,
            client_order_id=args.client_order_id,
        )
        refused = _refused(order)
        title = PLACED_TITLES.get(order["status"], "Order ended unfilled" if refused else "Order placed")
        return order, _order_table(title, [order]), 1 if refused else 0  # a refused order fails the command

    return place


def cmd_cancel(client: Client, args: argparse.Namespace) -> Any:
    order = client.cancel_order(args.order_id, quantity=args.quantity)
    return order, _order_table("Order cancelled" if args.quantity is None else "Order reduced", [order])


def cmd_modify(client: Client, args: argparse.Namespace) -> Any:
    order = client.modify_order(args.order_id, price=args.price, quantity=args.quantity)
    return order, _order_table("Order modified", [order])


def _condition_table(title: str, conditions: Sequence[dict[str, Any]]) -> Table:
    columns = ["id", "symbol", "side", "qty", "trigger", "at", "order", "status"]
    rows = [
        [
            c["id"],
            f"{c['symbol']} {c.get('symbol_name') or ''}".strip(),
            c["side"],
            c["quantity"],
            c["trigger"],
            _won(c.get("trigger_price"))
            if c["trigger"] != "trailing"
            else f"-{_won(c['trail_amount'])}"
            if c.get("trail_amount")
            else f"-{c['trail_percent']}%",
            f"{c['order_type']} {_won(c.get('limit_price'))}".strip() if c["order_type"] == "limit" else "market",
            c["status"] + (f" ({c['message']})" if c.get("message") else ""),
        ]
        for c in conditions
    ]
    return _table(title, columns, rows)


def cmd_stop(client: Client, args: argparse.Namespace) -> Any:
    trailing = args.trail is not None or args.trail_percent is not None
    condition = client.place_condition(
        _account_id(client, args),
        args.code,
        "buy" if args.buy else "sell",
        args.quantity,
        trigger="trailing" if trailing else "stop",
        trigger_price=None if trailing else args.price,
        trail_amount=args.trail,
        trail_percent=args.trail_percent,
        limit_price=args.limit,
    )
    return condition, _condition_table("Condition watching", [condition])


def cmd_bracket(client: Client, args: argparse.Namespace) -> Any:
    answer = client.place_bracket(
        _account_id(client, args),
        args.code,
        args.quantity,
        take_profit=args.take_profit,
        stop_loss=args.stop_loss,
        entry_price=args.entry,
    )
    return answer, _condition_table("Bracket (one cancels the other)", answer["conditions"])


def cmd_conditions(client: Client, args: argparse.Namespace) -> Any:
    conditions = client.conditions(account_id=args.account, status=args.status, symbol=args.symbol)
    return conditions, _condition_table("Conditional orders", conditions)


def cmd_cancel_condition(client: Client, args: argparse.Namespace) -> Any:
    condition = client.cancel_condition(args.condition_id)
    return condition, _condition_table("Condition cancelled", [condition])


def cmd_orders(client: Client, args: argparse.Namespace) -> Any:
    orders = client.orders(account_id=args.account, status=args.status, symbol=args.symbol)
    return orders, _order_table("Orders", orders)


def cmd_positions(client: Client, args: argparse.Namespace) -> Any:
    positions = [p for p in client.positions(account_id=args.account) if p["quantity"] or args.all]
    columns = ["account", "symbol", "qty", "avg cost", "last", "value", "unrealised", "%"]
    rows = [
        [
            p["account"],
            f"{p['symbol']} {p.get('symbol_name') or ''}".strip(),
            p["quantity"],
            _won(p["avg_cost"]),
            _won(p.get("last_price")),
            _won(p["market_value"]),
            _signed(p["unrealized_pnl"]),
            _signed(p["unrealized_pnl_rate"], "%"),
        ]
        for p in positions
    ]
    return positions, _table("Positions", columns, rows)


def cmd_history(client: Client, args: argparse.Namespace) -> Any:
    frame = client.history(_account_id(client, args), period=args.period, timeframe=args.timeframe)
    points = [{"time": t.isoformat(), **row} for t, row in frame.to_dict("index").items()]
    daily = frame.attrs.get("timeframe") == "1D"
    columns = ["date" if daily else "time", "equity", "cash", "market value", "P&L", "return %", "period P&L"]
    rows = [
        [
            p["time"][:10] if daily else p["time"][:16].replace("T", " "),
            _won(p["equity"]),
            _won(p["cash"]),
            _won(p["market_value"]),
            _signed(p["profit_loss"]),
            _signed(p["return_rate"], "%"),
            _signed(p["period_profit_loss"]),
        ]
        for p in points
    ]
    return {**frame.attrs, "points": points}, _table(f"Account history ({frame.attrs.get('period')})", columns, rows)


def cmd_candles(client: Client, args: argparse.Namespace) -> Any:
    frame = client.candles(args.code, timeframe=args.timeframe, start=args.start, end=args.end)
    bars = [{"date": t.date().isoformat(), **row} for t, row in frame.to_dict("index").items()]
    columns = ["date", "open", "high", "low", "close", "volume"]
    rows = [
        [b["date"], _won(b["open"]), _won(b["high"]), _won(b["low"]), _won(b["close"]), _won(b["volume"])]
        for b in bars[-args.last :]
    ]
    return bars, _table(f"Candles {args.code} ({args.timeframe})", columns, rows)


def cmd_watch(client: Client, args: argparse.Namespace) -> Any:
    quotes: dict[str, dict[str, Any]] = {}
    for quote in client.quotes(args.codes):
        quotes[quote["code"]] = quote

    def render(status: str) -> Table:
        table = _quote_table([quotes[c] for c in args.codes if c in quotes])
        table.caption = status
        return table

    async def follow() -> None:
        deadline = time.monotonic() + args.seconds if args.seconds else None
        status, connections = "connecting...", 0
        with Live(render(status), console=console, refresh_per_second=8, transient=False) as live:
            stream = client.stream_quotes(args.codes)
            while True:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                try:
                    message = await asyncio.wait_for(anext(stream), remaining)
                except TimeoutError:
                    break
                kind = message.get("type")
                if kind in ("quote", "trade") and message.get("quote"):
                    quotes[message["quote"]["code"]] = message["quote"]
                elif kind == "hello":
                    connections += 1
                    status = "reconnected, subscribing..." if connections > 1 else "subscribing..."
                elif kind == "subscribed":
                    status = "live (Ctrl-C to stop)"
                elif kind == "market.status":
                    status = f"live, market {message.get('phase')} (Ctrl-C to stop)"
                live.update(render(status))
            await stream.aclose()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(follow())
    return None


def cmd_mcp(args: argparse.Namespace) -> Any:
    from papertrade.mcp_server import run

    run(credentials.logged_in_client(), transport=args.transport, host=args.host, port=args.port)
    return None


# --- parser ---------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papertrade", description="papertrade paper trading from the terminal.")
    parser.add_argument("--json", action="store_true", help="print the API's answer as JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    login = commands.add_parser("login", help="log in and keep a token")
    login.add_argument("--url", help="server, e.g. http://127.0.0.1:8000 (default: the stored one)")
    login.add_argument("--username")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.set_defaults(run=cmd_login, needs_client=False)
    commands.add_parser("logout", help="forget the stored token").set_defaults(run=cmd_logout, needs_client=False)

    commands.add_parser("accounts", help="paper accounts").set_defaults(run=cmd_accounts)
    quote = commands.add_parser("quote", help="current quotes")
    quote.add_argument("codes", nargs="+", metavar="CODE")
    quote.set_defaults(run=cmd_quote)
    book = commands.add_parser("book", help="the order book (10 levels a side)")
    book.add_argument("code")
    book.set_defaults(run=cmd_book)

    for side in ("buy", "sell"):
        place = commands.add_parser(side, help=f"{side} (limit with --limit, else market)")
        place.add_argument("code")
        place.add_argument("quantity", type=int)
        place.add_argument("--limit", type=int, help="limit price in won")
        place.add_argument("--tif", choices=["DAY", "IOC", "FOK"], default="DAY")
        place.add_argument("--account", type=int)
        place.add_argument("--client-order-id", help="makes a retry safe: the same id gives the same order")
        place.set_defaults(run=_place(side))
    cancel = commands.add_parser("cancel", help="cancel an order (or part of it)")
    cancel.add_argument("order_id", type=int)
    cancel.add_argument("--quantity", type=int, help="cancel only this many shares (keeps time priority)")
    cancel.set_defaults(run=cmd_cancel)
    modify = commands.add_parser("modify", help="정정: a new price and/or quantity for an open order")
    modify.add_argument("order_id", type=int)
    modify.add_argument("--price", type=int)
    modify.add_argument("--quantity", type=int, help="the new open quantity")
    modify.set_defaults(run=cmd_modify)

    stop = commands.add_parser("stop", help="a stop or trailing stop (sell unless --buy)")
    stop.add_argument("code")
    stop.add_argument("quantity", type=int)
    stop.add_argument("price", type=int, nargs="?", help="the stop price (not with --trail)")
    stop.add_argument("--buy", action="store_true")
    stop.add_argument("--limit", type=int, help="place a limit order at this price (else market)")
    stop.add_argument("--trail", type=int, help="trailing stop: won from the best price since")
    stop.add_argument("--trail-percent", help="trailing stop: percent from the best price since")
    stop.add_argument("--account", type=int)
    stop.set_defaults(run=cmd_stop)
    bracket = commands.add_parser("bracket", help="take-profit + stop-loss sells, one cancels the other")
    bracket.add_argument("code")
    bracket.add_argument("quantity", type=int)
    bracket.add_argument("--take-profit", type=int, required=True)
    bracket.add_argument("--stop-loss", type=int, required=True)
    bracket.add_argument("--entry", type=int, help="buy first at this limit; the legs wait for its fills")
    bracket.add_argument("--account", type=int)
    bracket.set_defaults(run=cmd_bracket)
    conditions = commands.add_parser("conditions", help="conditional orders, newest first")
    conditions.add_argument("--account", type=int)
    conditions.add_argument("--status", choices=["waiting", "active", "triggered", "cancelled", "failed"])
    conditions.add_argument("--symbol")
    conditions.set_defaults(run=cmd_conditions)
    cancel_condition = commands.add_parser("cancel-condition", help="stop watching a conditional order")
    cancel_condition.add_argument("condition_id", type=int)
    cancel_condition.set_defaults(run=cmd_cancel_condition)

    orders = commands.add_parser("orders", help="orders, newest first")
    orders.add_argument("--account", type=int)
    orders.add_argument("--status", choices=["new", "partially_filled", "filled", "cancelled", "rejected", "expired"])
    orders.add_argument("--symbol")
    orders.set_defaults(run=cmd_orders)
    positions = commands.add_parser("positions", help="holdings")
    positions.add_argument("--account", type=int)
    positions.add_argument("--all", action="store_true", help="also closed positions (quantity 0)")
    positions.set_defaults(run=cmd_positions)

    history = commands.add_parser("history", help="equity and P&L over time")
    history.add_argument("--account", type=int)
    history.add_argument("--period", choices=["1D", "1W", "1M", "3M", "6M", "1A", "all"])
    history.add_argument("--timeframe", choices=["1Min", "5Min", "15Min", "1H", "1D"])
    history.set_defaults(run=cmd_history)
    candles = commands.add_parser("candles", help="stored daily, weekly or monthly bars")
    candles.add_argument("code")
    candles.add_argument("--timeframe", choices=["1d", "1w", "1M"], default="1d")
    candles.add_argument("--start")
    candles.add_argument("--end")
    candles.add_argument("--last", type=int, default=20, help="rows shown in the table (default 20)")
    candles.set_defaults(run=cmd_candles)

    watch = commands.add_parser("watch", help="a live quote table")
    watch.add_argument("codes", nargs="+", metavar="CODE")
    watch.add_argument("--seconds", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    watch.set_defaults(run=cmd_watch)

    mcp = commands.add_parser("mcp", help="serve the MCP tools for AI agents on the stored login")
    mcp.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=8765)
    mcp.set_defaults(run=cmd_mcp, needs_client=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "needs_client", True):
            with credentials.logged_in_client() as client:
                result = args.run(client, args)
        else:
            result = args.run(args)
    except ApiError as exc:
        err_console.print(f"[red]Error {exc.status}:[/red] {exc}", highlight=False)
        return 1
    except PapertradeError as exc:
        err_console.print(f"[red]Error:[/red] {exc}", highlight=False)
        return 1
    except httpx.TransportError as exc:
        where = exc.request.url if exc.request else credentials.load().url
        err_console.print(f"[red]Cannot reach the server[/red] ({where}): {exc}", highlight=False)
        return 1
    if isinstance(result, tuple):
        body, table, *status = result  # (answer, table[, exit status])
        if args.json:
            print(json.dumps(body, ensure_ascii=False, default=str))  # noqa: T201 - the command's output
        else:
            console.print(table)
        return status[0] if status else 0
    if result is not None and args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))  # noqa: T201
    return 0
