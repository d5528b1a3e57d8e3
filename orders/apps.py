from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # market never imports orders: the engine subscribes to the feed's signals here.
        from market import watched
        from market.signals import book_changed, trade_printed
        from orders.receivers import on_book_changed, on_tick_snapshot, on_trade_printed
        from orders.selectors import codes_held_or_ordered

        trade_printed.connect(on_trade_printed, dispatch_uid="orders.on_trade_printed")
        book_changed.connect(on_book_changed, dispatch_uid="orders.on_book_changed")
        # After the matcher (connected first), so a snapshot sees the fills of its own tick.
        trade_printed.connect(on_tick_snapshot, dispatch_uid="orders.on_tick_snapshot")
        # the live feed streams the codes with open orders or positions first
        watched.register("orders", codes_held_or_ordered)
