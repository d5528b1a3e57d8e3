"""Signals the feed sends in the process that runs it (the feed runner, or the web process in the
embedded default). The order engine connects to them in its AppConfig.ready(), so market never
imports orders.

trade_printed(sender, trade: market.state.Trade, quote: market.state.Quote)
book_changed(sender, book: market.state.OrderBook)
"""

from django.dispatch import Signal

trade_printed = Signal()
book_changed = Signal()
