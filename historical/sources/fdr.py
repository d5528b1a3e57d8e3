"""FinanceDataReader: daily KRX bars through the real `FinanceDataReader.DataReader(code, start, end)`.

For 6-digit KRX codes the library reads Naver's chart endpoint
(fchart.stock.naver.com/sise.nhn, an EUC-KR XML document of `<item data="YYYYMMDD|O|H|L|C|V" />`)
with the module-level `requests.get` and no timeout. We hand the library's module a `requests`
look-alike whose `get` goes through a session with a transport adapter that always sets a timeout,
fails on HTTP errors, and, when `HISTORICAL_FDR_BASE_URL` is set, sends the request to that host
instead (a mirror or proxy; the tests point it at a local fake server).
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import types
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from historical.sources.base import Bar, SourceError, day_start


class SourceTransport(HTTPAdapter):
    """Every request gets a timeout; the host is swapped for HISTORICAL_FDR_BASE_URL when set."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = settings.HISTORICAL_FDR_TIMEOUT
        base = settings.HISTORICAL_FDR_BASE_URL
        if base and request.url:
            target = urlsplit(base)
            original = urlsplit(request.url)
            request.url = urlunsplit((target.scheme, target.netloc, original.path, original.query, ""))
        return super().send(request, **kwargs)


_local = threading.local()


def _session() -> requests.Session:
    # A session per thread: requests sessions are not documented as thread-safe.
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        adapter = SourceTransport(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


def _get(url: str, **kwargs: Any) -> requests.Response:
    response = _session().get(url, **kwargs)
    response.raise_for_status()
    return response


def _requests_for_library() -> types.ModuleType:
    """A stand-in for the `requests` module inside FinanceDataReader's Naver reader."""
    facade = types.ModuleType("requests_with_timeouts")
    facade.__dict__.update({k: v for k, v in vars(requests).items() if not k.startswith("__")})
    facade.get = _get  # type: ignore[attr-defined]
    return facade


def _install() -> None:
    from FinanceDataReader.naver import data as naver_data

    if getattr(naver_data.requests, "get", None) is not _get:
        naver_data.requests = _requests_for_library()


def _to_int(value: Any) -> int:
    number = float(value)
    if math.isnan(number):
        return 0  # rejected by the sanity checks as a non-positive price and reported
    return int(round(number))


class FdrSource:
    name = "fdr"
    simulated = False

    def fetch(self, *, code: str, start: dt.date, end: dt.date) -> list[Bar]:
        import FinanceDataReader

        _install()
        try:
            frame = FinanceDataReader.DataReader(code, start.isoformat(), end.isoformat())
        except requests.RequestException as exc:
            raise SourceError(f"FinanceDataReader could not fetch {code}: {exc}") from exc
        except (ValueError, KeyError) as exc:
            raise SourceError(f"FinanceDataReader returned an unreadable answer for {code}: {exc}") from exc
        if frame is None or frame.empty:
            return []
        missing = {"Open", "High", "Low", "Close", "Volume"} - set(frame.columns)
        if missing:
            raise SourceError(f"FinanceDataReader answer for {code} lacks columns {sorted(missing)}.")
        has_value = "Amount" in frame.columns
        bars = []
        for stamp, row in frame.iterrows():
            day = stamp.date()
            if not (start <= day <= end):
                continue
            bars.append(
                Bar(
                    time=day_start(day),
                    open=_to_int(row["Open"]),
                    high=_to_int(row["High"]),
                    low=_to_int(row["Low"]),
                    close=_to_int(row["Close"]),
                    volume=_to_int(row["Volume"]),
                    value=_to_int(row["Amount"]) if has_value else None,
                )
            )
        return bars
