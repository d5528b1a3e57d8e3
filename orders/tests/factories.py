"""Test data: symbols, funded accounts and market state put into market.state.store()."""

from __future__ import annotations

import factory
from django.utils import timezone

from market.enums import Market
from market.models import Symbol
from market.rules import tick_down, tick_up
from market.signals import book_changed, trade_printed
from market.state import BookLevel, OrderBook, Quote, Trade, store
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


def publish_book(book: OrderBook, prev_close: int = 70_000) -> None:
    """What the feed does: store the book (and a quote), then signal it."""
    bid = book.bids[0].price if book.bids else None
    ask = book.asks[0].price if book.asks else None
    last = bid or ask or prev_close
    store().put(quote=quote_for(book.code, last, prev_close, bid, ask), book=book)
    book_changed.send(sender=None, book=book)


def publish_trade(code: str, price: int, quantity: int, side: str = "sell", prev_close: int = 70_000) -> None:
    quote = quote_for(code, price, prev_close)
    store().put(quote=quote)
    trade = Trade(code=code, price=price, quantity=quantity, side=side, time=timezone.now())
    trade_printed.send(sender=None, trade=trade, quote=quote)


def set_book(book: OrderBook, prev_close: int = 70_000) -> None:
    """Store a book without signalling (the state an order placement sees)."""
    bid = book.bids[0].price if book.bids else None
    ask = book.asks[0].price if book.asks else None
    store().put(quote=quote_for(book.code, bid or ask or prev_close, prev_close, bid, ask), book=book)


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
