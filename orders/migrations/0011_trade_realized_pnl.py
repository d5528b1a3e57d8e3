"""Each fill keeps the realised P&L it booked (`Trade.realized_pnl`, set by Ledger.apply_fill).

For the fills booked before, it is computed by replaying each account's fills per symbol in the
order the ledger booked them, with the ledger's average-cost rule:
    buy   cost basis += price × quantity; realised = −commission (expensed when it fills)
    sell  released = cost basis × q ÷ held, rounded down (all of it when the position closes);
          cost basis −= released; realised = price × q − released − commission − tax
and a reset (which deletes the positions) starting every symbol over. The ledger books an
account's fills under its row lock, so the order of the fills' ids is the order they were booked in;
a reset is placed among them by its ledger row, which shares one sequence with the fills' ledger
rows (by time, for a fill without a ledger row). A sale of more shares than the replay holds
(which the ledger refuses) releases the whole cost basis.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

BATCH = 1000


def replay_account(Trade, CashEntry, account_id: int) -> list:
    """The account's trades whose realised P&L the replay finds different from the stored one."""
    resets = list(
        CashEntry.objects.filter(account_id=account_id, kind="reset").order_by("id").values_list("id", "time")
    )
    first_entry = CashEntry.objects.filter(trade_id=OuterRef("pk")).order_by("id").values("id")[:1]
    trades = (
        Trade.objects.filter(account_id=account_id)
        .annotate(entry_id=Subquery(first_entry))
        .order_by("id")
        .only("id", "symbol_id", "side", "quantity", "price", "commission", "tax", "time", "realized_pnl")
    )
    held: dict[int, list[int]] = {}  # symbol → [quantity, cost basis]
    changed = []
    next_reset = 0
    for trade in trades.iterator(chunk_size=BATCH):
        while next_reset < len(resets):
            reset_id, reset_time = resets[next_reset]
            before = reset_id < trade.entry_id if trade.entry_id is not None else reset_time <= trade.time
            if not before:
                break
            held.clear()
            next_reset += 1
        position = held.setdefault(trade.symbol_id, [0, 0])
        amount = trade.price * trade.quantity
        if trade.side == "buy":
            position[0] += trade.quantity
            position[1] += amount
            realized = -trade.commission
        else:
            quantity, cost_basis = position
            released = cost_basis if trade.quantity >= quantity else cost_basis * trade.quantity // quantity
            position[0] = max(0, quantity - trade.quantity)
            position[1] = cost_basis - released
            realized = amount - released - trade.commission - trade.tax
        if realized != trade.realized_pnl:
            trade.realized_pnl = realized
            changed.append(trade)
    return changed


def book_realized_pnl(apps, schema_editor):
    Trade = apps.get_model("orders", "Trade")
    CashEntry = apps.get_model("orders", "CashEntry")
    accounts = Trade.objects.order_by("account_id").values_list("account_id", flat=True).distinct()
    for account_id in list(accounts):
        changed = replay_account(Trade, CashEntry, account_id)
        for start in range(0, len(changed), BATCH):
            Trade.objects.bulk_update(changed[start : start + BATCH], ["realized_pnl"])


class Migration(migrations.Migration):
    dependencies = [("orders", "0010_korean_choice_labels")]
    operations = [
        migrations.AddField(
            model_name="trade",
            name="realized_pnl",
            field=models.BigIntegerField(
                default=0,
                help_text=(
                    "이 체결로 확정된 실현손익(원, 비용 차감): 매도는 매도금액 − 평균단가로 덜어낸 매입금액"
                    " − 수수료 − 세금, 매수는 −수수료."
                ),
                verbose_name="실현손익",
            ),
        ),
        migrations.RunPython(book_realized_pnl, migrations.RunPython.noop),
    ]
