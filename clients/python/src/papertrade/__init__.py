"""papertrade: the KRX paper-trading platform's API from Python (client, streams, CLI, MCP server)."""

from papertrade.client import DEFAULT_URL, Client
from papertrade.errors import (
    ApiError,
    AuthenticationError,
    Conflict,
    InvalidRequest,
    NotFound,
    PapertradeError,
    PermissionDenied,
    RateLimited,
    ServerError,
    StreamError,
)

__all__ = [
    "DEFAULT_URL",
    "ApiError",
    "AuthenticationError",
    "Client",
    "Conflict",
    "InvalidRequest",
    "NotFound",
    "PapertradeError",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "StreamError",
]
