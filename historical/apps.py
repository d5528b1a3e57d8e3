from django.apps import AppConfig


class HistoricalConfig(AppConfig):
    name = "historical"
    verbose_name = "과거 시세"

    def ready(self) -> None:
        # market never imports historical: the minute-bar builder subscribes to the feed's trades here,
        # the simulated market's daily index close is stored from here, and the live index reads its
        # previous close from here.
        from historical.intraday import on_trade_printed
        from historical.receivers import on_index_closed
        from historical.selectors import index_stored_closes
        from market import indices
        from market.signals import index_closed, trade_printed

        trade_printed.connect(on_trade_printed, dispatch_uid="historical.on_trade_printed")
        index_closed.connect(on_index_closed, dispatch_uid="historical.on_index_closed")
        indices.register_close_source(index_stored_closes)
