"""The exchange core: a pure, deterministic KRX matching engine (no Django, no I/O, no clock).

`MatchingEngine` holds one symbol's book on one board; the shell feeds it commands stamped with
market time and publishes the events it returns.
"""

from market.exchange.auction import allocate_simultaneous, uncross
from market.exchange.engine import MESSAGES, MatchingEngine
from market.exchange.types import (
    Accepted,
    BookPhase,
    CallReason,
    Cancelled,
    Event,
    Indicative,
    LevelChanged,
    Modified,
    OrderKind,
    OrderView,
    PhaseChanged,
    Rejected,
    Side,
    TimeInForce,
    Traded,
    ViKind,
    ViReleased,
    ViState,
    ViTriggered,
)
from market.exchange.vi import dynamic_vi_rate_percent, vi_trigger_prices

__all__ = [
    "MESSAGES",
    "Accepted",
    "BookPhase",
    "CallReason",
    "Cancelled",
    "Event",
    "Indicative",
    "LevelChanged",
    "MatchingEngine",
    "Modified",
    "OrderKind",
    "OrderView",
    "PhaseChanged",
    "Rejected",
    "Side",
    "TimeInForce",
    "Traded",
    "ViKind",
    "ViReleased",
    "ViState",
    "ViTriggered",
    "allocate_simultaneous",
    "dynamic_vi_rate_percent",
    "uncross",
    "vi_trigger_prices",
]
