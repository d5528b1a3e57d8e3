"""Webhooks end to end: real HTTP receivers on 127.0.0.1, orders placed through the API, deliveries
signed, retried and logged, and targets inside the platform's network refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from orders.tests.factories import account_in_deep_market
from webhooks import services, signing, tasks, transport
from webhooks.enums import DeliveryStatus
from webhooks.models import Delivery, Endpoint


class Receiver:
    """A real HTTP server that records each request and answers with the next planned status."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[dict] = []
        self.times: list[float] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                receiver.times.append(time.monotonic())
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/papertrade?src=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.requests) >= count, self.requests

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify_as_documented(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The recipe of docs/webhooks.md, written out as a receiver would (not our signing module)."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


@pytest.fixture
def dev_settings(settings):
    settings.TASK_MODE = "eager"
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_RETRY_DELAYS = [0.05, 0.2]
    services.users_forget()
    yield settings
    services.users_forget()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made: list[Receiver] = []

    def make(statuses: list[int]) -> Receiver:
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def register(client, url: str, events: list[str]) -> dict:
    response = client.post("/api/v1/webhooks", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_verifies_the_signature_of_each_order_event(auth_client, user, dev_settings, receiver):
    hook = receiver([200])
    endpoint = register(auth_client, hook.url, ["order.accepted", "order.filled", "order.cancelled"])
    assert endpoint["secret"].startswith("whsec_")
    assert "secret" not in auth_client.get(f"/api/v1/webhooks/{endpoint['id']}").json()
    account = account_in_deep_market(user)

    response = auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "market", "quantity": 3},
        format="json",
    )
    assert response.status_code == 201, response.content
    order_id = response.json()["id"]
    hook.wait_for(2)

    bodies = []
    for request in hook.requests:
        headers, body = request["headers"], request["body"]
        assert request["path"] == "/hooks/papertrade?src=test"
        assert verify_as_documented(endpoint["secret"], headers[signing.SIGNATURE_HEADER], body)
        assert signing.verify(endpoint["secret"], headers[signing.SIGNATURE_HEADER], body)
        # Another secret, or one byte changed, and the signature no longer holds.
        assert not verify_as_documented("whsec_other", headers[signing.SIGNATURE_HEADER], body)
        assert not signing.verify(endpoint["secret"], headers[signing.SIGNATURE_HEADER], body + b" ")
        payload = json.loads(body)
        assert headers[signing.EVENT_HEADER] == payload["type"]
        bodies.append(payload)
    by_type = {b["type"]: b for b in bodies}
    assert by_type["order.accepted"]["data"]["order"]["id"] == order_id
    assert by_type["order.accepted"]["id"] == f"order.accepted:{order_id}"
    fill = by_type["order.filled"]["data"]
    assert fill["trade"]["order"] == order_id and fill["trade"]["quantity"] == 3 and fill["trade"]["price"] == 70_000

    # A cancellation of a resting order is its own event.
    resting = auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "limit", "quantity": 1, "price": 60_000},
        format="json",
    ).json()
    assert auth_client.post(f"/api/v1/orders/{resting['id']}/cancel").status_code == 200
    hook.wait_for(4)
    assert json.loads(hook.requests[-1]["body"])["type"] == "order.cancelled"

    # The delivery log, in the API.
    log = auth_client.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").json()["results"]
    assert len(log) == 4 and {d["status"] for d in log} == {"succeeded"} and {d["attempts"] for d in log} == {1}
    detail = auth_client.get(f"/api/v1/webhooks/deliveries/{log[0]['id']}").json()
    assert detail["attempt_log"][0]["status_code"] == 200 and detail["payload"]["type"] == "order.cancelled"


@pytest.mark.django_db(transaction=True)
def test_events_an_endpoint_did_not_choose_are_not_sent(auth_client, user, dev_settings, receiver):
    hook = receiver([200])
    register(auth_client, hook.url, ["order.cancelled"])
    account = account_in_deep_market(user)
    auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "market", "quantity": 1},
        format="json",
    )
    assert Delivery.objects.count() == 0 and hook.requests == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_with_back_off_then_marked_failed(auth_client, user, dev_settings, receiver):
    hook = receiver([500])
    endpoint = register(auth_client, hook.url, ["order.accepted"])
    account = account_in_deep_market(user)
    auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "limit", "quantity": 1, "price": 60_000},
        format="json",
    )
    hook.wait_for(3)
    delivery = Delivery.objects.get(endpoint_id=endpoint["id"])
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 500, 500]
    gaps = [later - earlier for earlier, later in zip(hook.times, hook.times[1:], strict=False)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.2  # the configured back-off
    # Every try carries the same event and body, each signed anew.
    assert len({r["body"] for r in hook.requests}) == 1
    assert all(
        verify_as_documented(endpoint["secret"], r["headers"][signing.SIGNATURE_HEADER], r["body"])
        for r in hook.requests
    )
    time.sleep(0.3)
    assert len(hook.requests) == 3  # and then no more

    # Redelivered by hand once the receiver is fixed.
    hook.statuses[:] = [204]
    assert auth_client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver").status_code == 202
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_recovers_gets_the_delivery_on_a_retry_in_the_embedded_task_runner(
    auth_client, user, dev_settings, receiver
):
    dev_settings.TASK_MODE = "thread"  # the embedded default: tasks and retry timers in-process
    hook = receiver([503, 200])
    endpoint = register(auth_client, hook.url, ["order.accepted"])
    account = account_in_deep_market(user)
    auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "limit", "quantity": 1, "price": 60_000},
        format="json",
    )
    hook.wait_for(2)
    deadline = time.monotonic() + 5
    while Delivery.objects.get(endpoint_id=endpoint["id"]).status == DeliveryStatus.PENDING:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    delivery = Delivery.objects.get(endpoint_id=endpoint["id"])
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 2
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, 200]


@pytest.mark.django_db
def test_a_private_target_is_refused_when_the_setting_is_off(auth_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    for url, message in [
        ("https://127.0.0.1/hook", "내부망"),
        ("https://localhost:8000/hook", "내부망"),
        ("https://169.254.169.254/latest/meta-data", "내부망"),
        ("https://[::ffff:10.0.0.1]/hook", "내부망"),
        ("http://127.0.0.1/hook", "https://"),
        ("https://user:pw@127.0.0.1/hook", "사용자 정보"),
        ("https://no-such-host.invalid/hook", "찾을 수 없습니다"),
    ]:
        response = auth_client.post("/api/v1/webhooks", {"url": url, "events": ["order.filled"]}, format="json")
        assert response.status_code == 422, url  # a well-formed URL the SSRF rule refuses
        assert message in response.json()["error"]["fields"]["url"][0], (url, response.json())
    assert Endpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.0.10", False),
        ("127.0.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_global_addresses_pass(settings, address, allowed):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    assert transport.address_allowed(address) is allowed


def test_a_name_with_any_private_address_is_refused_and_the_checked_address_is_the_one_dialled(settings, monkeypatch):
    """DNS is outside the machine: it is faked at socket.getaddrinfo, where its answers come in."""
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    answers = {"hooks.example.com": ["93.184.216.35", "10.0.0.5"], "ok.example.com": ["93.184.216.34"]}

    def getaddrinfo(host, port, *args, **kwargs):
        import socket

        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr("socket.getaddrinfo", getaddrinfo)
    with pytest.raises(transport.UnsafeTarget, match="10.0.0.5"):
        transport.check_url("https://hooks.example.com/x")
    dialled = []

    def create_connection(address, timeout=None, *args, **kwargs):
        dialled.append(address)
        answers["ok.example.com"] = ["127.0.0.1"]  # a rebinding answer for any later lookup
        raise ConnectionRefusedError("no route in the test")

    monkeypatch.setattr("socket.create_connection", create_connection)
    result = transport.post("https://ok.example.com/x", b"{}", {})
    assert dialled == [("93.184.216.34", 443)] and not result.ok and "ConnectionRefusedError" in result.error


@pytest.mark.django_db(transaction=True)
def test_a_target_that_turned_private_is_not_called_and_the_try_is_logged(auth_client, user, dev_settings, receiver):
    hook = receiver([200])
    endpoint = register(auth_client, hook.url, ["order.accepted"])
    dev_settings.WEBHOOKS_ALLOW_PRIVATE = False
    dev_settings.WEBHOOKS_RETRY_DELAYS = []
    account = account_in_deep_market(user)
    auth_client.post(
        "/api/v1/orders",
        {"account": account.pk, "symbol": "005930", "side": "buy", "type": "limit", "quantity": 1, "price": 60_000},
        format="json",
    )
    delivery = Delivery.objects.get(endpoint_id=endpoint["id"])
    assert delivery.status == DeliveryStatus.FAILED and "https://" in delivery.last_error
    assert hook.requests == []


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_deliveries_whose_timer_was_lost(user, dev_settings, receiver):
    hook = receiver([200])
    endpoint, _ = services.endpoint_create(owner=user, url=hook.url, events=["deployment.error"])
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event="deployment.error",
        event_id="deployment.error:1:1",
        payload={"id": "deployment.error:1:1", "type": "deployment.error", "data": {}},
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert tasks.deliver_due() == 1
    hook.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert tasks.deliver_due() == 0
    # A try that finds the delivery finished (a duplicate task) sends nothing.
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert len(hook.requests) == 1
    # The log keeps finished deliveries for WEBHOOKS_LOG_DAYS.
    assert services.deliveries_prune(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert services.deliveries_prune(now=timezone.now() + dt.timedelta(days=31)) == 2  # the delivery and its try
    assert not Delivery.objects.filter(pk=delivery.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_strategy_runs_and_deployment_errors_are_events(user, dev_settings, receiver):
    from strategies import services as strategy_services
    from strategies.models import Deployment, StrategyRun
    from strategies.tests.factories import zigzag_market

    hook = receiver([200])
    endpoint, secret = services.endpoint_create(
        owner=user, url=hook.url, events=["strategy_run.finished", "deployment.error"]
    )
    dates = zigzag_market()
    strategy = strategy_services.strategy_create(
        owner=user,
        name="mine",
        symbols=["000010", "000020"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
    )
    run = StrategyRun.objects.create(strategy=strategy, kind="backtest")
    strategy_services.run_finish(run_id=run.pk, status="failed", error="boom")
    hook.wait_for(1)
    body = json.loads(hook.requests[0]["body"])
    assert body["type"] == "strategy_run.finished" and body["data"]["run"] == run.pk
    assert body["data"]["status"] == "failed" and body["data"]["error"] == "boom"

    from orders.models import Account

    account = Account.objects.create(owner=user, name="dep", initial_cash=0)
    # A deployment whose model file is missing: its tick fails on the worker, as a lost artifact would.
    deployment = Deployment.objects.create(strategy=strategy, account=account, model_run=run)
    from market import clock, timetable
    from strategies.rl.live import FAILED, deployment_step, execution_window

    # A deployment acts once a trading day, in its execution window (the opening call by default).
    day = timetable.next_trading_day(dt.date.today())
    clock.set_market_clock(clock.PracticeClock.starting(execution_window(day, "open")[0] + dt.timedelta(minutes=1)))
    message = deployment_step(deployment_id=deployment.pk)
    assert message.startswith(FAILED.split("{")[0])
    hook.wait_for(2)
    body = json.loads(hook.requests[1]["body"])
    assert body["type"] == "deployment.error" and body["data"]["message"] == message
    assert body["data"]["deployment"] == deployment.pk and body["data"]["account"] == account.pk
    assert all(verify_as_documented(secret, r["headers"][signing.SIGNATURE_HEADER], r["body"]) for r in hook.requests)


@pytest.mark.django_db
def test_endpoint_validation_messages(auth_client, dev_settings):
    bad = [  # what the schema refuses is a 400; a string the URL rule refuses is a 422
        ({"url": "http://127.0.0.1:9/x", "events": []}, "events", 400),
        ({"url": "http://127.0.0.1:9/x", "events": ["order.exploded"]}, "events", 400),
        ({"url": "http://127.0.0.1:9/x", "events": ["ping"]}, "events", 400),
        ({"url": "not a url", "events": ["order.filled"]}, "url", 422),
        ({"url": 5, "events": ["order.filled"]}, "url", 400),
    ]
    for body, field, status in bad:
        response = auth_client.post("/api/v1/webhooks", body, format="json")
        assert response.status_code == status and field in response.json()["error"]["fields"], response.json()


@pytest.mark.django_db
def test_endpoint_update_rotate_ping_and_delete(auth_client, dev_settings, receiver):
    hook = receiver([200])
    endpoint = register(auth_client, hook.url, ["order.filled"])
    changed = auth_client.patch(
        f"/api/v1/webhooks/{endpoint['id']}", {"events": ["order.filled", "order.cancelled"]}, format="json"
    ).json()
    assert changed["events"] == ["order.filled", "order.cancelled"]
    rotated = auth_client.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret").json()
    assert rotated["secret"] != endpoint["secret"]
    ping = auth_client.post(f"/api/v1/webhooks/{endpoint['id']}/ping")
    assert ping.status_code == 202
    # (inside this test's transaction the ping is recorded; it is sent once that commits)
    assert Delivery.objects.get(pk=ping.json()["id"]).event == "ping"
    assert auth_client.delete(f"/api/v1/webhooks/{endpoint['id']}").status_code == 204
    gone = auth_client.get(f"/api/v1/webhooks/{endpoint['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["message"] == services.ENDPOINT_NOT_FOUND
    missing = auth_client.get("/api/v1/webhooks/deliveries/999999")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == services.DELIVERY_NOT_FOUND


@pytest.mark.django_db(transaction=True)
def test_a_conditional_order_that_triggers_is_an_event(user, dev_settings, receiver, exchange, watcher):
    from orders import conditions
    from orders import services as order_services
    from orders.tests.factories import SymbolFactory

    hook = receiver([200])
    services.endpoint_create(owner=user, url=hook.url, events=["condition.triggered"])
    SymbolFactory(code="005930", prev_close=70_000)
    account = order_services.account_create(owner=user, name="c", initial_cash=10_000_000)
    condition = conditions.condition_create(
        account_id=account.pk, symbol="005930", side="buy", quantity=2, trigger="stop", trigger_price=71_000
    )
    exchange.add_liquidity("005930", "sell", 71_000, 100)
    exchange.trade("005930", 71_000, 1, side="buy")
    watcher.settle()
    hook.wait_for(1)
    body = json.loads(hook.requests[0]["body"])
    assert body["type"] == "condition.triggered" and body["id"] == f"condition.triggered:{condition.pk}"
    data = body["data"]
    assert data["condition"]["id"] == condition.pk and data["condition"]["status"] == "triggered"
    assert data["order"]["condition"] == condition.pk and data["order"]["status"] == "filled"
