from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # market never imports orders: the engine subscribes to the feed's signals here.
        from market.signals import book_changed, trade_printed
        from orders.receivers import on_book_changed, on_trade_printed

        trade_printed.connect(on_trade_printed, dispatch_uid="orders.on_trade_printed")
        book_changed.connect(on_book_changed, dispatch_uid="orders.on_book_changed")
