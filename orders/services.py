"""Every write of the order engine, by the names the rest of the platform calls: accounts here;
orders in `placement` (order_place) and `lifecycle` (cancel, 정정, booking what the exchange did,
expiry); the ledger they share in `ledger`, and what they say in `messages`. Events go out after
commit (orders.events.EventBatch).
"""

from __future__ import annotations

import logging

from django.db import transaction

from config.exceptions import DomainError
from market import venue
from market.clock import market_now
from orders.enums import (
    LIVE_CONDITION_STATUSES,
    OPEN_STATUSES,
    CashEntryKind,
    ConditionStatus,
    OrderStatus,
)
from orders.events import EventBatch
from orders.ledger import (
    ledger_entry,
    lock_account,
    reference_price,  # noqa: F401
    reservation_for,  # noqa: F401
)

# The order services, by the names callers use (each lives in its module).
from orders.lifecycle import (  # noqa: F401
    book_order_events,
    order_cancel,
    order_expire_at_close,
    order_expire_day_orders,
    order_modify,
    order_queue_ahead,
    orders_queue_ahead,
    resting_commands,
)
from orders.messages import (
    AMOUNT_NOT_POSITIVE,
    AMOUNT_TOO_LARGE,
    CANCELLED_BY_RESET,
    DEPOSIT_NOTE,
    MAX_CASH,
    NAME_REQUIRED,
    OPENING_BALANCE_NOTE,
    RESET_NOTE,
)
from orders.models import Account, CashEntry, Condition, Order, Position
from orders.placement import order_place  # noqa: F401

logger = logging.getLogger(__name__)


def _whole_won(amount: object, *, allow_zero: bool = False, field: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError(AMOUNT_NOT_POSITIVE, field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(AMOUNT_NOT_POSITIVE, field=field)
    if amount > MAX_CASH:
        raise DomainError(AMOUNT_TOO_LARGE, field=field)
    return amount


def account_create(*, owner: object, name: str, initial_cash: int | None = None) -> Account:
    from django.conf import settings

    name = (name or "").strip()
    if not name:
        raise DomainError(NAME_REQUIRED, field="name")
    initial = settings.ORDERS_DEFAULT_INITIAL_CASH if initial_cash is None else initial_cash
    initial = _whole_won(initial, allow_zero=True, field="initial_cash")
    now = market_now()
    with transaction.atomic():
        account = Account.objects.create(owner=owner, name=name[:100], initial_cash=initial, cash=0)
        entries: list[CashEntry] = []
        if initial:
            ledger_entry(entries, account, CashEntryKind.DEPOSIT, initial, now, note=str(OPENING_BALANCE_NOTE))
            CashEntry.objects.bulk_create(entries)
            account.save(update_fields=["cash"])
    return account


def account_deposit(*, account_id: int, amount: int) -> Account:
    amount = _whole_won(amount)
    with transaction.atomic():
        account = lock_account(account_id)
        if account.cash + amount > MAX_CASH:
            raise DomainError(AMOUNT_TOO_LARGE, field="amount")
        entries: list[CashEntry] = []
        ledger_entry(entries, account, CashEntryKind.DEPOSIT, amount, market_now(), note=str(DEPOSIT_NOTE))
        account.total_deposits += amount
        CashEntry.objects.bulk_create(entries)
        account.save(update_fields=["cash", "total_deposits"])
    return account


def account_reset(*, account_id: int, initial_cash: int | None = None) -> Account:
    """Start the account over: open orders and conditions cancelled, positions removed, cash =
    initial cash."""
    now = market_now()
    events = EventBatch()
    with transaction.atomic():
        account = lock_account(account_id)
        new_cash = (
            account.initial_cash
            if initial_cash is None
            else _whole_won(initial_cash, allow_zero=True, field="initial_cash")
        )
        open_orders = list(Order.objects.select_related("symbol").filter(account=account, status__in=OPEN_STATUSES))
        for order in open_orders:
            order.status = OrderStatus.CANCELLED
            order.reject_reason = str(CANCELLED_BY_RESET)
            order.reserved_cash = 0
            order.save(update_fields=["status", "reject_reason", "reserved_cash", "updated_at"])
            events.order(account.owner_id, order)
        Position.objects.filter(account=account).delete()
        Condition.objects.filter(account=account, status__in=LIVE_CONDITION_STATUSES).update(
            status=ConditionStatus.CANCELLED, message=CANCELLED_BY_RESET, updated_at=now
        )
        entries: list[CashEntry] = []
        ledger_entry(entries, account, CashEntryKind.RESET, new_cash - account.cash, now, note=str(RESET_NOTE))
        CashEntry.objects.bulk_create(entries)
        account.reserved_cash = 0
        account.initial_cash = new_cash
        account.total_deposits = 0
        account.reset_at = now
        account.save()
    for order in open_orders:  # take them out of the book too (if it is away, their fills are dropped)
        try:
            venue.send(venue.Cancel(ref=f"o{order.pk}", code=order.symbol.code, board=order.session))
        except venue.VenueUnavailable:
            logger.warning("account %s reset: the exchange is away; order %s stays in its book", account.pk, order.pk)
    return account
