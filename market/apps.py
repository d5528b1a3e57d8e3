from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = "시장"

    def ready(self) -> None:
        from market.cache import on_symbol_changed
        from market.models import Symbol

        post_save.connect(on_symbol_changed, sender=Symbol, dispatch_uid="market.cache.symbol_saved")
        post_delete.connect(on_symbol_changed, sender=Symbol, dispatch_uid="market.cache.symbol_deleted")
