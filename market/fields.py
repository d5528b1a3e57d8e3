"""Model fields of market time: stamped by the market clock (market.clock), not the wall clock.

On the practice clock the market's now is a simulated moment (a trading day's 10:00 while the wall
says 03:00), so an order placed, a fill and a deposit carry the time the market shows beside them,
and "today" (T+2, DAY expiry, the daily snapshot) is the market's today.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from market.clock import market_now


class MarketTimeField(models.DateTimeField):
    """A DateTimeField whose auto_now / auto_now_add read the market clock."""

    def pre_save(self, model_instance: models.Model, add: bool) -> dt.datetime | None:
        if self.auto_now or (self.auto_now_add and add):
            value = market_now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
