"""FinanceDataReader: daily KRX bars through the real `FinanceDataReader.DataReader(code, start, end)`.

For 6-digit KRX codes the library reads Naver's chart endpoint
(fchart.stock.naver.com/sise.nhn, an EUC-KR XML document of `<item data="YYYYMMDD|O|H|L|C|V" />`)
with the module-level `requests.get` and no timeout. We hand the library's module a `requests`
look-alike whose `get` goes through a session with a transport adapter that always sets a timeout,
fails on HTTP errors, and, when `HISTORICAL_FDR_BASE_URL` is set, sends the request to that host
instead (a mirror or proxy; the tests point it at a local fake server).

Market indices (KS11 KOSPI, KQ11 KOSDAQ) go through the same `DataReader(code, start, end)`: for them
FinanceDataReader reads one CSV a year from its KRX index cache
(raw.githubusercontent.com/FinanceData/fdr_krx_data_cache/.../data/index/year_ks11/2024.csv, columns
Date,Close,UpDown,Comp,Change,Open,High,Low,Volume,Amount,MarCap) with `pandas.read_csv(url)` and
drops any year that fails. We hand that module a `pandas` look-alike whose `read_csv` fetches URLs
through the same session (timeout, host swap): a missing year (404) is skipped as the library does,
any other failure is raised as a SourceError instead of silently leaving a gap.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import threading
import types
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from historical.sources.base import Bar, IndexBar, SourceError, day_start


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


def _stand_in(module: types.ModuleType, **overrides: Any) -> types.ModuleType:
    """A copy of `module` with some functions replaced, for a library module to use instead."""
    facade = types.ModuleType(f"{module.__name__}_through_our_session")
    facade.__dict__.update({k: v for k, v in vars(module).items() if not k.startswith("__")})
    facade.__dict__.update(overrides)
    return facade


def _install() -> None:
    from FinanceDataReader.naver import data as naver_data

    if getattr(naver_data.requests, "get", None) is not _get:
        naver_data.requests = _stand_in(requests, get=_get)


def _read_csv(source: Any, *args: Any, **kwargs: Any) -> pandas.DataFrame:
    if not (isinstance(source, str) and source.startswith(("http://", "https://"))):
        return pandas.read_csv(source, *args, **kwargs)
    try:
        response = _session().get(source)
        if response.status_code == 404:
            raise FileNotFoundError(source)  # a year the cache does not hold: the library skips it
        response.raise_for_status()
    except requests.RequestException as exc:
        _local.index_errors.append(exc)
        raise
    return pandas.read_csv(io.StringIO(response.text), *args, **kwargs)


def _install_index() -> None:
    from FinanceDataReader.krx import data as krx_data

    if getattr(krx_data.pd, "read_csv", None) is not _read_csv:
        krx_data.pd = _stand_in(pandas, read_csv=_read_csv)


def _to_decimal(value: Any) -> Decimal:
    number = float(value)
    return Decimal("0") if math.isnan(number) else Decimal(str(round(number, 2)))


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


def fetch_index(*, code: str, start: dt.date, end: dt.date) -> list[IndexBar]:
    """Daily bars of a market index (KS11, KQ11) with start <= day <= end, oldest first."""
    import FinanceDataReader

    _install_index()
    _local.index_errors = []
    try:
        frame = FinanceDataReader.DataReader(code, start.isoformat(), end.isoformat())
    except (ValueError, KeyError) as exc:
        raise SourceError(f"FinanceDataReader returned an unreadable answer for {code}: {exc}") from exc
    if _local.index_errors:
        raise SourceError(f"FinanceDataReader could not fetch {code}: {_local.index_errors[0]}")
    if frame is None or frame.empty:
        return []
    missing = {"Open", "High", "Low", "Close"} - set(frame.columns)
    if missing:
        raise SourceError(f"FinanceDataReader answer for {code} lacks columns {sorted(missing)}.")
    bars = []
    for stamp, row in frame.iterrows():
        day = stamp.date()
        if not (start <= day <= end):
            continue
        bars.append(
            IndexBar(
                time=day_start(day),
                open=_to_decimal(row["Open"]),
                high=_to_decimal(row["High"]),
                low=_to_decimal(row["Low"]),
                close=_to_decimal(row["Close"]),
                volume=_to_int(row["Volume"]) if "Volume" in frame.columns else 0,
                value=_to_int(row["Amount"]) if "Amount" in frame.columns else None,
            )
        )
    return bars
