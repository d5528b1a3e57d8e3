"""What accounts, config, historical, jobs, market and webhooks tell API clients is written in Korean.

Each message is a module constant; the app tests assert that the constant reaches the client. This
keeps a new English message from slipping in among them. Korean is the default language and the
source text; tests/test_i18n.py checks the English catalog and how a request picks its language.
"""

import importlib
import re

import pytest

HANGUL = re.compile(r"[가-힣]")

MESSAGES = {
    "accounts.api": ["INVALID_CREDENTIALS", "USERNAME_INVALID"],
    "accounts.services": ["USERNAME_TAKEN", "KIS_KEYS_REQUIRED"],
    "accounts.watchlists": [
        "WATCHLIST_NOT_FOUND",
        "WATCHLIST_NAME_TAKEN",
        "WATCHLIST_NAME_BLANK",
        "TOO_MANY_WATCHLISTS",
        "TOO_MANY_SYMBOLS",
        "UNKNOWN_SYMBOL",
        "SYMBOL_ALREADY_IN",
        "SYMBOL_NOT_IN",
        "ORDER_MISMATCH",
    ],
    "config.exceptions": ["DATABASE_UNAVAILABLE", "NOT_FOUND", "NO_API_ENDPOINT", "INVALID_INPUT", "SERVER_ERROR"],
    "config.inputs": ["CODE_INVALID"],
    "config.middleware": ["NUL_IN_REQUEST"],
    "config.ws": ["RATE_LIMITED", "TEXT_ONLY", "MESSAGE_TOO_LARGE", "NOT_JSON", "NOT_JSON_OBJECT"],
    "historical.selectors": ["UNKNOWN_SYMBOL", "TOO_MANY_BARS", "START_AFTER_END"],
    "historical.services": [
        "UNKNOWN_SYMBOLS",
        "START_AFTER_END",
        "START_REQUIRED",
        "CSV_NOT_BY_API",
        "UNKNOWN_INDEX",
        "PRICE_NOT_POSITIVE",
        "HIGH_BELOW_LOW",
        "HIGH_BELOW_OPEN_CLOSE",
        "LOW_ABOVE_OPEN_CLOSE",
        "NEGATIVE_VOLUME",
        "NEGATIVE_VALUE",
        "DUPLICATE_BAR",
    ],
    "jobs.consumers": ["READ_ONLY"],
    "jobs.services": [
        "JOB_ALREADY_FINISHED",
        "QUEUED",
        "RUNNING",
        "RUNNING_AGAIN",
        "DONE",
        "FAILED",
        "CANCELLING",
        "CANCELLED",
        "WORKER_LOST",
        "WORKER_LOST_ERROR",
        "SYMBOLS_PROGRESS",
        "SYMBOLS_SUMMARY",
        "SYMBOLS_FAILED_PART",
        "SYMBOLS_ALL_FAILED",
    ],
    "market.consumers": ["BAD_ACTION", "BAD_CODES", "UNKNOWN_CODES", "TOO_MANY_CODES", "READ_ONLY"],
    "market.selectors": [
        "MARKET_UNKNOWN",
        "TOO_MANY_CODES",
        "NO_CODES",
        "NO_QUOTE_YET",
        "NO_BOOK_YET",
        "INDICES_SIMULATED",
        "INDICES_STORED_CLOSE",
    ],
    "market.services": ["SYMBOL_NOT_FOUND", "SYMBOL_CODE_MALFORMED", "LISTING_EMPTY"],
    "market.venue": ["UNAVAILABLE", "NO_BOOK", "CLOSED", "CLOSED_UNTIL", "OPENS_AT"],
    "webhooks.services": [
        "ENDPOINT_NOT_FOUND",
        "DELIVERY_NOT_FOUND",
        "EVENTS_REQUIRED",
        "EVENT_UNKNOWN",
        "TOO_MANY_ENDPOINTS",
    ],
    "webhooks.transport": ["PRIVATE_TARGET", "UNRESOLVABLE", "BAD_SCHEME", "BAD_URL"],
}

# Values for the placeholders the messages name.
PLACEHOLDERS = {
    "code": "005930",
    "codes": "005930, 000660",
    "limit": 50,
    "path": "/api/v1/nowhere",
    "market": "NYSE",
    "event": "order.exploded",
    "choices": "order.filled, order.cancelled",
    "host": "example.com",
    "address": "10.0.0.1",
    "attempt": 2,
    "heartbeat": "2026-01-02 09:00:00",
    "done": 2,
    "total": 5,
    "rows": 1200,
    "rejected": 3,
    "count": 1,
    "summary": "2종목",
    "index": "KS11",
    "high": 90,
    "low": 95,
    "volume": -1,
    "value": -1,
    "name": "정규장",
    "when": "12월 4일(목) 08:30",
    "month": 12,
    "day": 4,
    "weekday": "목",
    "time": "08:30",
}


@pytest.mark.parametrize(("module", "name"), [(module, name) for module, names in MESSAGES.items() for name in names])
def test_the_message_is_korean_and_formats(module, name):
    message = str(getattr(importlib.import_module(module), name))
    assert HANGUL.search(message), (module, name, message)
    if "{" in message and '{"' not in message:  # a template (not a JSON example): every placeholder is known
        assert "{" not in message.format(**PLACEHOLDERS), (module, name, message)
