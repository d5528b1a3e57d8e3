"""An exchange for tests: the real venue and matching engines, without the synthetic participants.

`Exchange` serves a `SyntheticMarket(participants=False)` as this process's venue on the market
clock (the tests' practice clock stands in continuous trading), lists symbols from the symbol
master as orders reach them, and lets a test build the book it needs with other participants'
orders (`add_liquidity`, `trade`). Every book and print goes into `market.state` as the feed's
would, so what reads the market sees the engine's book.
"""

from __future__ import annotations

import itertools
from typing import Any

from market import signals, venue
from market.feeds.simulated import SymbolSpec, SyntheticMarket
from market.state import store


class _ListingMarket(SyntheticMarket):
    """The synthetic market, listing a symbol from the symbol master the first time it is named."""

    def execute(self, command: Any, now: Any) -> tuple[list[Any], int | None, str]:
        self.listed(command.code)
        return super().execute(command, now)

    def listed(self, code: str) -> None:
        if code in self.symbols:
            return
        from market.models import Symbol

        symbol = Symbol.objects.filter(code=code).first()
        if symbol is None or not symbol.prev_close:
            return
        spec = SymbolSpec(
            code=code,
            market=symbol.market,
            prev_close=symbol.prev_close,
            daily_value=symbol.typical_daily_value,
            kospi200=symbol.is_kospi200,
        )
        self.add_symbol(spec)


class Exchange:
    def __init__(self) -> None:
        self.market = _ListingMarket([], participants=False)
        self.venue = venue.LocalVenue(self.market, on_updates=self._publish)
        self._ids = itertools.count(1)

    def __enter__(self) -> Exchange:
        venue.serve(self.venue)
        return self

    def __exit__(self, *exc: object) -> None:
        if venue.local() is self.venue:
            venue.serve(None)

    def engine(self, code: str, board: str = "regular") -> Any:
        with self.venue.lock:
            self.market.listed(code)
            self.market.advance_to(self.venue.now())
            return self.market._engine(self.market.symbols[code], board)

    def add_liquidity(self, code: str, side: str, price: int, quantity: int, board: str = "regular") -> str:
        """Rest another participant's limit order (or trade it against what it crosses)."""
        ref = f"sim-test-{next(self._ids)}"
        self._other(code, board, side=side, price=price, quantity=quantity, ref=ref, tif="day")
        return ref

    def trade(self, code: str, price: int, quantity: int, side: str = "sell", board: str = "regular") -> None:
        """Another participant's immediate-or-cancel order at `price`: it takes what rests there."""
        self._other(
            code, board, side=side, price=price, quantity=quantity, ref=f"sim-test-{next(self._ids)}", tif="ioc"
        )

    def cancel(self, code: str, ref: str, board: str = "regular") -> None:
        self.venue.send(venue.Cancel(ref=ref, code=code, board=board), timeout=5)

    def _other(self, code: str, board: str, **order: Any) -> None:
        command = venue.Submit(
            ref=order["ref"],
            code=code,
            board=board,
            side=order["side"],
            kind="limit",
            price=order["price"],
            quantity=order["quantity"],
            tif=order["tif"],
            owner=0,
        )
        self.venue.send(command, timeout=5)

    def book(self, code: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(asks, bids) as (price, quantity), best first."""
        return self.engine(code).depth(10)

    @staticmethod
    def _publish(updates: list[Any]) -> None:
        """What the feed's Publisher does with the market's changes: state, then signals."""
        for update in updates:
            store().put(quote=update.quote, book=update.book)
            for trade in update.trades:
                signals.trade_printed.send(sender=Exchange, trade=trade, quote=update.quote)
            if update.book is not None:
                signals.book_changed.send(sender=Exchange, book=update.book)
