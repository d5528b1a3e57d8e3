"""Test data: symbols, funded accounts and market state put into market.state.store()."""

from __future__ import annotations

import itertools

import factory
from django.utils import timezone

from market import venue
from market.enums import Market
from market.models import Symbol
from market.rules import tick_down, tick_up
from market.state import BookLevel, OrderBook, Quote
from orders.models import Account


class SymbolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Symbol
        django_get_or_create = ("code",)

    code = "005930"
    name = "삼성전자"
    market = Market.KOSPI
    prev_close = 70_000


def book_around(code: str, bid: int, ask: int, quantity: int = 100, levels: int = 10) -> OrderBook:
    """A book with `levels` levels a side starting at bid/ask, `quantity` shares each."""
    asks, bids = [], []
    price = ask
    for _ in range(levels):
        asks.append(BookLevel(price, quantity))
        price = tick_up(price)
    price = bid
    for _ in range(levels):
        bids.append(BookLevel(price, quantity))
        price = tick_down(price)
    return OrderBook(code=code, asks=tuple(asks), bids=tuple(bids), time=timezone.now())


def quote_for(code: str, price: int, prev_close: int, bid: int | None = None, ask: int | None = None) -> Quote:
    return Quote(
        code=code,
        price=price,
        open=prev_close,
        high=max(price, prev_close),
        low=min(price, prev_close),
        prev_close=prev_close,
        volume=0,
        value=0,
        best_bid=bid,
        best_ask=ask,
        time=timezone.now(),
    )


_other_orders = itertools.count(1)


def _other(code: str, side: str, price: int, quantity: int, tif: str = "day") -> None:
    """Another participant's limit order in the exchange (market.testing's venue)."""
    command = venue.Submit(
        ref=f"sim-factory-{next(_other_orders)}",
        code=code,
        board="regular",
        side=side,
        kind="limit",
        price=price,
        quantity=quantity,
        tif=tif,
        owner=0,
    )
    venue.send(command, timeout=5)


def set_book(book: OrderBook, prev_close: int = 70_000) -> None:
    """Rest other participants' orders in the exchange so that its book shows `book`'s levels
    (where they cross users' resting orders, they trade with them first, as in the market)."""
    for level in book.asks:
        _other(book.code, "sell", level.price, level.quantity)
    for level in book.bids:
        _other(book.code, "buy", level.price, level.quantity)


publish_book = set_book


def publish_trade(code: str, price: int, quantity: int, side: str = "sell", prev_close: int = 70_000) -> None:
    """Another participant's immediate-or-cancel order at `price` (a sell by default): it trades with
    what rests at or through that price, users' orders included, at their prices."""
    _other(code, side, price, quantity, tif="ioc")


def account_in_deep_market(owner: object, *, code: str = "005930", cash: int = 10_000_000) -> Account:
    """An account of `owner` holding `cash` won, and `code` listed (previous close 70,000 won) with
    a book of 1,000 shares a level from 69,900 / 70,000 won."""
    from orders import services

    SymbolFactory(code=code, prev_close=70_000)
    set_book(book_around(code, 69_900, 70_000, quantity=1_000))
    return services.account_create(owner=owner, name="pg", initial_cash=cash)


__all__ = [
    "SymbolFactory",
    "account_in_deep_market",
    "book_around",
    "publish_book",
    "publish_trade",
    "quote_for",
    "set_book",
]
