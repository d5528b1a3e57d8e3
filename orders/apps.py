from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "계좌와 주문"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # market never imports orders: the engine subscribes to the feed's signals here.
        from market import venue, watched
        from market.signals import book_changed, order_events, trade_printed
        from orders import conditions
        from orders.events import order_events_committed
        from orders.lifecycle import resting_commands
        from orders.placement import admit
        from orders.receivers import on_book_changed, on_order_events, on_tick_snapshot, on_trade_printed
        from orders.selectors import codes_held_or_ordered

        order_events.connect(on_order_events, dispatch_uid="orders.on_order_events")
        trade_printed.connect(on_trade_printed, dispatch_uid="orders.on_trade_printed")
        book_changed.connect(on_book_changed, dispatch_uid="orders.on_book_changed")
        trade_printed.connect(on_tick_snapshot, dispatch_uid="orders.on_tick_snapshot")
        # conditional orders watch the prints of the process that owns the books
        trade_printed.connect(conditions.on_trade_printed, dispatch_uid="orders.conditions")
        # and the fills of their brackets' entries, which need not come with a print they see
        order_events_committed.connect(conditions.on_order_events_committed, dispatch_uid="orders.conditions.fills")
        # new orders are recorded and their cash or shares held in the book owner's batch
        venue.register_admission(admit)
        # a restarted exchange re-enters the open orders, oldest first
        venue.register_resting_source(resting_commands)
        # the live feed streams the codes with open orders or positions first
        watched.register("orders", codes_held_or_ordered)
