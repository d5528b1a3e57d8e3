"""The money invariants every test of the engine checks after each step."""

from __future__ import annotations

from django.db.models import F, Sum

from market.rules import price_limit_band
from orders.enums import OPEN_STATUSES, CashEntryKind, OrderSide
from orders.models import Account, CashEntry, Order, Position, Trade


def assert_account_invariants(account_id: int) -> None:
    """cash = Σ ledger ≥ 0, reserved ≤ cash, reservations match open orders, positions ≥ 0,
    no fill outside its limit or the band, filled ≤ quantity, and

        cash + Σ position.cost_basis == funding + Σ position.realized_pnl

    where funding = the last reset's balance (0 if never reset) + deposits since, cost_basis is
    the price paid for the shares held, and realized_pnl is net of every commission and tax (that
    is: cash + cost basis = funding − commissions − taxes + the gross realised gain); and each
    position's realized_pnl is the Σ realized_pnl of its fills since the last reset.
    """
    account = Account.objects.get(pk=account_id)
    entries = list(CashEntry.objects.filter(account=account).select_related("trade").order_by("id"))
    assert account.cash == sum(e.amount for e in entries), "cash differs from the ledger"
    running = 0
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running, f"ledger balance_after broken at entry {entry.pk}"
    assert account.cash >= 0
    assert 0 <= account.reserved_cash <= account.cash

    open_orders = list(Order.objects.filter(account=account, status__in=OPEN_STATUSES))
    assert account.reserved_cash == sum(o.reserved_cash for o in open_orders), "reserved cash differs from open orders"
    assert not Order.objects.filter(account=account, reserved_cash__gt=0).exclude(status__in=OPEN_STATUSES).exists()
    assert not Order.objects.filter(account=account, filled_quantity__gt=F("quantity")).exists()

    positions = list(Position.objects.filter(account=account))
    for position in positions:
        assert position.quantity >= 0 and 0 <= position.reserved_quantity <= position.quantity
        held_by_sells = sum(
            o.quantity - o.filled_quantity
            for o in open_orders
            if o.side == OrderSide.SELL and o.symbol_id == position.symbol_id
        )
        # Every open sell holds its shares (a market sell rests too, in a call auction or a VI).
        assert position.reserved_quantity == held_by_sells, "reserved shares differ from open sells"
        assert position.cost_basis >= 0 and (position.quantity > 0 or position.cost_basis == 0)

    for order in Order.objects.filter(account=account).select_related("symbol"):
        filled = Trade.objects.filter(order=order).aggregate(q=Sum("quantity"))["q"] or 0
        assert filled == order.filled_quantity, f"order {order.pk}: trades {filled} != filled {order.filled_quantity}"
    for trade in Trade.objects.filter(account=account).select_related("order", "symbol"):
        lower, upper = price_limit_band(trade.symbol.prev_close)
        assert lower <= trade.price <= upper, f"fill at {trade.price} outside the band {lower}-{upper}"
        if trade.order.price is not None:
            if trade.side == OrderSide.BUY:
                assert trade.price <= trade.order.price, (
                    f"buy filled above its limit: trade {trade.pk} {trade.quantity} at {trade.price}, order "
                    f"{trade.order.pk} {trade.order.type} {trade.order.price} {trade.order.status} "
                    f"q{trade.order.quantity} f{trade.order.filled_quantity}"
                )
            else:
                assert trade.price >= trade.order.price, (
                    f"sell filled below its limit: trade {trade.pk} {trade.quantity} at {trade.price}, order "
                    f"{trade.order.pk} {trade.order.type} {trade.order.price} {trade.order.status}"
                )

    resets = [e for e in entries if e.kind == CashEntryKind.RESET]
    funding, since = 0, entries
    if resets:
        funding = resets[-1].balance_after
        since = [e for e in entries if e.pk > resets[-1].pk]
    funding += sum(e.amount for e in since if e.kind == CashEntryKind.DEPOSIT)
    # Each fill keeps the realised P&L it booked: the fills since the last reset add up, symbol by
    # symbol, to the positions' realized_pnl.
    booked: dict[int, int] = {}
    fills_since = Trade.objects.filter(pk__in={e.trade_id for e in since if e.trade_id is not None})
    for symbol_id, pnl in fills_since.values_list("symbol_id", "realized_pnl"):
        booked[symbol_id] = booked.get(symbol_id, 0) + pnl
    held = {p.symbol_id: p.realized_pnl for p in positions}
    assert set(booked) <= set(held) and {s: booked.get(s, 0) for s in held} == held, (
        f"the fills' realized_pnl {booked} != the positions' {held}"
    )
    basis = sum(p.cost_basis for p in positions)
    realized = sum(p.realized_pnl for p in positions)
    assert account.cash + basis == funding + realized, (
        f"cash {account.cash} + basis {basis} != funding {funding} + realized {realized}"
    )
