"""The papertrade REST API from Python: one `Client` per user, over httpx.

Money and prices are integer won, as in the API. Lists come back whole (the client follows the
API's pages); candles and account history come back as pandas DataFrames. Streams are async
iterators (see `papertrade.streams`), reachable from the same client.

Not in the API yet, so not here: modifying an order (정정) and conditional orders (stop / take
profit). Until they land, cancel and place again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Literal, TypeAlias

import httpx
import pandas as pd

from papertrade import streams
from papertrade.errors import ApiError, AuthenticationError, InvalidRequest

DEFAULT_URL = "http://127.0.0.1:8000"
API = "/api/v1/"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Json: TypeAlias = dict[str, Any]
Side = Literal["buy", "sell"]
TimeInForce = Literal["DAY", "IOC", "FOK"]
When: TypeAlias = str | dt.date | dt.datetime


def _iso(value: When | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left unset (the API refuses empty values)."""
    return {k: v for k, v in values.items() if v is not None}


class Client:
    """A user's connection to one papertrade server.

    Authenticate with a token (`Client(url, token=...)`, the token the login answer and the web
    app's settings show) or with `client.login(username, password)`. `login(..., session=True)`
    keeps the Django session instead, and sends the CSRF token the API expects on every write.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session = False
        self._http = httpx.Client(base_url=self.base_url + API, timeout=timeout, transport=transport)

    # --- plumbing ---------------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _headers(self, method: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.token and not self._session:
            headers["Authorization"] = f"Token {self.token}"
        if self._session and method in UNSAFE_METHODS:
            csrf = self._http.cookies.get("csrftoken")
            if csrf:
                headers["X-CSRFToken"] = csrf
                # Django checks the Referer of HTTPS writes against the host.
                headers["Referer"] = self.base_url + "/"
        return headers

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        """One API call; `path` is below /api/v1/ (or an absolute `next` URL). Raises `ApiError`."""
        response = self._http.request(method, path, params=params, json=json, headers=self._headers(method))
        if response.is_error:
            raise ApiError.from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def _get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_params(**params))

    def _post(self, path: str, body: Json | None = None) -> Any:
        return self.request("POST", path, json=body if body is not None else {})

    def _pages(self, path: str, **params: Any) -> Iterator[Json]:
        """Every item of a paginated list, following `next`."""
        page: Json = self.request("GET", path, params=_params(page_size=500, **params))
        yield from page["results"]
        while page.get("next"):
            page = self.request("GET", page["next"])
            yield from page["results"]

    # --- auth -------------------------------------------------------------------------------------

    def login(self, username: str, password: str, *, session: bool = False) -> Json:
        """Log in; returns the user. Keeps the token (default) or the session cookie and CSRF token."""
        self._http.cookies.clear()
        self._session = False
        self.token = None
        if session:
            self.request("GET", "auth/csrf")
        answer: Json = self.request("POST", "auth/login", json={"username": username, "password": password})
        if session:
            self._session = True
            self.request("GET", "auth/me")  # the CSRF token rotates on login; fetch the new one
        else:
            self._http.cookies.clear()  # a session cookie beside the token would make writes need CSRF
        self.token = answer["token"]
        return answer["user"]

    def logout(self) -> None:
        if self._session:
            self._post("auth/logout")
        self._http.cookies.clear()
        self._session = False
        self.token = None

    def me(self) -> Json:
        return self._get("auth/me")

    # --- accounts ---------------------------------------------------------------------------------

    def accounts(self) -> list[Json]:
        return list(self._pages("accounts"))

    def account(self, account_id: int) -> Json:
        return self._get(f"accounts/{account_id}")

    def default_account(self) -> Json:
        """The user's first paper account (the one the web app opens on)."""
        accounts = self.accounts()
        if not accounts:
            raise InvalidRequest("You have no paper account yet; create one first.", status=400, code="no_account")
        return accounts[0]

    def create_account(self, name: str, *, initial_cash: int | None = None) -> Json:
        return self._post("accounts", _params(name=name, initial_cash=initial_cash))

    def reset_account(self, account_id: int, *, initial_cash: int | None = None) -> Json:
        return self._post(f"accounts/{account_id}/reset", _params(initial_cash=initial_cash))

    def deposit(self, account_id: int, amount: int) -> Json:
        return self._post(f"accounts/{account_id}/deposit", {"amount": amount})

    def history(self, account_id: int, *, period: str | None = None, timeframe: str | None = None) -> pd.DataFrame:
        """Equity, cash and P&L over time (oldest first), indexed by time.

        `period`: 1D, 1W, 1M (default), 3M, 6M, 1A or all; `timeframe`: 1Min, 5Min, 15Min, 1H (with
        period=1D only) or 1D. The frame's `attrs` hold `account`, `period`, `timeframe` and `base_value`.
        """
        body: Json = self._get(f"accounts/{account_id}/history", period=period, timeframe=timeframe)
        frame = pd.DataFrame(body["points"])
        if not frame.empty:
            frame["time"] = pd.to_datetime(frame["time"], format="ISO8601")
            frame = frame.set_index("time")
        frame.attrs.update({k: body.get(k) for k in ("account", "period", "timeframe", "base_value")})
        return frame

    def activities(
        self,
        account_id: int,
        *,
        types: Iterable[str] | None = None,
        after: When | None = None,
        until: When | None = None,
    ) -> Iterator[Json]:
        """Fills, deposits, resets, commissions, taxes and settlements, newest first (all pages).

        `types` is any of fill, deposit, reset, commission, tax, settlement; after < time ≤ until.
        """
        params = _params(
            type=",".join(types) if types is not None else None, after=_iso(after), until=_iso(until), page_size=500
        )
        page: Json = self.request("GET", f"accounts/{account_id}/activities", params=params)
        yield from page["results"]
        while page.get("next"):
            page = self.request("GET", page["next"])
            yield from page["results"]

    # --- orders, positions, fills ---------------------------------------------------------------

    def place_order(
        self,
        account_id: int,
        symbol: str,
        side: Side,
        quantity: int,
        *,
        price: int | None = None,
        type: Literal["market", "limit"] | None = None,  # noqa: A002 - the API's field name
        time_in_force: TimeInForce = "DAY",
        client_order_id: str | None = None,
    ) -> Json:
        """Place an order; a limit order when `price` is given, else a market order.

        With a `client_order_id` a retry is safe: the API answers the first order again.
        """
        body = _params(
            account=account_id,
            symbol=symbol,
            side=side,
            type=type or ("limit" if price is not None else "market"),
            time_in_force=time_in_force,
            quantity=quantity,
            price=price,
            client_order_id=client_order_id,
        )
        return self._post("orders", body)

    def buy(self, account_id: int, symbol: str, quantity: int, *, limit: int | None = None, **options: Any) -> Json:
        return self.place_order(account_id, symbol, "buy", quantity, price=limit, **options)

    def sell(self, account_id: int, symbol: str, quantity: int, *, limit: int | None = None, **options: Any) -> Json:
        return self.place_order(account_id, symbol, "sell", quantity, price=limit, **options)

    def cancel_order(self, order_id: int, *, quantity: int | None = None) -> Json:
        """Cancel an open order, or `quantity` of it (a partial cancel keeps its time priority)."""
        return self._post(f"orders/{order_id}/cancel", _params(quantity=quantity))

    def modify_order(self, order_id: int, *, price: int | None = None, quantity: int | None = None) -> Json:
        """정정: a new price and/or open quantity. A new price or a larger quantity loses the order's
        time priority; a smaller quantity keeps it."""
        return self._post(f"orders/{order_id}/modify", _params(price=price, quantity=quantity))

    # --- conditional orders (자동감시주문) -----------------------------------------------------------

    def place_condition(
        self,
        account_id: int,
        symbol: str,
        side: Side,
        quantity: int,
        *,
        trigger: Literal["stop", "take_profit", "trailing"],
        trigger_price: int | None = None,
        trail_amount: int | None = None,
        trail_percent: float | str | None = None,
        limit_price: int | None = None,
    ) -> Json:
        """Watch the last price and place an order when it crosses: `stop` (sell at or below /
        buy at or above `trigger_price`), `take_profit` (the reverse), `trailing` (`trail_amount`
        won or `trail_percent` % from the best price since). A market order, or a limit order at
        `limit_price`."""
        body = _params(
            account=account_id,
            symbol=symbol,
            side=side,
            quantity=quantity,
            trigger=trigger,
            trigger_price=trigger_price,
            trail_amount=trail_amount,
            trail_percent=None if trail_percent is None else float(trail_percent),
            order_type="limit" if limit_price is not None else "market",
            limit_price=limit_price,
        )
        return self._post("conditions", body)

    def place_bracket(
        self,
        account_id: int,
        symbol: str,
        quantity: int,
        *,
        take_profit: int,
        stop_loss: int,
        entry_price: int | None = None,
        entry_market: bool = False,
    ) -> Json:
        """Take-profit and stop-loss sells, one cancelling the other, on shares held; with
        `entry_price` (or `entry_market`) a buy is placed first and the legs wait for its fills."""
        entry = None
        if entry_market:
            entry = {"type": "market"}
        elif entry_price is not None:
            entry = {"type": "limit", "price": entry_price}
        body = _params(
            account=account_id,
            symbol=symbol,
            quantity=quantity,
            take_profit=take_profit,
            stop_loss=stop_loss,
            entry=entry,
        )
        return self._post("conditions/bracket", body)

    def conditions(
        self, *, account_id: int | None = None, status: str | None = None, symbol: str | None = None
    ) -> list[Json]:
        """Conditional orders, newest first; `status` one of waiting, active, triggered, cancelled, failed."""
        return list(self._pages("conditions", account=account_id, status=status, symbol=symbol))

    def cancel_condition(self, condition_id: int) -> Json:
        return self._post(f"conditions/{condition_id}/cancel")

    def order(self, order_id: int) -> Json:
        return self._get(f"orders/{order_id}")

    def orders(
        self, *, account_id: int | None = None, status: str | None = None, symbol: str | None = None
    ) -> list[Json]:
        """Orders, newest first; `status` one of new, partially_filled, filled, cancelled, rejected, expired."""
        return list(self._pages("orders", account=account_id, status=status, symbol=symbol))

    def positions(self, *, account_id: int | None = None) -> list[Json]:
        return list(self._pages("positions", account=account_id))

    def fills(
        self,
        *,
        account_id: int | None = None,
        symbol: str | None = None,
        after: When | None = None,
        until: When | None = None,
    ) -> list[Json]:
        """Executions (the API's `trades`), with commission, tax, the realised P&L each booked and
        the symbol's name; after < time ≤ until."""
        return list(self._pages("trades", account=account_id, symbol=symbol, after=_iso(after), until=_iso(until)))

    def order_costs(self) -> Json:
        return self._get("orders/costs")

    # --- market data ------------------------------------------------------------------------------

    def market_status(self) -> Json:
        return self._get("market/status")

    def symbols(self, search: str | None = None, *, market: str | None = None, limit: int | None = None) -> list[Json]:
        """Active symbols whose code starts with, or whose Korean or English name contains, `search`."""
        found: list[Json] = []
        for symbol in self._pages("market/symbols", search=search or None, market=market):
            found.append(symbol)
            if limit is not None and len(found) >= limit:
                break
        return found

    def symbol(self, code: str) -> Json:
        return self._get(f"market/symbols/{code}")

    def quote(self, code: str) -> Json:
        return self._get(f"market/quotes/{code}")

    def quotes(self, codes: Iterable[str]) -> list[Json]:
        return self._get("market/quotes", codes=",".join(codes))

    def order_book(self, code: str) -> Json:
        """10 asks (best, i.e. lowest, first) and 10 bids (best first)."""
        return self._get(f"market/orderbook/{code}")

    def candles(
        self, symbol: str, *, timeframe: str = "1d", start: When | None = None, end: When | None = None
    ) -> pd.DataFrame:
        """Stored bars (1d, 1w or 1M) as a DataFrame indexed by date, oldest first.

        Columns open, high, low, close, volume, value; `attrs` holds `symbol`, `timeframe` and
        `simulated` (true when any bar is synthetic).
        """
        body: Json = self._get(
            "historical/candles", symbol=symbol, timeframe=timeframe, start=_iso(start), end=_iso(end)
        )
        columns = ["time", "open", "high", "low", "close", "volume", "value"]
        frame = pd.DataFrame(body["candles"], columns=columns)
        frame["time"] = pd.to_datetime(frame["time"])
        frame = frame.set_index("time")
        frame.index.name = "date"
        frame.attrs.update({k: body.get(k) for k in ("symbol", "timeframe", "simulated")})
        return frame

    # --- strategies -----------------------------------------------------------------------------

    def strategies(self) -> list[Json]:
        return list(self._pages("strategies"))

    def strategy(self, strategy_id: int) -> Json:
        return self._get(f"strategies/{strategy_id}")

    def create_strategy(self, **spec: Any) -> Json:
        """POST strategies: name, algorithm, symbols, train/test periods, ... (see docs/api.md)."""
        return self._post("strategies", spec)

    def train(self, strategy_id: int) -> Json:
        return self._post(f"strategies/{strategy_id}/train")

    def backtest(self, strategy_id: int) -> Json:
        return self._post(f"strategies/{strategy_id}/backtest")

    def strategy_run(self, run_id: int) -> Json:
        return self._get(f"strategies/runs/{run_id}")

    def deploy(self, strategy_id: int, account_id: int, *, interval_seconds: int | None = None) -> Json:
        return self._post(
            f"strategies/{strategy_id}/deploy", _params(account=account_id, interval_seconds=interval_seconds)
        )

    def undeploy(self, strategy_id: int) -> Json:
        return self._post(f"strategies/{strategy_id}/undeploy")

    # --- streams --------------------------------------------------------------------------------

    def _stream_auth(self) -> dict[str, str]:
        if self.token and not self._session:
            return {"Authorization": f"Token {self.token}"}
        session = self._http.cookies.get("sessionid")
        if not session:
            raise AuthenticationError("Log in first: streams need a token or a session.", status=401)
        return {"Cookie": f"sessionid={session}"}

    def stream_quotes(self, codes: Iterable[str], *, reconnect: bool = True) -> AsyncIterator[Json]:
        """Quotes, trades and book changes of `codes` from /ws/quotes; see `streams.stream_quotes`."""
        return streams.stream_quotes(self.base_url, self._stream_auth(), list(codes), reconnect=reconnect)

    def stream_orders(self, *, reconnect: bool = True) -> AsyncIterator[Json]:
        """This user's order updates and fills from /ws/orders; see `streams.stream_orders`."""
        return streams.stream_orders(self.base_url, self._stream_auth(), reconnect=reconnect)


__all__ = ["Client", "DEFAULT_URL", "ApiError"]
