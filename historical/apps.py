from django.apps import AppConfig


class HistoricalConfig(AppConfig):
    name = "historical"
    verbose_name = "과거 시세"

    def ready(self) -> None:
        # market never imports historical: the minute-bar builder subscribes to the feed's trades here.
        from historical.intraday import on_trade_printed
        from market.signals import trade_printed

        trade_printed.connect(on_trade_printed, dispatch_uid="historical.on_trade_printed")
