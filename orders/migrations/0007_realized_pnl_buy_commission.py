"""Realised P&L counts the buy commission (expensed when the buy fills): take the commissions of
the buys made since each account's last reset off its positions' realised P&L."""

from django.db import migrations
from django.db.models import Sum


def _shift(apps, sign: int) -> None:
    Position = apps.get_model("orders", "Position")
    Trade = apps.get_model("orders", "Trade")
    for position in Position.objects.select_related("account").iterator():
        trades = Trade.objects.filter(account_id=position.account_id, symbol_id=position.symbol_id, side="buy")
        if position.account.reset_at is not None:
            trades = trades.filter(time__gte=position.account.reset_at)
        paid = trades.aggregate(total=Sum("commission"))["total"] or 0
        if paid:
            Position.objects.filter(pk=position.pk).update(realized_pnl=position.realized_pnl - sign * paid)


def expense_buy_commissions(apps, schema_editor):
    _shift(apps, 1)


def restore(apps, schema_editor):
    _shift(apps, -1)


class Migration(migrations.Migration):
    dependencies = [("orders", "0006_venue")]
    operations = [migrations.RunPython(expense_buy_commissions, restore)]
