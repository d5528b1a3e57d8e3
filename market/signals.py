"""Signals the feed sends in the process that runs it (the feed runner, or the web process in the
embedded default). The order engine connects to them in its AppConfig.ready(), so market never
imports orders.

trade_printed(sender, trade: market.state.Trade, quote: market.state.Quote)
book_changed(sender, book: market.state.OrderBook)
order_events(sender, events: list[dict]) — what the exchange did with users' orders (accepted,
    rejected, traded, cancelled, modified; each names its `code` and `board`; see market.venue), in
    engine order; one delivery per batch of commands (and per step of the market)
index_closed(sender, day: datetime.date, values: list[market.indices.IndexValue]) — the simulated
    market finished `day`: KOSPI and KOSDAQ as they closed (historical stores them as the day's
    simulated index bars, the base of the next day's live index)
"""

from django.dispatch import Signal

trade_printed = Signal()
book_changed = Signal()
order_events = Signal()
index_closed = Signal()
