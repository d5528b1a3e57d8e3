"""The codes the platform needs live data for: what users watch, hold or have open orders in.

The KIS feed can register only so many codes per session, so it streams these first. `market`
never imports `orders`: other apps register a provider here (orders does in its AppConfig.ready),
and the quote consumers count the codes that sockets of this process follow.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

CodeProvider = Callable[[], Iterable[str]]

_providers: dict[str, CodeProvider] = {}
_followed: Counter[str] = Counter()
_lock = threading.Lock()


def register(name: str, provider: CodeProvider) -> None:
    """Add a source of codes of interest (idempotent per name); it runs in sync code, ORM allowed."""
    _providers[name] = provider


def watch(codes: Iterable[str]) -> None:
    with _lock:
        _followed.update(list(codes))  # a mapping would add its values


def unwatch(codes: Iterable[str]) -> None:
    with _lock:
        _followed.subtract(list(codes))
        for code in [c for c, n in _followed.items() if n <= 0]:
            del _followed[code]


def followed_codes() -> list[str]:
    """Codes that sockets of this process follow, most followed first."""
    with _lock:
        return [code for code, _ in _followed.most_common()]


def codes_of_interest(limit: int | None = None) -> list[str]:
    """Followed codes first, then each provider's in registration order; no repeats, at most `limit`."""
    codes = dict.fromkeys(followed_codes())
    for name, provider in list(_providers.items()):
        try:
            codes.update(dict.fromkeys(provider()))
        except Exception:  # noqa: BLE001 - one broken source must not empty the feed
            logger.exception("codes of interest: provider %s failed", name)
    ordered = list(codes)
    return ordered if limit is None else ordered[:limit]
