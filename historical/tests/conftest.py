"""Fixtures of the historical tests: symbols, and a local fake of the FinanceDataReader web source.

FinanceDataReader reads 6-digit KRX codes from Naver's chart endpoint
(GET https://fchart.stock.naver.com/sise.nhn?timeframe=day&count=6000&requestType=0&symbol=CODE),
which answers an EUC-KR XML document with one `<item data="YYYYMMDD|open|high|low|close|volume" />`
per day. The fake below answers in that format on 127.0.0.1; HISTORICAL_FDR_BASE_URL sends the
library's requests there (only the host changes: path and query are the library's own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from market.models import Symbol


@dataclass
class FakeNaverChart:
    url: str = ""
    # code -> rows (YYYYMMDD, open, high, low, close, volume)
    rows: dict[str, list[tuple[str, int, int, int, int, int]]] = field(default_factory=dict)
    fail_next: int = 0  # answer 503 to this many requests first
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)

    def body(self, code: str) -> bytes:
        items = "\n".join(f'\t\t<item data="{d}|{o}|{h}|{lo}|{c}|{v}" />' for d, o, h, lo, c, v in self.rows[code])
        xml = (
            '<?xml version="1.0" encoding="EUC-KR" ?>\n<protocol>\n'
            f'\t<chartdata symbol="{code}" name="삼성전자" count="{len(self.rows[code])}" timeframe="day" '
            'precision="0" origintime="19900103">\n'
            f"{items}\n\t</chartdata>\n</protocol>\n"
        )
        return xml.encode("euc-kr")


@pytest.fixture
def naver_chart(settings) -> Iterator[FakeNaverChart]:
    fake = FakeNaverChart()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            fake.requests.append(self.path)
            if fake.delay:
                time.sleep(fake.delay)
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if fake.fail_next > 0:
                fake.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                return
            if parts.path != "/sise.nhn" or query.get("timeframe") != ["day"]:
                self.send_response(404)
                self.end_headers()
                return
            code = query.get("symbol", [""])[0]
            if code not in fake.rows:
                # Naver answers 200 with an empty chartdata for unknown symbols.
                body = b'<?xml version="1.0" encoding="EUC-KR" ?>\n<protocol>\n</protocol>\n'
            else:
                body = fake.body(code)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml;charset=EUC-KR")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out first (the timeout test)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.HISTORICAL_FDR_BASE_URL = fake.url
    settings.HISTORICAL_FDR_TIMEOUT = 2
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def samsung(db) -> Symbol:
    return Symbol.objects.create(code="005930", name="삼성전자", market="KOSPI", sector="Electronics")


@pytest.fixture
def hynix(db) -> Symbol:
    return Symbol.objects.create(code="000660", name="SK하이닉스", market="KOSPI", sector="Electronics")
