"""Conditional orders the platform holds until their trigger (brokers' 자동감시주문, Nextrade's
스톱지정가): stop and take-profit on the last price, trailing stops, one-cancels-other groups and
brackets on an entry order (models.Condition says what each watches).

They are not in the exchange's book: the process that owns the books watches its prints
(`market.signals.trade_printed`). `on_trade_printed` only notes each symbol's high, low and last
since the last look; one thread (`_watcher`) then looks at every symbol that printed, in one query,
and places the orders of the conditions that triggered through the ordinary path
(`services.order_place`, client_order_id `condition-<id>-<attempt>`, so a retry places nothing
twice). A condition marked triggered whose order is not placed yet (the exchange was away, the
process died) is placed again on the symbol's next print.

A bracket's legs follow their entry's fills, not the prints: `on_order_events_committed` hands the
symbols of committed buy fills (and of buys that ended unfilled) to the same thread, which looks
at them at their last prices. A fill need not come with a print the watcher sees after it (KIS
mode books a shadow fill after publishing the print, or fills on a new book alone), and an
illiquid symbol may not print again for a long time.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.exceptions import Conflict, DomainError, NotFound, ServiceUnavailable
from market import rules
from market.clock import market_now
from market.state import store
from orders import ledger, messages, placement, services
from orders.enums import (
    LIVE_CONDITION_STATUSES,
    OPEN_STATUSES,
    ConditionStatus,
    ConditionTrigger,
    OrderSide,
    OrderStatus,
    OrderType,
)
from orders.events import broadcast, condition_triggered, order_payload
from orders.models import Condition, Order, Position

logger = logging.getLogger(__name__)

BAD_TRIGGER = _("감시 조건은 stop(스톱), take_profit(이익실현), trailing(트레일링 스톱) 중 하나입니다.")
BAD_ORDER_TYPE = _("발동 시 주문은 market(시장가) 또는 limit(지정가)입니다.")
TRIGGER_PRICE_REQUIRED = _("감시 가격(trigger_price)을 입력해 주세요.")
TRIGGER_PRICE_OFF_TICK = _("감시 가격 {price:,}원은 호가단위에 맞지 않습니다.")
TRAIL_REQUIRED = _("트레일링 스톱은 trail_amount(원) 또는 trail_percent(%) 중 하나를 입력해 주세요.")
TRAIL_PERCENT_RANGE = _("trail_percent는 0보다 크고 30 이하인 백분율입니다.")
LIMIT_PRICE_REQUIRED = _("지정가 주문에는 limit_price가 필요합니다.")
LIMIT_PRICE_NOT_ALLOWED = _("시장가 주문에는 limit_price를 보내지 않습니다.")
NOT_ENOUGH_SHARES = _("{code}을(를) {held:,}주 보유 중입니다: 매도 감시 수량은 보유 수량 이하여야 합니다.")
NOT_ENOUGH_FREE_SHARES = _(
    "{code}의 매도 가능 수량은 {available:,}주입니다(보유 {held:,}주 중 {reserved:,}주는 미체결 매도 주문에 "
    "묶여 있습니다): 매도 감시 수량은 매도 가능 수량 이하여야 합니다."
)
NO_PRICE = _("{code}의 현재가가 없어 감시를 시작할 수 없습니다.")
ALREADY_MET = _("현재가 {last:,}원에서 이미 발동 조건에 해당합니다: 감시 가격을 다시 확인해 주세요.")
BRACKET_PRICES = _("이익실현 가격({take_profit:,}원)은 손절 가격({stop_loss:,}원)보다 높아야 합니다.")
ENTRY_ENDED = _("진입 주문(#{order})이 체결되지 않고 끝나 이익실현·손절 주문을 걸지 않았습니다: {reason}")
NOT_LIVE = _("감시중이거나 대기중인 조건만 취소할 수 있습니다. 이 조건은 {status} 상태입니다.")
CONDITION_NOT_FOUND = _("감시 주문을 찾을 수 없습니다.")
NO_SHARES_AT_TRIGGER = _("발동 시점에 매도 가능한 {code} 주식이 없습니다.")
OCO_CANCELLED = _("같은 OCO 그룹의 다른 조건이 먼저 발동되어 취소되었습니다.")
ENTRY_NOT_FILLED = _("진입 주문이 체결 없이 종료되어 취소되었습니다.")


# --- creating and cancelling ----------------------------------------------------------------------


def _positive_price(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DomainError(messages.PRICE_NOT_POSITIVE, field=field)
    if not rules.is_on_tick(value):
        raise DomainError(TRIGGER_PRICE_OFF_TICK.format(price=value), field=field)
    return value


def _last_price(code: str) -> int | None:
    quote = store().quote(code)
    return quote.price if quote is not None and quote.price else None


def _met(condition: Condition, high: int, low: int, last: int) -> bool:
    """Whether prints with this high, low and last trigger it (trailing: after moving its extreme)."""
    sell = condition.side == OrderSide.SELL
    if condition.trigger == ConditionTrigger.STOP:
        return low <= condition.trigger_price if sell else high >= condition.trigger_price
    if condition.trigger == ConditionTrigger.TAKE_PROFIT:
        return high >= condition.trigger_price if sell else low <= condition.trigger_price
    before = condition.extreme
    if sell:
        condition.extreme = max(before, high)
        return low <= before - condition.trail(before) or last <= condition.extreme - condition.trail(condition.extreme)
    condition.extreme = min(before, low)
    return high >= before + condition.trail(before) or last >= condition.extreme + condition.trail(condition.extreme)


def _new_condition(
    *,
    account: Any,
    symbol: Any,
    side: str,
    quantity: int,
    trigger: str,
    trigger_price: object = None,
    trail_amount: object = None,
    trail_percent: object = None,
    order_type: str = OrderType.MARKET,
    limit_price: object = None,
) -> Condition:
    """A validated, unsaved condition (its trailing extreme set from the last price)."""
    side = placement.validate_choice(side, OrderSide, messages.BAD_SIDE, "side")
    trigger = placement.validate_choice(trigger, ConditionTrigger, BAD_TRIGGER, "trigger")
    if order_type not in (OrderType.MARKET, OrderType.LIMIT):
        raise DomainError(BAD_ORDER_TYPE, field="order_type")
    quantity = placement.check_quantity(quantity)
    condition = Condition(account=account, symbol=symbol, side=side, quantity=quantity, trigger=trigger)
    condition.order_type = order_type
    if order_type == OrderType.LIMIT:
        if limit_price is None:
            raise DomainError(LIMIT_PRICE_REQUIRED, field="limit_price")
        condition.limit_price = _positive_price(limit_price, "limit_price")
    elif limit_price is not None:
        raise DomainError(LIMIT_PRICE_NOT_ALLOWED, field="limit_price")
    if trigger == ConditionTrigger.TRAILING:
        if (trail_amount is None) == (trail_percent is None):
            raise DomainError(TRAIL_REQUIRED, field="trail_amount")
        if trail_amount is not None:
            if isinstance(trail_amount, bool) or not isinstance(trail_amount, int) or trail_amount <= 0:
                raise DomainError(TRAIL_REQUIRED, field="trail_amount")
            condition.trail_amount = trail_amount
        else:
            try:
                percent = Decimal(str(trail_percent)).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise DomainError(TRAIL_PERCENT_RANGE, field="trail_percent") from None
            if not (0 < percent <= 30):
                raise DomainError(TRAIL_PERCENT_RANGE, field="trail_percent")
            condition.trail_percent = percent
    else:
        if trigger_price is None:
            raise DomainError(TRIGGER_PRICE_REQUIRED, field="trigger_price")
        condition.trigger_price = _positive_price(trigger_price, "trigger_price")
    return condition


def _arm(condition: Condition, field: str = "trigger_price") -> None:
    """Start watching from the last price; refuse a condition the last price already meets."""
    last = _last_price(condition.symbol.code) or condition.symbol.prev_close
    if not last:
        raise DomainError(NO_PRICE.format(code=condition.symbol.code), field="symbol")
    if condition.trigger == ConditionTrigger.TRAILING:
        condition.extreme = last
    if _met(condition, last, last, last):
        raise DomainError(ALREADY_MET.format(last=last), field=field)


def _check_shares(account: Any, symbol: Any, quantity: int) -> None:
    """A sell may watch at most what the account could sell now (매도가능수량: the shares held less
    those held by its open sell orders). Call inside the account lock."""
    shares = Position.objects.filter(account=account, symbol=symbol).values_list("quantity", "reserved_quantity")
    held, reserved = shares.first() or (0, 0)
    if quantity > held - reserved:
        if reserved:
            message = NOT_ENOUGH_FREE_SHARES.format(
                code=symbol.code, available=held - reserved, held=held, reserved=reserved
            )
        else:
            message = NOT_ENOUGH_SHARES.format(code=symbol.code, held=held)
        raise DomainError(message, field="quantity")


def condition_create(*, account_id: int, owner_id: int | None = None, symbol: str, **fields: Any) -> Condition:
    """Watch one condition (stop, take-profit or trailing) on the last price of `symbol`.

    A sell must not watch more shares than the account could sell now: Position.quantity less
    Position.reserved_quantity (the shares in open sell orders). The shares are not reserved for
    it, and other conditions' quantities are not counted: at its trigger it sells what is free
    then, at most its quantity. Nothing is held for a buy until it triggers."""
    sym = placement.tradable_symbol(symbol)
    with transaction.atomic():
        account = ledger.lock_account(account_id, owner_id)
        condition = _new_condition(account=account, symbol=sym, **fields)
        if condition.side == OrderSide.SELL:
            _check_shares(account, sym, condition.quantity)
        _arm(condition)
        condition.save(force_insert=True)
        _push([condition.pk])
    return condition


def bracket_create(
    *,
    account_id: int,
    owner_id: int | None = None,
    symbol: str,
    quantity: int,
    take_profit: object,
    stop_loss: object,
    entry: dict[str, Any] | None = None,
) -> tuple[Order | None, list[Condition]]:
    """Take-profit and stop-loss sells, one-cancels-other. With `entry` ({type, price?}) a buy is
    placed first and the two legs wait for its fills, then watch the quantity it has filled so far
    (each later fill raises it); without it they watch shares the account could sell now (checked
    as `condition_create` checks a sell: not reserved, other conditions not counted). An entry the
    exchange refuses on arrival (e.g. its session is closed) refuses the bracket with its reason,
    and no leg is set; the refused entry stays in the order history."""
    sym = placement.tradable_symbol(symbol)
    quantity = placement.check_quantity(quantity)
    take_profit = _positive_price(take_profit, "take_profit")
    stop_loss = _positive_price(stop_loss, "stop_loss")
    if take_profit <= stop_loss:
        raise DomainError(BRACKET_PRICES.format(take_profit=take_profit, stop_loss=stop_loss), field="take_profit")
    legs = [
        _new_condition(
            account=None, symbol=sym, side=OrderSide.SELL, quantity=quantity, trigger=trigger, trigger_price=price
        )
        for trigger, price in ((ConditionTrigger.TAKE_PROFIT, take_profit), (ConditionTrigger.STOP, stop_loss))
    ]
    for leg, field in zip(legs, ("take_profit", "stop_loss"), strict=True):  # before anything is placed
        _arm(leg, field)
    entry_order = None
    if entry is not None:
        entry_order, _ = services.order_place(
            account_id=account_id,
            owner_id=owner_id,
            symbol=sym.code,
            side=OrderSide.BUY,
            type=entry.get("type", OrderType.LIMIT),
            price=entry.get("price"),
            quantity=quantity,
        )
        if not entry_order.is_open and not entry_order.filled_quantity:  # refused on arrival (a closed session)
            raise DomainError(ENTRY_ENDED.format(order=entry_order.pk, reason=entry_order.reject_reason), field="entry")
    group = uuid.uuid4().hex
    try:
        with transaction.atomic():
            account = ledger.lock_account(account_id, owner_id)
            if entry_order is None:
                _check_shares(account, sym, quantity)
            for leg in legs:
                leg.account, leg.oco_group = account, group
                if entry_order is not None:
                    leg.parent_order, leg.status = entry_order, ConditionStatus.WAITING
            Condition.objects.bulk_create(legs)
            _push([leg.pk for leg in legs])
    except Exception:
        if entry_order is not None and entry_order.is_open:  # no entry without its legs
            services.order_cancel(order_id=entry_order.pk)
        raise
    if entry_order is not None and entry_order.filled_quantity:
        watch([sym.code])  # (partly) filled on arrival: the legs start watching now
    return entry_order, legs


def condition_cancel(*, condition_id: int, owner_id: int | None = None) -> Condition:
    with transaction.atomic():
        condition = Condition.objects.select_related("account", "symbol").filter(pk=condition_id).first()
        if condition is None or (owner_id is not None and condition.account.owner_id != owner_id):
            raise NotFound(CONDITION_NOT_FOUND)
        ledger.lock_account(condition.account_id)
        condition.refresh_from_db(fields=["status"])
        if condition.status not in LIVE_CONDITION_STATUSES:
            raise DomainError(NOT_LIVE.format(status=condition.get_status_display()))
        condition.status = ConditionStatus.CANCELLED
        condition.save(update_fields=["status", "updated_at"])
        _push([condition.pk])
    return condition


# --- watching ---------------------------------------------------------------------------------------


def evaluate(prints: dict[str, tuple[int, int, int]]) -> list[int]:
    """Look at the live conditions of the symbols that printed ({code: (high, low, last)}); set the
    bracket legs' quantities to what their entries filled, move trailing extremes, mark what
    triggered (cancelling its OCO siblings) and place their orders. Returns the ids of the
    conditions that placed an order."""
    live = (
        Condition.objects.select_related("symbol", "parent_order")
        .filter(symbol__code__in=list(prints))
        .filter(Q(status__in=LIVE_CONDITION_STATUSES) | Q(status=ConditionStatus.TRIGGERED, order__isnull=True))
        .order_by("id")
    )
    if not live.exists():  # the usual case, one indexed read and no transaction
        return []
    due: list[int] = []
    with transaction.atomic():
        moved: list[Condition] = []
        changed: list[int] = []  # what the owners' /ws/orders hear about
        for condition in live.select_for_update(of=("self",)):
            high, low, last = prints[condition.symbol.code]
            if condition.status == ConditionStatus.TRIGGERED:
                due.append(condition.pk)  # triggered before, its order not placed yet
                continue
            if condition.parent_order_id is not None:
                before = (condition.status, condition.quantity)
                watching = _follow_entry(condition, last)
                if (condition.status, condition.quantity) != before:
                    changed.append(condition.pk)
                if not watching:
                    continue
            extreme = condition.extreme
            if _met(condition, high, low, last):
                if _trigger(condition):
                    due.append(condition.pk)
                    changed += _group(condition)
            elif condition.extreme != extreme:
                moved.append(condition)
        if moved:
            Condition.objects.bulk_update(moved, ["extreme"])
        _push(changed)
    return [pk for pk in due if _place(pk)]


def _group(condition: Condition) -> list[int]:
    """It and its OCO siblings."""
    if not condition.oco_group:
        return [condition.pk]
    return list(Condition.objects.filter(oco_group=condition.oco_group).values_list("pk", flat=True))


def _follow_entry(condition: Condition, last: int) -> bool:
    """A bracket leg watches the quantity its entry order has filled so far: waiting until the
    first fill (cancelled if the entry ends unfilled), then active, its quantity raised with each
    later fill (a trailing leg keeps the extreme it has followed since it was armed). Whether it
    is watching now."""
    entry = condition.parent_order
    if entry.filled_quantity == 0:
        if entry.status not in OPEN_STATUSES:
            condition.status, condition.message = ConditionStatus.CANCELLED, str(ENTRY_NOT_FILLED)
            condition.save(update_fields=["status", "message", "updated_at"])
        return False
    if condition.status == ConditionStatus.WAITING:
        condition.status = ConditionStatus.ACTIVE
        if condition.trigger == ConditionTrigger.TRAILING:
            condition.extreme = last
    elif condition.quantity == entry.filled_quantity:
        return True
    condition.quantity = entry.filled_quantity
    condition.save(update_fields=["quantity", "status", "extreme", "updated_at"])
    return True


def _trigger(condition: Condition) -> bool:
    """Mark it triggered and cancel its OCO siblings; False if a sibling triggered first."""
    if condition.oco_group:
        fired = Condition.objects.filter(oco_group=condition.oco_group, status=ConditionStatus.TRIGGERED).exists()
        if fired:
            return False
        Condition.objects.filter(oco_group=condition.oco_group, status__in=LIVE_CONDITION_STATUSES).exclude(
            pk=condition.pk
        ).update(status=ConditionStatus.CANCELLED, message=OCO_CANCELLED, updated_at=market_now())
    condition.status = ConditionStatus.TRIGGERED
    condition.triggered_at = market_now()
    condition.save(update_fields=["status", "triggered_at", "extreme", "updated_at"])
    return True


def _place(condition_id: int) -> bool:
    """Place a triggered condition's order: attempt n has client_order_id `condition-<id>-<n>`, n
    the orders it has placed so far (one the exchange refused is not retried; while the exchange is
    away nothing is recorded, and the next try, with the same id, finds the order if the exchange
    took it before it went)."""
    condition = Condition.objects.select_related("symbol").get(pk=condition_id)
    attempts = list(Order.objects.filter(condition_id=condition.pk).values_list("pk", "status", "reject_reason"))
    placed = next((pk for pk, status, _ in attempts if status != OrderStatus.REJECTED), None)
    if placed is not None:  # placed before its link was written (the process stopped between)
        Condition.objects.filter(pk=condition.pk).update(order_id=placed, updated_at=market_now())
        return True
    quantity = condition.quantity
    if condition.parent_order_id is not None:
        # A bracket leg that triggers while its entry is still (partly) open: the rest of the entry
        # is cancelled first, as brokers do, so no later fill is left without its stop or take-profit;
        # the leg then sells everything the entry bought.
        entry = Order.objects.only("status", "filled_quantity").get(pk=condition.parent_order_id)
        if entry.is_open:
            try:
                services.order_cancel(order_id=entry.pk)
            except ServiceUnavailable:
                return False  # the exchange is away: tried again on the next print
            except Conflict:
                pass  # it has ended meanwhile
            entry.refresh_from_db(fields=["filled_quantity"])
        quantity = entry.filled_quantity
        if quantity != condition.quantity:
            condition.quantity = quantity
            condition.save(update_fields=["quantity", "updated_at"])
    if condition.side == OrderSide.SELL:
        free = (
            Position.objects.filter(account_id=condition.account_id, symbol=condition.symbol)
            .values_list("quantity", "reserved_quantity")
            .first()
        )
        quantity = min(quantity, free[0] - free[1]) if free else 0
        if quantity <= 0:
            _fail(condition, NO_SHARES_AT_TRIGGER.format(code=condition.symbol.code))
            return False
    try:
        order, _ = services.order_place(
            account_id=condition.account_id,
            symbol=condition.symbol.code,
            side=condition.side,
            type=condition.order_type,
            price=condition.limit_price,
            quantity=quantity,
            client_order_id=f"condition-{condition.pk}-{len(attempts)}",
            condition_id=condition.pk,
        )
    except ServiceUnavailable:
        return False  # still triggered without an order: placed on the next print
    except DomainError as exc:
        _fail(condition, exc.message)
        return False
    Condition.objects.filter(pk=condition.pk).update(order=order, updated_at=market_now())
    if order.status == OrderStatus.REJECTED:
        _fail(condition, order.reject_reason)
        return False
    _push([condition.pk])
    _announce(condition.pk, order)
    return True


def _announce(condition_id: int, order: Order | None) -> None:
    """orders.events.condition_triggered (webhooks listen): what triggered and what it placed."""
    if not condition_triggered.receivers:
        return
    condition = Condition.objects.select_related("symbol", "account").get(pk=condition_id)
    body = {
        "id": condition.pk,
        "symbol": condition.symbol.code,
        "side": condition.side,
        "quantity": condition.quantity,
        "trigger": condition.trigger,
        "trigger_price": condition.trigger_price,
        "status": condition.status,
        "message": condition.message,
        "triggered_at": condition.triggered_at.isoformat() if condition.triggered_at else None,
    }
    condition_triggered.send_robust(
        sender=Condition,
        user_id=condition.account.owner_id,
        condition=body,
        order=order_payload(order) if order is not None else None,
    )


def _fail(condition: Condition, message: str) -> None:
    Condition.objects.filter(pk=condition.pk).update(
        status=ConditionStatus.FAILED, message=str(message)[:300], updated_at=market_now()
    )
    _push([condition.pk])
    _announce(condition.pk, None)


def _push(condition_ids: list[int]) -> None:
    """After commit, send each condition as it stands to its owner's /ws/orders (type "condition")."""
    if not condition_ids:
        return

    def send() -> None:
        from orders.api import ConditionOutput  # the REST shape; api imports this module

        rows = Condition.objects.select_related("symbol", "account").filter(pk__in=condition_ids).order_by("id")
        by_user: dict[int, list[dict[str, Any]]] = {}
        for condition in rows:
            message = {"type": "condition.update", "condition": ConditionOutput(condition).data}
            by_user.setdefault(condition.account.owner_id, []).append(message)
        for user_id, updates in by_user.items():
            broadcast(user_id, updates)

    transaction.on_commit(send)


class _Watcher:
    """Prints noted as they come; one thread looks at them (see the module's docstring)."""

    def __init__(self) -> None:
        self.enabled = True  # tests switch it off where they do not test it
        self._lock = threading.Lock()
        self._prints: dict[str, tuple[int, int, int]] = {}
        self._at_last: set[str] = set()  # symbols to look at at their last prices, read when looking
        self._scheduled = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conditions")

    def note(self, code: str, price: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            seen = self._prints.get(code)
            self._prints[code] = (max(seen[0], price), min(seen[1], price), price) if seen else (price, price, price)
            self._schedule()

    def look_at(self, codes: set[str]) -> None:
        """Look at these symbols soon, at their last prices (read on the watcher's thread, so the
        caller pays no round trip to the quote store)."""
        if not self.enabled or not codes:
            return
        with self._lock:
            self._at_last |= codes
            self._schedule()

    def _schedule(self) -> None:
        """Call holding the lock: one look queued at a time takes whatever was noted until it runs."""
        if not self._scheduled:
            self._scheduled = True
            self._executor.submit(self._look)

    def _look(self) -> None:
        with self._lock:
            prints, self._prints, self._scheduled = self._prints, {}, False
            at_last, self._at_last = self._at_last, set()
        close_old_connections()
        try:
            # A symbol that printed meanwhile is looked at on its prints (the last is its last price).
            unprinted = sorted(at_last - prints.keys())
            for code, quote in (store().quotes(unprinted) if unprinted else {}).items():
                if quote.price:
                    prints[code] = (quote.price, quote.price, quote.price)
            if prints:
                evaluate(prints)
        except Exception:  # noqa: BLE001 - log and go on with the next prints
            logger.exception("could not evaluate the conditions of %s", ", ".join(sorted(prints.keys() | at_last)))

    def settle(self, timeout: float = 10) -> None:
        """Wait until what was noted so far has been looked at (tests, shutdown)."""
        self._executor.submit(lambda: None).result(timeout)


_watcher = _Watcher()


def on_trade_printed(sender: Any, trade: Any, **kwargs: Any) -> None:
    """market.signals.trade_printed, in the process that owns the books."""
    _watcher.note(trade.code, trade.price)


def on_order_events_committed(sender: Any, user_id: int, events: list[dict[str, Any]], **kwargs: Any) -> None:
    """orders.events.order_events_committed, on the committing thread (the booking's, a hot path):
    the symbols of buy fills, and of buys that ended unfilled, go to the watcher, which arms (or
    ends) their brackets' legs and raises the legs' quantities at once, print or no print.

    No query here: whether any bracket waits on these orders is the watcher's one indexed read of
    the symbols' live conditions (`evaluate`), on its own thread, shared with the prints it looks
    at meanwhile. Every entry is a buy, so sells never wake it."""
    codes: set[str] = set()
    for message in events:
        order = message.get("order")
        if order is None or order["side"] != OrderSide.BUY:
            continue
        if message["type"] == "order.fill" or (order["status"] not in OPEN_STATUSES and not order["filled_quantity"]):
            codes.add(order["symbol"])
    _watcher.look_at(codes)


def watch(codes: list[str]) -> None:
    """Look at these symbols' conditions now, at their last prices (a bracket filled on arrival)."""
    _watcher.look_at(set(codes))


def settle(timeout: float = 10) -> None:
    _watcher.settle(timeout)
