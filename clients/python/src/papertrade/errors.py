"""Exceptions carrying what the API said.

Every error the API answers is `{"error": {"code", "message", "fields": {name: [messages]}}}`;
`ApiError.from_response` turns it into the exception of its status, with the message as the
exception's text so that `print(exc)` shows the person what went wrong.
"""

from __future__ import annotations

from typing import Any

import httpx


class PapertradeError(Exception):
    """Base of every error this package raises."""


class ApiError(PapertradeError):
    """The API refused a request. `message` is meant for a person; `fields` maps input names to messages."""

    def __init__(
        self, message: str, *, status: int, code: str = "error", fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.fields: dict[str, list[str]] = fields or {}

    def __str__(self) -> str:
        extra = [f"{name}: {' '.join(messages)}" for name, messages in self.fields.items() if messages]
        shown = [m for m in extra if m.split(": ", 1)[1] not in self.message]
        return self.message + (f" ({'; '.join(shown)})" if shown else "")

    @staticmethod
    def from_response(response: httpx.Response) -> ApiError:
        code, message, fields = "error", "", {}
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            code = str(error.get("code") or code)
            message = str(error.get("message") or "")
            raw_fields = error.get("fields") or {}
            if isinstance(raw_fields, dict):
                fields = {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in raw_fields.items()}
        if not message:
            text = response.text.strip()
            message = text[:200] if text and not text.startswith("<") else f"HTTP {response.status_code}"
        status = response.status_code
        cls: type[ApiError] = ApiError
        if code in ("not_authenticated", "authentication_failed"):
            cls = AuthenticationError  # DRF answers these 403 when session auth comes first
        elif status in (400, 422):
            cls = InvalidRequest
        elif status == 401:
            cls = AuthenticationError
        elif status == 403:
            cls = PermissionDenied
        elif status == 404:
            cls = NotFound
        elif status == 409:
            cls = Conflict
        elif status == 429:
            cls = RateLimited
        elif status >= 500:
            cls = ServerError
        error_obj = cls(message, status=status, code=code, fields=fields)
        if isinstance(error_obj, RateLimited | ServerError):
            error_obj.retry_after = _retry_after(response)
        return error_obj


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class InvalidRequest(ApiError):
    """400 or 422: the input broke a rule (see `fields`)."""


class AuthenticationError(ApiError):
    """Not logged in, or the token is wrong (401, or 403 with code not_authenticated)."""


class PermissionDenied(ApiError):
    """403: logged in, but not allowed (e.g. a staff-only action, or a missing CSRF token on a session)."""


class NotFound(ApiError):
    """404: no such thing, or it belongs to another user (the API does not tell the two apart)."""


class Conflict(ApiError):
    """409: the thing is in a state that forbids the action."""


class RateLimited(ApiError):
    """429: the API's throttle; `retry_after` says how many seconds to wait, when the API said."""

    retry_after: float | None = None


class ServerError(ApiError):
    """5xx: nothing was changed; retry later (`retry_after` when the API said)."""

    retry_after: float | None = None


class StreamError(PapertradeError):
    """A stream was refused for good (not logged in, unknown code, too many mistakes); not retried."""

    def __init__(self, message: str, *, close_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.close_code = close_code
