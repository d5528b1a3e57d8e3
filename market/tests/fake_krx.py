"""A local stand-in for the web sources FinanceDataReader's StockListing('KRX') reads, at their wire
format: KRX's resource-bundle JSON (the last business day) and the fdr_krx_data_cache CSV on
raw.githubusercontent.com. Requests from the library are sent here by swapping the transport only
(a requests adapter and a urllib opener), so the library's own code runs unchanged."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

LISTING_DATE = "20260714"
# Header and rows in the cache's real layout (index column, then KRX's fields renamed by FDR).
LISTING_CSV = (
    ",Code,ISU_CD,Name,Market,Dept,Close,ChangeCode,Changes,ChagesRatio,Open,High,Low,Volume,Amount,Marcap,Stocks,MarketId\n"
    "0,005930,KR7005930003,삼성전자,KOSPI,,257500,1,3000,1.18,255000,270000,247000,27690268,7155847767250,1505416741560000,5846278608,STK\n"
    "1,000660,KR7000660001,SK하이닉스,KOSPI,,1752000,2,-93000,-5.04,1825000,1929000,1678000,7117786,12835159271500,1248654543480000,712702365,STK\n"
    "2,196170,KR7196170005,알테오젠,KOSDAQ GLOBAL,우량기업부,258500,2,-58000,-18.33,304000,311000,253000,"
    "970432,269510329000,13852069665500,53586343,KSQ\n"
    "3,277810,KR7277810008,레인보우로보틱스,KOSDAQ,기술성장기업부,387000,2,-28000,-6.75,414000,414000,377000,59266,23395914750,7507745046000,19399858,KSQ\n"
    "4,0126Z0,KR70126Z0002,삼성에피스홀딩스,KOSPI,,395000,1,17000,4.5,391000,434500,373500,103324,41643524000,9828804355000,24883049,STK\n"
    "5,217320,KR7217320001,썬테크,KONEX,일반기업부,2150,3,0,0.0,0,0,0,0,0,9568750000,4450581,KNX\n"
)


class FakeKrxSources:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (original host, path with query)
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                host = self.headers.get("X-Original-Host") or self.headers.get("Host", "")
                fake.requests.append((host, self.path))
                if self.path.startswith("/comm/bldAttendant/executeForResourceBundle.cmd"):
                    body = json.dumps({"result": {"output": [{"max_work_dt": LISTING_DATE}]}}).encode()
                    ctype = "application/json;charset=UTF-8"
                elif self.path == (
                    "/FinanceData/fdr_krx_data_cache/refs/heads/master/data/listing/krx/"
                    f"{LISTING_DATE[:4]}-{LISTING_DATE[4:6]}-{LISTING_DATE[6:]}.csv"
                ):
                    body = LISTING_CSV.encode()
                    ctype = "text/plain; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def local(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))

    @contextmanager
    def serving(self, monkeypatch) -> Iterator[FakeKrxSources]:
        fake = self

        class LocalAdapter(HTTPAdapter):
            def send(self, request, **kwargs):
                request.headers["X-Original-Host"] = urlsplit(request.url).netloc
                request.url = fake.local(request.url)
                return super().send(request, **kwargs)

        adapter = LocalAdapter()

        class LocalHandler(urllib.request.BaseHandler):
            handler_order = 100

            def _redirect(self, req):
                req.add_unredirected_header("X-Original-host", urlsplit(req.full_url).netloc)
                req.full_url = fake.local(req.full_url)
                return req

            http_request = https_request = _redirect

        monkeypatch.setattr(requests.sessions.Session, "get_adapter", lambda session, url: adapter)
        monkeypatch.setattr(urllib.request, "_opener", urllib.request.build_opener(LocalHandler()))
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
