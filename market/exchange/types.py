"""The exchange core's vocabulary: enums, the events it emits and the views it answers with.

Plain Python (``enum.StrEnum``, frozen slotted dataclasses): nothing here imports Django, so the
core runs in any process and its events serialise to JSON by ``dataclasses.asdict``.
Times are ``int`` microseconds since the Unix epoch (UTC); prices are ``int`` won.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Hashable
from dataclasses import dataclass

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_micros(at: dt.datetime) -> int:
    """An aware datetime as the core's time: microseconds since the Unix epoch."""
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def from_micros(at: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=at)


OrderId = Hashable


class Side(enum.StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderKind(enum.StrEnum):
    LIMIT = "limit"  # 지정가
    MARKET = "market"  # 시장가
    BEST = "best"  # 최유리지정가: priced at the opposite side's best on arrival
    PRIORITY = "priority"  # 최우선지정가: priced at the own side's best on arrival
    CONDITIONAL = "conditional"  # 조건부지정가: a limit until the closing call, then a market order


class TimeInForce(enum.StrEnum):
    DAY = "day"
    IOC = "ioc"  # 즉시체결 후 잔량취소
    FOK = "fok"  # 전량체결 아니면 전량취소


class BookPhase(enum.StrEnum):
    CLOSED = "closed"
    CALL = "call"  # 단일가매매: orders collect, one uncross at the (randomly extended) end
    CONTINUOUS = "continuous"  # 접속매매
    FIXED_PRICE = "fixed_price"  # 시간외 종가: one price, time priority


class ViKind(enum.StrEnum):
    STATIC = "static"
    DYNAMIC = "dynamic"


class CallReason(enum.StrEnum):
    """Why a call auction runs; it decides which VI rules apply to its uncross."""

    SESSION = "session"
    PRE_OPEN = "pre_open"  # 08:30–09:00, opening price
    CLOSING = "closing"  # 15:20–15:30, closing price; 조건부지정가 turn into market orders
    SINGLE_PRICE = "single_price"  # 시간외 단일가, every 10 minutes 16:00–18:00
    VI = "vi"  # the 2-minute call of a volatility interruption


@dataclass(frozen=True, slots=True)
class ViState:
    kind: ViKind
    reference_price: int
    trigger_price: int
    ends_at: int  # scheduled end; the random extension of up to 30 s comes on top and is not published


@dataclass(frozen=True, slots=True)
class OrderView:
    """A resting order as the engine holds it."""

    order_id: OrderId
    side: Side
    kind: OrderKind
    price: int  # for a market order resting in a call: the band limit it ranks with
    quantity: int  # open quantity
    filled: int
    tif: TimeInForce
    owner: object


# --- events -------------------------------------------------------------------------------------
# Every event carries the engine's sequence number (1, 2, 3, … per engine) and the market time.


def _fast_init(cls: type) -> type:
    """Give a frozen slotted dataclass an __init__ that writes its slots through their descriptors.

    The generated frozen __init__ goes through object.__setattr__ field by field, which makes an
    event cost about twice as much to build; the engine builds several per order. The instances
    stay frozen (assignment still raises FrozenInstanceError) and compare/hash/repr as before.
    """
    names = [f.name for f in dataclasses.fields(cls)]
    namespace = {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    lines = "\n".join(f"    _set_{name}(self, {name})" for name in names)
    exec(f"def __init__(self, {', '.join(names)}):\n{lines}\n", namespace)  # noqa: S102 - fixed template
    cls.__init__ = namespace["__init__"]
    return cls


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    at: int


@_fast_init
@dataclass(frozen=True, slots=True)
class Accepted(Event):
    order_id: OrderId
    side: Side
    kind: OrderKind
    price: int | None  # the limit after conversion (최유리/최우선), None for a market order
    quantity: int
    tif: TimeInForce
    owner: object


@_fast_init
@dataclass(frozen=True, slots=True)
class Rejected(Event):
    order_id: OrderId
    reason: str
    message: str


@_fast_init
@dataclass(frozen=True, slots=True)
class Traded(Event):
    price: int
    quantity: int
    buy_order_id: OrderId
    sell_order_id: OrderId
    buy_owner: object
    sell_owner: object
    aggressor: Side | None  # None: the trade came out of a call auction's uncross


@_fast_init
@dataclass(frozen=True, slots=True)
class Cancelled(Event):
    order_id: OrderId
    quantity: int  # cancelled now
    remaining: int  # still open after this
    reason: str  # "user", "ioc", "fok", "expired"


@_fast_init
@dataclass(frozen=True, slots=True)
class Modified(Event):
    order_id: OrderId
    price: int | None  # None: the order became a market order (조건부지정가 at the closing call)
    quantity: int  # open quantity after the change
    priority_kept: bool


@_fast_init
@dataclass(frozen=True, slots=True)
class LevelChanged(Event):
    side: Side
    price: int
    quantity: int  # the level's total after the change; 0 = the level is gone


@_fast_init
@dataclass(frozen=True, slots=True)
class Indicative(Event):
    price: int | None  # 예상체결가; None when nothing would execute
    quantity: int


@_fast_init
@dataclass(frozen=True, slots=True)
class PhaseChanged(Event):
    phase: BookPhase
    ends_at: int | None  # scheduled end of a call (the random extension is not published)
    reason: str  # a call's CallReason when one starts; "uncross" after a call; "session" for the shell's switches


@_fast_init
@dataclass(frozen=True, slots=True)
class ViTriggered(Event):
    kind: ViKind
    reference_price: int
    trigger_price: int
    ends_at: int


@_fast_init
@dataclass(frozen=True, slots=True)
class ViReleased(Event):
    pass
