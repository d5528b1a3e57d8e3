"""Every write to market tables."""

from django.db import transaction

from market.models import Symbol


@transaction.atomic
def symbol_set_prev_close(*, code: str, prev_close: int) -> None:
    """Record a symbol's previous close (base price of the daily band, the feed's start)."""
    Symbol.objects.filter(code=code).update(prev_close=prev_close)
