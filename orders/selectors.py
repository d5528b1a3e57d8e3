"""Every read the orders API needs. Users only ever see their own rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import TruncDate

from config.exceptions import DomainError, NotFound
from market.state import store
from market.timetable import SEOUL, next_trading_day
from orders import costs
from orders.enums import CashEntryKind
from orders.messages import ACCOUNT_NOT_FOUND, AFTER_NOT_BEFORE_UNTIL, ORDER_NOT_FOUND
from orders.models import Account, CashEntry, Order, Position, Trade


def account_list(*, user) -> QuerySet[Account]:
    return Account.objects.filter(owner=user).prefetch_related(
        Prefetch("positions", queryset=Position.objects.select_related("symbol"))
    )


def account_get(*, user, account_id: int) -> Account:
    account = account_list(user=user).filter(pk=account_id).first()
    if account is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return account


def account_check_owned(*, user, account_id: object) -> None:
    """A filter on someone else's account answers 404, like the account itself would."""
    if account_id is None or account_id == "":
        return
    try:
        pk = int(str(account_id))
    except ValueError:
        return  # not a number: the filter itself refuses it with a 400
    if not Account.objects.filter(owner=user, pk=pk).exists():
        raise NotFound(ACCOUNT_NOT_FOUND)


def order_list(*, user) -> QuerySet[Order]:
    return Order.objects.filter(account__owner=user).select_related("symbol")


def order_get(*, user, order_id: int) -> Order:
    order = order_list(user=user).filter(pk=order_id).first()
    if order is None:
        raise NotFound(ORDER_NOT_FOUND)
    return order


def position_list(*, user) -> QuerySet[Position]:
    return Position.objects.filter(account__owner=user).select_related("symbol")


def trade_list(*, user, after: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[Trade]:
    """The user's fills, newest first; with `after` / `until`, those with `after` < time ≤ `until`
    (the window of the account's activities)."""
    if after is not None and until is not None and after >= until:
        raise DomainError(AFTER_NOT_BEFORE_UNTIL, field="after")
    trades = Trade.objects.filter(account__owner=user).select_related("symbol")
    if after is not None:
        trades = trades.filter(time__gt=after)
    if until is not None:
        trades = trades.filter(time__lte=until)
    return trades


def last_prices(codes: list[str]) -> dict[str, int]:
    """Live last prices from the market state (missing codes are absent)."""
    if not codes:
        return {}
    return {code: quote.price for code, quote in store().quotes(sorted(set(codes))).items()}


@dataclass(frozen=True)
class PositionValue:
    last_price: int | None
    market_value: int
    unrealized_pnl: int
    unrealized_pnl_rate: float


def position_value(position: Position, prices: dict[str, int]) -> PositionValue:
    """Mark a position to the live last price; without a quote it is valued at its cost."""
    last = prices.get(position.symbol.code)
    if last is None:
        return PositionValue(None, position.cost_basis, 0, 0.0)
    market_value = last * position.quantity
    unrealized = market_value - position.cost_basis
    rate = round(unrealized * 100 / position.cost_basis, 2) if position.cost_basis else 0.0
    return PositionValue(last, market_value, unrealized, rate)


@dataclass(frozen=True)
class AccountValue:
    market_value: int
    equity: int
    realized_pnl: int
    unrealized_pnl: int
    total_pnl: int
    return_rate: float


def account_value(account: Account, prices: dict[str, int]) -> AccountValue:
    """Equity = cash + market value; total P&L = equity − money put in since the last reset.

    Call with `account.positions` prefetched (account_list does).
    """
    positions = list(account.positions.all())
    values = [position_value(p, prices) for p in positions]
    market_value = sum(v.market_value for v in values)
    equity = account.cash + market_value
    invested = account.initial_cash + account.total_deposits
    total = equity - invested
    return AccountValue(
        market_value=market_value,
        equity=equity,
        realized_pnl=sum(p.realized_pnl for p in positions),
        unrealized_pnl=sum(v.unrealized_pnl for v in values),
        total_pnl=total,
        return_rate=round(total * 100 / invested, 4) if invested else 0.0,
    )


TRADE_CASH_KINDS = (CashEntryKind.BUY, CashEntryKind.SELL, CashEntryKind.COMMISSION, CashEntryKind.TAX)


@dataclass(frozen=True)
class Balances:
    """An account's cash as a Korean broker shows it. A trade's cash moves at once in `cash` (sale
    proceeds can buy again the same day) but settles T+2 (`costs.settlement_date`):

    settled   예수금: cash whose trades have settled
    d1        D+1 예수금: after the settlements of the next trading day
    d2        D+2 예수금: after every pending settlement (= cash)
    orderable 주문가능금액: cash less what open buy orders hold"""

    settled: int
    d1: int
    d2: int
    orderable: int


def account_balances(accounts: list[Account], now: dt.datetime) -> dict[int, Balances]:
    today = now.astimezone(SEOUL).date()
    tomorrow = next_trading_day(today)
    # A trade day settles at most two trading days later: ten calendar days cover any holiday run.
    since = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(0, 0), tzinfo=SEOUL)
    rows = _trade_cash_by_day([a.pk for a in accounts], since) if accounts else []
    pending: dict[int, tuple[int, int]] = {}  # account → (settling by the next trading day, later)
    for account_id, day, net in rows:
        settles = costs.settlement_date(day)
        if settles <= today:
            continue
        soon, later = pending.get(account_id, (0, 0))
        pending[account_id] = (soon + net, later) if settles <= tomorrow else (soon, later + net)
    out = {}
    for account in accounts:
        soon, later = pending.get(account.pk, (0, 0))
        settled = account.cash - soon - later
        out[account.pk] = Balances(settled, settled + soon, account.cash, account.available_cash)
    return out


def _trade_cash_by_day(account_ids: list[int], since: dt.datetime) -> list[tuple[int, dt.date, int]]:
    return list(
        CashEntry.objects.filter(
            account_id__in=account_ids, kind__in=TRADE_CASH_KINDS, trade__isnull=False, time__gte=since
        )
        .annotate(day=TruncDate("time", tzinfo=SEOUL))
        .values("account_id", "day")
        .annotate(net=Sum("amount"))
        .values_list("account_id", "day", "net")
    )


def account_prices(accounts: list[Account]) -> dict[str, int]:
    return last_prices([p.symbol.code for a in accounts for p in a.positions.all()])


def codes_held_or_ordered() -> list[str]:
    """Codes with open orders, then codes held, each most popular first (the live feed's priorities)."""
    from django.db.models import Count

    from orders.enums import OPEN_STATUSES

    ordered = (
        Order.objects.filter(status__in=OPEN_STATUSES)
        .values("symbol__code")
        .annotate(n=Count("id"))
        .order_by("-n", "symbol__code")
        .values_list("symbol__code", flat=True)
    )
    held = (
        Position.objects.filter(quantity__gt=0)
        .values("symbol__code")
        .annotate(n=Count("id"))
        .order_by("-n", "symbol__code")
        .values_list("symbol__code", flat=True)
    )
    return list(dict.fromkeys([*ordered, *held]))


def accounts_off_ledger() -> QuerySet[Account]:
    """Accounts whose stored balances disagree with the rows they stand for: cash ≠ Σ its cash
    entries (the ledger), reserved cash ≠ Σ reserved_cash of its open orders, or a position whose
    reserved shares ≠ what the open sells of its symbol still hold. The services keep the three
    equal in every transaction (orders/tests/invariants.py checks them after each step), so an
    account here is a bug or a hand edit. Read-only, one query; annotated with `ledger_cash`,
    `open_orders_reserved` and `shares_off`."""
    from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from orders.enums import OPEN_STATUSES, OrderSide

    def total(rows: QuerySet, amount: object) -> Coalesce:
        summed = rows.order_by().values("account").annotate(total=Sum(amount)).values("total")
        return Coalesce(Subquery(summed), 0, output_field=BigIntegerField())

    open_orders = Order.objects.filter(account=OuterRef("pk"), status__in=OPEN_STATUSES)
    open_sells = Order.objects.filter(
        account=OuterRef("account"), symbol=OuterRef("symbol"), side=OrderSide.SELL, status__in=OPEN_STATUSES
    )
    positions_off = (
        Position.objects.filter(account=OuterRef("pk"))
        .annotate(held_by_sells=total(open_sells, F("quantity") - F("filled_quantity")))
        .exclude(reserved_quantity=F("held_by_sells"))
    )
    return (
        Account.objects.annotate(
            ledger_cash=total(CashEntry.objects.filter(account=OuterRef("pk")), "amount"),
            open_orders_reserved=total(open_orders, "reserved_cash"),
            shares_off=Exists(positions_off),
        )
        .filter(~Q(cash=F("ledger_cash")) | ~Q(reserved_cash=F("open_orders_reserved")) | Q(shares_off=True))
        .select_related("owner")
        .order_by("id")
    )
