"""A local KIS Open API server for tests: the approval endpoint over HTTP and the real-time
WebSocket, speaking the frames KIS sends (registration answers, `|`/`^` data frames, PINGPONG).

The record layouts are written out here from KIS's documentation, independently of the adapter.
Like KIS, the server sends index records (H0UPCNT0) only for the 업종코드 a client registered.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from websockets.asyncio.server import serve

# H0STCNT0 (국내주식 실시간체결가): 46 fields per record, in this order.
CNT_LAYOUT = (
    "MKSC_SHRN_ISCD STCK_CNTG_HOUR STCK_PRPR PRDY_VRSS_SIGN PRDY_VRSS PRDY_CTRT WGHN_AVRG_STCK_PRC STCK_OPRC "
    "STCK_HGPR STCK_LWPR ASKP1 BIDP1 CNTG_VOL ACML_VOL ACML_TR_PBMN SELN_CNTG_CSNU SHNU_CNTG_CSNU NTBY_CNTG_CSNU "
    "CTTR SELN_CNTG_SMTN SHNU_CNTG_SMTN CCLD_DVSN SHNU_RATE PRDY_VOL_VRSS_ACML_VOL_RATE OPRC_HOUR "
    "OPRC_VRSS_PRPR_SIGN OPRC_VRSS_PRPR HGPR_HOUR HGPR_VRSS_PRPR_SIGN HGPR_VRSS_PRPR LWPR_HOUR LWPR_VRSS_PRPR_SIGN "
    "LWPR_VRSS_PRPR BSOP_DATE NEW_MKOP_CLS_CODE TRHT_YN ASKP_RSQN1 BIDP_RSQN1 TOTAL_ASKP_RSQN TOTAL_BIDP_RSQN "
    "VOL_TNRT PRDY_SMNS_HOUR_ACML_VOL PRDY_SMNS_HOUR_ACML_VOL_RATE HOUR_CLS_CODE MRKT_TRTM_CLS_CODE VI_STND_PRC"
).split()
# H0STASP0 (국내주식 실시간호가): 59 fields per record.
ASP_LAYOUT = (
    ["MKSC_SHRN_ISCD", "BSOP_HOUR", "HOUR_CLS_CODE"]
    + [f"ASKP{i}" for i in range(1, 11)]
    + [f"BIDP{i}" for i in range(1, 11)]
    + [f"ASKP_RSQN{i}" for i in range(1, 11)]
    + [f"BIDP_RSQN{i}" for i in range(1, 11)]
    + (
        "TOTAL_ASKP_RSQN TOTAL_BIDP_RSQN OVTM_TOTAL_ASKP_RSQN OVTM_TOTAL_BIDP_RSQN ANTC_CNPR ANTC_CNQN ANTC_VOL "
        "ANTC_CNTG_VRSS ANTC_CNTG_VRSS_SIGN ANTC_CNTG_PRDY_CTRT ACML_VOL TOTAL_ASKP_RSQN_ICDC TOTAL_BIDP_RSQN_ICDC "
        "OVTM_TOTAL_ASKP_ICDC OVTM_TOTAL_BIDP_ICDC STCK_DEAL_CLS_CODE"
    ).split()
)
# H0STMKO0 (국내주식 장운영정보, sent when a VI starts or ends): 11 fields per record.
MKO_LAYOUT = (
    "MKSC_SHRN_ISCD TRHT_YN TR_SUSP_REAS_CNTT MKOP_CLS_CODE ANTC_MKOP_CLS_CODE MRKT_TRTM_CLS_CODE "
    "DIVI_APP_CLS_CODE ISCD_STAT_CLS_CODE VI_CLS_CODE OVTM_VI_CLS_CODE EXCH_CLS_CODE"
).split()
# H0UPCNT0 (국내지수 실시간체결, tr_key the 업종코드: 0001 KOSPI, 1001 KOSDAQ): 30 fields per record
# (KIS open-trading-api, examples_llm/domestic_stock/index_ccnl/).
UPCNT_LAYOUT = (
    "BSTP_CLS_CODE BSOP_HOUR PRPR_NMIX PRDY_VRSS_SIGN BSTP_NMIX_PRDY_VRSS ACML_VOL ACML_TR_PBMN PCAS_VOL "
    "PCAS_TR_PBMN PRDY_CTRT OPRC_NMIX NMIX_HGPR NMIX_LWPR OPRC_VRSS_NMIX_PRPR OPRC_VRSS_NMIX_SIGN "
    "HGPR_VRSS_NMIX_PRPR HGPR_VRSS_NMIX_SIGN LWPR_VRSS_NMIX_PRPR LWPR_VRSS_NMIX_SIGN PRDY_CLPR_VRSS_OPRC_RATE "
    "PRDY_CLPR_VRSS_HGPR_RATE PRDY_CLPR_VRSS_LWPR_RATE UPLM_ISSU_CNT ASCN_ISSU_CNT STNR_ISSU_CNT DOWN_ISSU_CNT "
    "LSLM_ISSU_CNT QTQT_ASCN_ISSU_CNT QTQT_DOWN_ISSU_CNT TICK_VRSS"
).split()
INDEX_TR_ID = "H0UPCNT0"
KOSPI_SECTOR, KOSDAQ_SECTOR = "0001", "1001"
APPROVAL_KEY = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
APP_KEY = "PSfakeappkey0123456789"
APP_SECRET = "fake-secret/+=0123456789abcdef"


def cnt_record(**values: Any) -> str:
    defaults = {name: "0" for name in CNT_LAYOUT}
    defaults.update(
        {
            "PRDY_VRSS_SIGN": "3",
            "PRDY_CTRT": "0.00",
            "WGHN_AVRG_STCK_PRC": "0.00",
            "TRHT_YN": "N",
            "NEW_MKOP_CLS_CODE": "20",
            "HOUR_CLS_CODE": "0",
            "MRKT_TRTM_CLS_CODE": "N",
        }
    )
    defaults.update({k: str(v) for k, v in values.items()})
    return "^".join(defaults[name] for name in CNT_LAYOUT)


def asp_record(**values: Any) -> str:
    defaults = {name: "0" for name in ASP_LAYOUT}
    defaults.update({"HOUR_CLS_CODE": "0", "ANTC_CNTG_VRSS_SIGN": "3", "ANTC_CNTG_PRDY_CTRT": "0.00"})
    defaults.update({k: str(v) for k, v in values.items()})
    return "^".join(defaults[name] for name in ASP_LAYOUT)


def mko_record(**values: Any) -> str:
    defaults = {name: "" for name in MKO_LAYOUT}
    defaults.update({"TRHT_YN": "N", "TR_SUSP_REAS_CNTT": "(null)", "ISCD_STAT_CLS_CODE": "55", "VI_CLS_CODE": "N",
                     "OVTM_VI_CLS_CODE": "N", "EXCH_CLS_CODE": "1"})  # fmt: skip
    defaults.update({k: str(v) for k, v in values.items()})
    return "^".join(defaults[name] for name in MKO_LAYOUT)


def upcnt_record(**values: Any) -> str:
    """Levels as KIS writes them: points with two decimals ("2612.35"), a signed change."""
    defaults = {name: "0" for name in UPCNT_LAYOUT}  # volumes, values, counts of issues
    defaults.update({name: "0.00" for name in UPCNT_LAYOUT if "NMIX" in name or name.endswith(("CTRT", "RATE"))})
    defaults.update({name: "3" for name in UPCNT_LAYOUT if name.endswith("SIGN")})  # 3: 보합
    defaults.update({k: str(v) for k, v in values.items()})
    return "^".join(defaults[name] for name in UPCNT_LAYOUT)


def frame(tr_id: str, records: list[str]) -> str:
    return f"0|{tr_id}|{len(records):03d}|" + "^".join(records)


def pingpong(at: str = "20240612100000") -> str:
    return json.dumps({"header": {"tr_id": "PINGPONG", "datetime": at}})


class FakeKis:
    """Start with `async with FakeKis() as kis:`; then `kis.rest_url`, `kis.ws_url`."""

    def __init__(self, *, max_registrations: int = 41) -> None:
        self.max_registrations = max_registrations
        self.approvals: list[dict[str, Any]] = []
        self.connections: list[list[dict[str, Any]]] = []  # registration messages per connection
        self.received: list[str] = []  # every text message from clients
        self.active: set[tuple[str, str]] = set()  # (tr_id, code) registered and not unregistered
        self.connected = asyncio.Event()
        self.registered = asyncio.Event()
        self.refuse_keys = False
        self.stale_keys: list[str] = []  # handed out first; the WebSocket then refuses them
        self._sockets: list[Any] = []
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._http_handler())
        self._http_thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def _http_handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.approvals.append(body)
                ok = (
                    self.path == "/oauth2/Approval"
                    and body == {"grant_type": "client_credentials", "appkey": APP_KEY, "secretkey": APP_SECRET}
                    and not fake.refuse_keys
                )
                if ok:
                    key = fake.stale_keys.pop(0) if fake.stale_keys else APPROVAL_KEY
                    status, answer = 200, {"approval_key": key}
                else:
                    status, answer = 403, {"error_description": "유효하지 않은 AppKey입니다.", "error_code": "EGW00103"}
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    async def _ws_handler(self, ws: Any) -> None:
        registrations: list[dict[str, Any]] = []
        self.connections.append(registrations)
        self.active = set()  # registrations belong to a session
        self._sockets.append(ws)
        self.connected.set()
        async for raw in ws:
            self.received.append(raw)
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if message.get("header", {}).get("tr_id") == "PINGPONG":
                continue
            header, tr = message["header"], message["body"]["input"]
            registrations.append(message)
            key = (tr["tr_id"], tr["tr_key"])
            if header.get("tr_type") == "2":
                self.active.discard(key)
            else:
                self.active.add(key)
            if header.get("approval_key") != APPROVAL_KEY:
                answer = {"rt_cd": "9", "msg_cd": "OPSP0011", "msg1": "invalid approval : NOT FOUND"}
            elif len(registrations) > self.max_registrations:
                answer = {"rt_cd": "1", "msg_cd": "OPSP0008", "msg1": "MAX SUBSCRIBE OVER"}
            else:
                answer = {
                    "rt_cd": "0",
                    "msg_cd": "OPSP0000",
                    "msg1": "SUBSCRIBE SUCCESS",
                    "output": {"iv": "0123456789abcdef", "key": "abcdefghijklmnopqrstuvwxyz123456"},
                }
            await ws.send(
                json.dumps({"header": {"tr_id": tr["tr_id"], "tr_key": tr["tr_key"], "encrypt": "N"}, "body": answer})
            )
            self.registered.set()

    async def send(self, text: str) -> None:
        """Send to the latest client connection."""
        await self._sockets[-1].send(text)

    def index_registrations(self) -> list[dict[str, Any]]:
        """The latest connection's H0UPCNT0 registration messages, in the order received."""
        return [m for m in self.connections[-1] if m["body"]["input"]["tr_id"] == INDEX_TR_ID]

    async def send_index(self, *records: str) -> None:
        """One H0UPCNT0 frame of `records` (upcnt_record), each for an 업종코드 the client registered."""
        for record in records:
            sector = record.split("^", 1)[0]
            if (INDEX_TR_ID, sector) not in self.active:
                raise AssertionError(f"KIS sends no H0UPCNT0 for {sector!r}: it is not registered")
        await self.send(frame(INDEX_TR_ID, list(records)))

    async def drop(self) -> None:
        """Close the latest connection like a server restart would."""
        await self._sockets[-1].close(code=1011, reason="server restart")

    async def __aenter__(self) -> FakeKis:
        self._http_thread.start()
        self._ws = await serve(self._ws_handler, "127.0.0.1", 0)
        port = self._ws.sockets[0].getsockname()[1]
        self.rest_url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self.ws_url = f"ws://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._ws.close()
        await self._ws.wait_closed()
        self._http.shutdown()
        self._http.server_close()
