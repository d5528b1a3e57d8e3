"""HTTP POSTs to users' endpoints that cannot be pointed into the platform's own network.

Every address the target's name resolves to is checked, and the connection goes to an address
that was checked (never a second lookup, so DNS rebinding cannot swap in another). Only global
unicast addresses pass unless `PAPERTRADE_WEBHOOKS_ALLOW_PRIVATE` is on (development): loopback,
RFC 1918, link-local (cloud metadata at 169.254.169.254), shared (100.64/10), reserved, multicast
and IPv4-mapped forms of those are refused. Redirects are not followed; proxies are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

PRIVATE_TARGET = _("{host}은(는) 내부망 주소({address})로 연결되어 보낼 수 없습니다. 공인 주소의 URL을 입력해 주세요.")
UNRESOLVABLE = _("{host}의 주소를 찾을 수 없습니다.")
BAD_SCHEME = _("웹훅 URL은 https://로 시작해야 합니다.")
BAD_URL = _("웹훅 URL이 올바르지 않습니다 (사용자 정보 없이 호스트를 적어 주세요).")
RESPONSE_LOG_BYTES = 1000


class UnsafeTarget(Exception):
    """The URL may not be called; the message says why, for a person."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def parse(url: str) -> Target:
    parts = urlsplit(url)
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeTarget(BAD_SCHEME)
    if not parts.hostname or parts.username or parts.password:
        raise UnsafeTarget(BAD_URL)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTarget(BAD_URL) from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path)


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return False
    return settings.WEBHOOKS_ALLOW_PRIVATE or ip.is_global


def resolve(target: Target) -> list[str]:
    """Every address of the target, all of them allowed; raises UnsafeTarget otherwise."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget(UNRESOLVABLE.format(host=target.host)) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if not address_allowed(address):
            raise UnsafeTarget(PRIVATE_TARGET.format(host=target.host, address=address))
    if not addresses:
        raise UnsafeTarget(UNRESOLVABLE.format(host=target.host))
    return addresses


def check_url(url: str) -> None:
    resolve(parse(url))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to a checked address while the Host header keeps the URL's name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url`; any failure (refused target, network, timeout) is in `error`."""
    started = time.monotonic()

    def done(status: int | None, text: str = "", error: str = "") -> Response:
        return Response(status, text, error[:500], int((time.monotonic() - started) * 1000))

    try:
        target = parse(url)
        addresses = resolve(target)
    except UnsafeTarget as exc:
        return done(None, error=str(exc))
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    last_error = ""
    for address in addresses:
        connection = kind(target.host, target.port, address, settings.WEBHOOKS_TIMEOUT)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(RESPONSE_LOG_BYTES).decode("utf-8", "replace")
            return done(response.status, text, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            if connection.sock is not None:  # connected: the request may have arrived, never send it twice
                break
        finally:
            connection.close()
    return done(None, error=last_error or "connection failed")
