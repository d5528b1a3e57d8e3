"""Structured logs for production: one JSON object per line on stderr, from every process.

config/settings/production.py points the console handler at JsonFormatter. Importing this module
(which Django's logging set-up does in production) also stops Celery from replacing that set-up
with its own plain-text one in workers and beat, so their lines are JSON too.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from celery.signals import setup_logging

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers in production."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.processName,
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


@setup_logging.connect
def keep_django_logging(**kwargs: Any) -> None:
    """Celery calls this instead of installing its own handlers: Django's LOGGING stays in force.

    Connected only where this module is imported, i.e. where production logging is configured; the
    embedded default and local runs keep Celery's usual console output.
    """
