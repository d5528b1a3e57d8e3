"""Account history (equity, P&L and return over time) and account activities, in won.

Snapshots are written by `account_snapshots_take`, called from two places that may both run: the
Celery beat entry `orders.tasks.take_account_snapshots` (every minute; services configuration)
and the feed's ticks (`orders.receivers`, at most once a minute per process; the embedded default,
which has no beat). Each writes the same buckets with an upsert, so running both, or twice, is
harmless. Reads add the live value of the account as the newest point, so the chart ends where the
account summary is.

Activities are the ledger as a client reads it: fills (`Trade`), deposits, resets, commissions and
taxes (`CashEntry`), and the T+2 settlement of each trading day's buys and sells (derived).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext, gettext_noop

from config.exceptions import DomainError
from market import timetable
from market.clock import market_now
from market.timetable import SEOUL
from orders.costs import settlement_date
from orders.enums import ActivityType, CashEntryKind, HistoryPeriod, HistoryTimeframe, SnapshotTimeframe
from orders.messages import AFTER_NOT_BEFORE_UNTIL
from orders.models import Account, AccountSnapshot, CashEntry, Position, Trade
from orders.selectors import TRADE_CASH_KINDS, account_prices, account_value

SNAPSHOT_CHUNK = 1000  # accounts valued per query round
MINUTE_RETENTION_DAYS = 2  # minute rows are kept for today's chart (and yesterday's, for a late look)

# Plain msgids (gettext_noop): DomainError translates them when raised.
BAD_PAGE_TOKEN = gettext_noop("page_token이 올바르지 않습니다. 이전 응답의 page_token을 그대로 보내 주세요.")

PERIOD_DAYS = {
    HistoryPeriod.DAY: 0,
    HistoryPeriod.WEEK: 7,
    HistoryPeriod.MONTH: 30,
    HistoryPeriod.QUARTER: 91,
    HistoryPeriod.HALF_YEAR: 182,
    HistoryPeriod.YEAR: 365,
}
TIMEFRAME_MINUTES = {
    HistoryTimeframe.MINUTE: 1,
    HistoryTimeframe.FIVE_MINUTES: 5,
    HistoryTimeframe.FIFTEEN_MINUTES: 15,
    HistoryTimeframe.HOUR: 60,
}

# --- snapshots ------------------------------------------------------------------------------------


def day_start(at: dt.datetime) -> dt.datetime:
    """00:00 Asia/Seoul of the day `at` falls on."""
    return at.astimezone(SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)


def minute_start(at: dt.datetime) -> dt.datetime:
    return at.astimezone(SEOUL).replace(second=0, microsecond=0)


_pruned_before: dt.datetime | None = None


def account_snapshots_take(*, now: dt.datetime | None = None, minute: bool = True) -> int:
    """Record every account's value now: its day row and (with `minute`) its minute row.

    Idempotent per bucket (an upsert), so the beat task and the feed's ticks may both call it.
    Returns the number of accounts recorded.
    """
    global _pruned_before
    now = now or market_now()
    day, moment = day_start(now), minute_start(now)
    recorded = 0
    last_id = 0
    while True:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot of the database for the account rows and their positions, so a fill
                # committed between the two reads is never half counted.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            accounts = list(
                Account.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .prefetch_related(Prefetch("positions", queryset=Position.objects.select_related("symbol")))[
                    :SNAPSHOT_CHUNK
                ]
            )
        if not accounts:
            break
        last_id = accounts[-1].pk
        prices = account_prices(accounts)
        rows: list[AccountSnapshot] = []
        for account in accounts:
            value = account_value(account, prices)
            fields = {
                "account_id": account.pk,
                "equity": value.equity,
                "cash": account.cash,
                "market_value": value.market_value,
                "invested": account.initial_cash + account.total_deposits,
                "realized_pnl": value.realized_pnl,
                "reset_at": account.reset_at,
                "taken_at": now,
            }
            rows.append(AccountSnapshot(timeframe=SnapshotTimeframe.DAY, time=day, **fields))
            if minute:
                rows.append(AccountSnapshot(timeframe=SnapshotTimeframe.MINUTE, time=moment, **fields))
        AccountSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["account", "timeframe", "time"],
            update_fields=["equity", "cash", "market_value", "invested", "realized_pnl", "reset_at", "taken_at"],
        )
        recorded += len(accounts)
    cutoff = day - dt.timedelta(days=MINUTE_RETENTION_DAYS - 1)
    if _pruned_before != cutoff:
        AccountSnapshot.objects.filter(timeframe=SnapshotTimeframe.MINUTE, time__lt=cutoff).delete()
        _pruned_before = cutoff
    return recorded


def snapshots_scheduled(*, now: dt.datetime | None = None) -> int:
    """The beat entry's work: the day rows always, minute rows while KRX trades (a regular-board
    phase or an after-hours session; the feed's ticks add minute rows whenever prices move, e.g. on
    the practice clock)."""
    now = now or market_now()
    status = timetable.status_at(now)
    return account_snapshots_take(now=now, minute=status.phase != timetable.CLOSED or status.session is not None)


_last_tick_minute: dt.datetime | None = None


def snapshots_on_tick(now: dt.datetime | None = None) -> bool:
    """Called on the feed's ticks: record at most once per minute in this process."""
    global _last_tick_minute
    moment = minute_start(now or market_now())
    if moment == _last_tick_minute:
        return False
    _last_tick_minute = moment
    account_snapshots_take(now=now)
    return True


# --- history -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryPoint:
    time: dt.datetime
    equity: int
    cash: int
    market_value: int
    invested: int
    profit_loss: int
    return_rate: float
    period_profit_loss: int
    period_return_rate: float


@dataclass(frozen=True)
class History:
    account_id: int
    period: str
    timeframe: str
    base_value: int
    points: list[HistoryPoint]


@dataclass(frozen=True)
class _Value:
    time: dt.datetime
    equity: int
    cash: int
    market_value: int
    invested: int
    reset_at: dt.datetime | None


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 4) if whole else 0.0


def _points(values: list[_Value], base: _Value | None) -> list[HistoryPoint]:
    """Each point's P&L since the reset, and its change since the point before (the first against
    `base`, the last value before the window). A reset between two points starts P&L from zero."""
    points = []
    previous = base
    for value in values:
        pnl = value.equity - value.invested
        if previous is None or previous.reset_at != value.reset_at:
            change, over = pnl, value.invested
        else:
            change = pnl - (previous.equity - previous.invested)
            # The money at work over the period: the previous equity plus what was paid in since.
            over = previous.equity + (value.invested - previous.invested)
        points.append(
            HistoryPoint(
                time=value.time,
                equity=value.equity,
                cash=value.cash,
                market_value=value.market_value,
                invested=value.invested,
                profit_loss=pnl,
                return_rate=_percent(pnl, value.invested),
                period_profit_loss=change,
                period_return_rate=_percent(change, over),
            )
        )
        previous = value
    return points


def _from_row(row: AccountSnapshot, time: dt.datetime | None = None) -> _Value:
    return _Value(time or row.time, row.equity, row.cash, row.market_value, row.invested, row.reset_at)


def _live(account: Account, time: dt.datetime) -> _Value:
    """The account's value now, as its summary shows it. Call with positions prefetched."""
    value = account_value(account, account_prices([account]))
    invested = account.initial_cash + account.total_deposits
    return _Value(time, value.equity, account.cash, value.market_value, invested, account.reset_at)


def _bucket(at: dt.datetime, minutes: int) -> dt.datetime:
    local = minute_start(at)
    return local.replace(minute=local.minute - local.minute % minutes) if minutes < 60 else local.replace(minute=0)


def account_history(*, account: Account, period: str, timeframe: str, now: dt.datetime | None = None) -> History:
    """Equity, P&L and return per day over `period`, or per `timeframe` bucket.

    Intraday points come from the minute rows, which are kept MINUTE_RETENTION_DAYS days (today's
    chart): over a longer period they cover only those days. Call with `account.positions`
    prefetched (selectors.account_get does).
    """
    now = now or market_now()
    today = day_start(now)
    if period == HistoryPeriod.ALL:
        start = None
    else:
        start = today - dt.timedelta(days=PERIOD_DAYS[HistoryPeriod(period)])
    rows = AccountSnapshot.objects.filter(account=account)
    if timeframe == HistoryTimeframe.DAY:
        window = rows.filter(timeframe=SnapshotTimeframe.DAY, time__lt=today)
        if start is not None:
            window = window.filter(time__gte=start)
        values = [_from_row(row) for row in window.order_by("time")]
        values.append(_live(account, today))
    else:
        size = TIMEFRAME_MINUTES[HistoryTimeframe(timeframe)]
        window = rows.filter(timeframe=SnapshotTimeframe.MINUTE)
        if start is not None:
            window = window.filter(time__gte=start)
        buckets: dict[dt.datetime, _Value] = {}
        for row in window.order_by("time"):
            bucket = _bucket(row.time, size)
            buckets[bucket] = _from_row(row, bucket)  # the last minute of the bucket is its close
        current = _bucket(now, size)
        buckets[current] = _live(account, current)
        values = [buckets[key] for key in sorted(buckets)]
    # The close of the day before the first point is the base of the first change.
    base_row = (
        rows.filter(timeframe=SnapshotTimeframe.DAY, time__lt=day_start(values[0].time)).order_by("-time").first()
    )
    base = _from_row(base_row) if base_row is not None else None
    return History(
        account_id=account.pk,
        period=period,
        timeframe=timeframe,
        base_value=base.equity if base is not None else values[0].invested,
        points=_points(values, base),
    )


# --- activities ----------------------------------------------------------------------------------

# Activities are listed newest first by (time, rank, id); the rank orders the kinds of row that
# share a moment: a fill's cash entries are booked with the fill itself.
_RANK = {"cash": 0, "fill": 1, "settlement": 2}
CASH_ACTIVITIES = {
    ActivityType.DEPOSIT: CashEntryKind.DEPOSIT,
    ActivityType.RESET: CashEntryKind.RESET,
    ActivityType.COMMISSION: CashEntryKind.COMMISSION,
    ActivityType.TAX: CashEntryKind.TAX,
}


@dataclass(frozen=True)
class Activity:
    key: tuple[dt.datetime, int, int]
    id: str
    type: str
    time: dt.datetime
    amount: int
    balance_after: int | None = None
    symbol: str | None = None
    symbol_name: str | None = None
    side: str | None = None
    quantity: int | None = None
    price: int | None = None
    order: int | None = None
    trade: int | None = None
    note: str = ""
    trade_date: dt.date | None = None
    settlement_date: dt.date | None = None


@dataclass(frozen=True)
class ActivityPage:
    results: list[Activity]
    next_token: str | None


def _encode(key: tuple[dt.datetime, int, int]) -> str:
    time, rank, ident = key
    raw = f"{time.astimezone(dt.UTC).isoformat()}|{rank}|{ident}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[dt.datetime, int, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        time, rank, ident = raw.split("|")
        moment = dt.datetime.fromisoformat(time)
        if moment.tzinfo is None:
            raise ValueError(time)
        return moment, int(rank), int(ident)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise DomainError(BAD_PAGE_TOKEN, field="page_token") from None


def _before(key: tuple[dt.datetime, int, int] | None, rank: int, time_field: str = "time") -> Q:
    """Rows of a source of rank `rank` that come after `key` in the newest-first order."""
    if key is None:
        return Q()
    time, key_rank, ident = key
    if rank < key_rank:
        return Q(**{f"{time_field}__lte": time})
    if rank > key_rank:
        return Q(**{f"{time_field}__lt": time})
    return Q(**{f"{time_field}__lt": time}) | Q(**{time_field: time, "pk__lt": ident})


def _settlements(account: Account, now: dt.datetime) -> list[Activity]:
    """One settlement per trading day with fills, once it has settled: the day's net cash
    (sales − purchases − commissions − taxes)."""
    days = (
        CashEntry.objects.filter(account=account, kind__in=TRADE_CASH_KINDS, trade__isnull=False)
        .annotate(day=TruncDate("time", tzinfo=SEOUL))
        .values("day")
        .annotate(net=Sum("amount"), trades=Count("trade", distinct=True))
        .order_by("day")
    )
    today = now.astimezone(SEOUL).date()
    out = []
    for row in days:
        settles = settlement_date(row["day"])
        if settles > today:
            continue
        time = dt.datetime.combine(settles, dt.time(0, 0), tzinfo=SEOUL)
        ident = row["day"].toordinal()
        out.append(
            Activity(
                key=(time, _RANK["settlement"], ident),
                id=f"settlement:{row['day'].isoformat()}",
                type=ActivityType.SETTLEMENT,
                time=time,
                amount=row["net"],
                note=gettext("체결 {n}건").format(n=row["trades"]),
                trade_date=row["day"],
                settlement_date=settles,
            )
        )
    return out


def activity_list(
    *,
    account: Account,
    types: list[str] | None = None,
    after: dt.datetime | None = None,
    until: dt.datetime | None = None,
    page_token: str | None = None,
    page_size: int = 50,
    now: dt.datetime | None = None,
) -> ActivityPage:
    """The account's activities newest first, `page_size` at a time; `after` < time ≤ `until`."""
    if after is not None and until is not None and after >= until:
        raise DomainError(AFTER_NOT_BEFORE_UNTIL, field="after")
    wanted = set(types or ActivityType.values)
    key = _decode(page_token) if page_token else None
    window = Q()
    if after is not None:
        window &= Q(time__gt=after)
    if until is not None:
        window &= Q(time__lte=until)
    found: list[Activity] = []

    kinds = [CASH_ACTIVITIES[t] for t in CASH_ACTIVITIES if t in wanted]
    if kinds:
        entries = (
            CashEntry.objects.filter(window, _before(key, _RANK["cash"]), account=account, kind__in=kinds)
            .select_related("trade__symbol")
            .order_by("-time", "-id")[: page_size + 1]
        )
        for entry in entries:
            trade = entry.trade
            found.append(
                Activity(
                    key=(entry.time, _RANK["cash"], entry.pk),
                    id=f"cash:{entry.pk}",
                    type=next(t for t, k in CASH_ACTIVITIES.items() if k == entry.kind),
                    time=entry.time,
                    amount=entry.amount,
                    balance_after=entry.balance_after,
                    symbol=trade.symbol.code if trade else None,
                    symbol_name=trade.symbol.name if trade else None,
                    side=trade.side if trade else None,
                    order=entry.order_id,
                    trade=entry.trade_id,
                    note=entry.note,
                )
            )
    if ActivityType.FILL in wanted:
        trades = (
            Trade.objects.filter(window, _before(key, _RANK["fill"]), account=account)
            .select_related("symbol")
            .order_by("-time", "-id")[: page_size + 1]
        )
        for trade in trades:
            found.append(
                Activity(
                    key=(trade.time, _RANK["fill"], trade.pk),
                    id=f"fill:{trade.pk}",
                    type=ActivityType.FILL,
                    time=trade.time,
                    amount=trade.amount if trade.side == "sell" else -trade.amount,
                    symbol=trade.symbol.code,
                    symbol_name=trade.symbol.name,
                    side=trade.side,
                    quantity=trade.quantity,
                    price=trade.price,
                    order=trade.order_id,
                    trade=trade.pk,
                )
            )
    if ActivityType.SETTLEMENT in wanted:
        for activity in _settlements(account, now or market_now()):
            if (after is not None and activity.time <= after) or (until is not None and activity.time > until):
                continue
            if key is not None and activity.key >= key:
                continue
            found.append(activity)
    found.sort(key=lambda a: a.key, reverse=True)
    page = found[:page_size]
    more = len(found) > page_size
    return ActivityPage(results=page, next_token=_encode(page[-1].key) if more and page else None)


def activity_fields(activity: Activity) -> dict[str, Any]:
    return {name: getattr(activity, name) for name in Activity.__dataclass_fields__ if name != "key"}
