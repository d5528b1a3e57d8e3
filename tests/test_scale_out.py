"""Scale-out with real processes on this machine (docs/deployment.md, "Scale-out").

Two daphne web processes and two Celery workers share one PostgreSQL database and one Redis,
with the production settings: a WebSocket client on each web process receives the same ticks and
the same job progress, a candle refresh fan-out is spread across both workers, and of two feed
runners exactly one publishes (the other takes over when it stops). Every process started here
is stopped and the database dropped, even when a test fails.
"""

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
from cryptography.fernet import Fernet
from django.conf import settings
from websockets.asyncio.client import connect

from tests import servers

pytestmark = [pytest.mark.slow, pytest.mark.services]

ROOT = Path(__file__).resolve().parent.parent
CODE = "005930"  # Samsung Electronics, in the bundled symbol master
STARTUP_TIMEOUT = 60
ACTIVE_SYMBOLS = 16  # of the bundled 49: the feed and the refresh fan-out cover these
CHUNK_SIZE = 2  # symbols per refresh task: 8 tasks for the two workers


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def lines(self) -> list[dict]:
        """The process's JSON log lines (production logging)."""
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out

    def messages(self) -> list[str]:
        return [entry["message"] for entry in self.lines()]


@dataclass
class Stack:
    env: dict[str, str]
    tmp: Path
    processes: dict[str, Process] = field(default_factory=dict)
    web_ports: list[int] = field(default_factory=list)
    token: str = ""
    stopped: set[str] = field(default_factory=set)

    def start(self, name: str, command: list[str], **extra_env: str) -> Process:
        log = self.tmp / f"{name}.log"
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Celery's pool children stop with it
        )
        self.processes[name] = process = Process(name, popen, log)
        return process

    def manage(self, *args: str, timeout: float = 180) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def healthcheck(self, *args: str, **extra_env: str) -> bool:
        result = subprocess.run(
            [sys.executable, "deploy/healthcheck.py", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            timeout=30,
        )
        return result.returncode == 0

    def stop(self, *names: str) -> None:
        """SIGTERM (Celery: warm shutdown; the feed: releases its lock), then SIGKILL to what is left
        of each process group (pool children)."""
        self.stopped.update(names)
        popens = [self.processes[name].popen for name in names]
        for popen in popens:
            if popen.poll() is None:
                popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for popen in popens:
            try:
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            popen.wait(timeout=5)

    def stop_all(self) -> None:
        self.stop(*self.processes)

    def api(self, port: int, path: str) -> dict:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            # As nginx forwards it; production settings redirect plain http otherwise.
            headers={"Authorization": f"Token {self.token}", "X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def ws(self, port: int, path: str):
        return connect(
            f"ws://127.0.0.1:{port}{path}",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Authorization": f"Token {self.token}"},
            open_timeout=10,
            max_size=2**22,
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, what: str, timeout: float = STARTUP_TIMEOUT, stack: Stack | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if stack is not None:
            dead = [p.name for p in stack.processes.values() if p.popen.poll() is not None]
            dead = [name for name in dead if name not in stack.stopped]
            if dead:
                logs = "\n".join(f"--- {n}\n{stack.processes[n].log.read_text()[-3000:]}" for n in dead)
                pytest.fail(f"{dead} exited while waiting for {what}:\n{logs}")
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def empty_redis_url(url: str) -> str:
    """A Redis database nobody uses right now (Celery's queue keys carry no prefix of ours)."""
    kwargs = redis.Redis.from_url(url).connection_pool.connection_kwargs
    for number in range(15, 1, -1):
        candidate = f"redis://{kwargs['host']}:{kwargs['port']}/{number}"
        if redis.Redis.from_url(candidate).dbsize() == 0:
            return candidate
    pytest.skip("no empty Redis database for the scale-out stack")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis")
    redis_url = empty_redis_url(settings.REDIS_URL)  # may skip: before anything is created
    name = f"pt_scaleout_{os.getpid()}"
    admin = dict(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None)
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    tmp = tmp_path_factory.mktemp("scale-out")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # daphne, celery, python
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "PAPERTRADE_FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{admin['host']}:{admin['port']}/{name}",
        "REDIS_URL": redis_url,
        "PAPERTRADE_REDIS_PREFIX": f"ptscale{os.getpid()}",
        "PAPERTRADE_TASK_MODE": "celery",
        "PAPERTRADE_FEED_IN_PROCESS": "false",
        "PAPERTRADE_FEED": "sim",
        "PAPERTRADE_FEED_RATE": "4",
        **servers.busy_market_env(),
        "PAPERTRADE_VAR_DIR": str(tmp / "var"),
        "PAPERTRADE_CANDLES_BACKFILL_START": "2026-09-01",
        "PAPERTRADE_LOG_LEVEL": "INFO",
    }
    stack = Stack(env=env, tmp=tmp)
    with psycopg.connect(dbname=db["NAME"], autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        stack.manage("migrate", "--noinput")
        out = stack.manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; from rest_framework.authtoken.models import Token;"
            "from django.db import transaction; from market import demo, services; from market.models import Symbol;"
            "demo.seed()\n"
            "with transaction.atomic():\n"
            f"    for code in Symbol.objects.order_by('code').values_list('code', flat=True)[{ACTIVE_SYMBOLS}:]:\n"
            "        services.symbol_update(code=code, is_active=False)\n"
            "user = get_user_model().objects.create_user(username='ops', password='scale-out-ops', is_staff=True);"
            "print('TOKEN', Token.objects.create(user=user).key)",
        )
        stack.token = out.split("TOKEN ", 1)[1].split()[0]
        # The containers' own commands (deploy/entrypoint.sh), with this machine's ports and names.
        for label in ("a", "b"):
            port = free_port()
            stack.web_ports.append(port)
            stack.start(f"web-{label}", ["sh", "deploy/entrypoint.sh", "web"], PORT=str(port))
        for label in ("a", "b"):
            stack.start(
                f"worker-{label}",
                ["sh", "deploy/entrypoint.sh", "worker-ingestion", "-n", f"scaleout-{label}@%h", "--concurrency=1"],
            )
        stack.start("feed-a", ["sh", "deploy/entrypoint.sh", "feed"])
        for label, port in zip("ab", stack.web_ports, strict=True):
            wait_for(lambda port=port: stack.healthcheck("web", PORT=str(port)), f"web-{label} healthy", stack=stack)
        for label in ("a", "b"):
            wait_for(
                lambda label=label: stack.healthcheck("worker", f"scaleout-{label}"), f"worker-{label}", stack=stack
            )
        wait_for(lambda: stack.healthcheck("feed"), "the feed runner to hold the lock", stack=stack)
        # A second feed runner, started once the first one publishes: it must stand by.
        stack.start("feed-b", ["sh", "deploy/entrypoint.sh", "feed"])
        wait_for(lambda: any("standing by" in m for m in stack.processes["feed-b"].messages()), "feed-b", stack=stack)
        yield stack
    finally:
        stack.stop_all()
        with psycopg.connect(dbname=db["NAME"], autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()


async def collect(stack: Stack, port: int, path: str, seconds: float, until=None, messages=None) -> list[dict]:
    """Messages one WebSocket client receives for `seconds` (or until `until(messages)` is true),
    appended to `messages` (a new list if none) as they come."""
    messages = [] if messages is None else messages
    async with stack.ws(port, path) as ws:
        deadline = asyncio.get_running_loop().time() + seconds
        while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                messages.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=remaining)))
            except TimeoutError:
                break
            if until is not None and until(messages):
                break
    return messages


def trades(messages: list[dict]) -> list[tuple]:
    return [
        (m["trade"]["time"], m["trade"]["price"], m["trade"]["quantity"], m["trade"]["side"])
        for m in messages
        if m.get("type") == "trade"
    ]


def common_window(a: list[tuple], b: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """Both lists cut to the time span both clients were listening, its ends left out: the prints of
    one order that sweeps several resting ones share its time, and a client that started (or
    stopped) listening among them heard only some of that moment's prints."""
    start, end = max(a[0][0], b[0][0]), min(a[-1][0], b[-1][0])
    return [t for t in a if start < t[0] < end], [t for t in b if start < t[0] < end]


async def listen_together(stack: Stack, port_a: int, port_b: int) -> tuple[list[dict], list[dict]]:
    """What two clients of the two web processes hear at once: both listen, for up to a minute,
    until each has heard prints at five moments after the later of their first ones (one may start
    hearing later than the other, and the first to have five of its own could stop before the other
    heard any)."""
    seen_a: list[dict] = []
    seen_b: list[dict] = []

    def both_heard_five(_messages: list[dict]) -> bool:
        heard_a, heard_b = trades(seen_a), trades(seen_b)
        if not heard_a or not heard_b:
            return False
        start = max(heard_a[0][0], heard_b[0][0])
        return min(len({t[0] for t in heard if t[0] > start}) for heard in (heard_a, heard_b)) >= 5

    await asyncio.gather(
        collect(stack, port_a, f"/ws/quotes/{CODE}", 60, until=both_heard_five, messages=seen_a),
        collect(stack, port_b, f"/ws/quotes/{CODE}", 60, until=both_heard_five, messages=seen_b),
    )
    return seen_a, seen_b


def publishing_runners(stack: Stack) -> list[str]:
    return [
        name
        for name, process in stack.processes.items()
        if name.startswith("feed-") and any(" publishing " in f" {m} " for m in process.messages())
    ]


async def test_both_web_processes_push_the_same_ticks_from_exactly_one_feed(stack):
    port_a, port_b = stack.web_ports
    # A cold web process loads the exchange calendar and its book mirror first (seconds on a busy
    # machine): each has streamed a trade before the two are compared.
    for port in (port_a, port_b):
        warm = await collect(stack, port, f"/ws/quotes/{CODE}", 90, until=lambda m: bool(trades(m)))
        assert trades(warm), warm[:3]
    # At clock speed 1 a symbol can go many seconds without a print (more on a loaded machine).
    seen_a, seen_b = await listen_together(stack, port_a, port_b)
    a, b = trades(seen_a), trades(seen_b)
    assert len(a) >= 3 and len(b) >= 3, (seen_a[:3], seen_b[:3])
    window_a, window_b = common_window(a, b)
    assert window_a == window_b and len(window_a) >= 3

    # Exactly one of the two runners publishes; the other stood by from the start.
    assert publishing_runners(stack) == ["feed-a"]
    assert any("standing by" in m for m in stack.processes["feed-b"].messages())
    lock = redis.Redis.from_url(stack.env["REDIS_URL"])
    assert lock.exists(f"{stack.env['PAPERTRADE_REDIS_PREFIX']}:market:feed-lock")

    # The publisher stops: the standby takes the lock over and both web processes keep streaming.
    stack.stop("feed-a")
    wait_for(lambda: "feed-b" in publishing_runners(stack), "feed-b to take over", timeout=30, stack=stack)
    # As above, from the new publisher (a 3 s window heard none on a busy CI machine).
    seen_a, seen_b = await listen_together(stack, port_a, port_b)
    a, b = trades(seen_a), trades(seen_b)
    assert len(a) >= 3 and len(b) >= 3, (seen_a[:3], seen_b[:3])
    window_a, window_b = common_window(a, b)
    assert window_a == window_b and len(window_a) >= 3
    assert publishing_runners(stack) == ["feed-a", "feed-b"]  # one after the other, never together

    # Production logging: the web processes write JSON lines only (daphne's access log is off).
    for label in ("a", "b"):
        text = stack.processes[f"web-{label}"].log.read_text()
        assert "/ws/quotes" not in text and "GET /api/v1/health" not in text
        assert all(line.startswith("{") for line in text.splitlines() if line.strip())


async def test_candle_refresh_fan_out_runs_on_both_workers_and_streams_to_both_web_processes(stack):
    port_a, port_b = stack.web_ports

    def finished(messages: list[dict]) -> bool:
        return any(m.get("type") == "job" and m["job"]["status"] in {"succeeded", "failed"} for m in messages)

    async def run() -> tuple[list[dict], list[dict]]:
        listeners = [
            asyncio.ensure_future(collect(stack, port, "/ws/jobs", 120, until=finished)) for port in (port_a, port_b)
        ]
        await asyncio.sleep(1.5)  # both sockets joined their groups
        out = await asyncio.to_thread(
            stack.manage,
            "shell",
            "-c",
            "from django.db import transaction; from historical import services, tasks;"
            "from jobs.services import job_create, task_enqueue\n"
            "with transaction.atomic():\n"
            "    job = job_create(kind=services.JOB_KIND_REFRESH, params={'source': 'synthetic'})\n"
            "    task_enqueue(tasks.candles_refresh_all, job_id=job.pk, source='synthetic',"
            f" chunk_size={CHUNK_SIZE})\n"
            "print('JOB', job.pk)",
        )
        assert "JOB" in out
        return tuple(await asyncio.gather(*listeners))

    seen_a, seen_b = await run()
    updates_a = [m["job"] for m in seen_a if m.get("type") == "job"]
    updates_b = [m["job"] for m in seen_b if m.get("type") == "job"]
    assert updates_a and updates_a[-1]["status"] == "succeeded", updates_a[-3:]
    # The same progress, message for message, on both web processes.
    assert [(u["id"], u["status"], u["progress"]) for u in updates_a] == [
        (u["id"], u["status"], u["progress"]) for u in updates_b
    ]
    assert len({u["progress"] for u in updates_a}) >= 3
    job_id = updates_a[-1]["id"]

    # Both workers ran chunks of the fan-out (from their JSON logs), and together all of them.
    symbols = stack.api(port_a, "/api/v1/market/symbols?page_size=200")["count"]
    chunks = {}
    for label in ("a", "b"):
        chunks[label] = [
            m
            for m in stack.processes[f"worker-{label}"].messages()
            if "historical.tasks.candles_refresh_chunk" in m and "succeeded" in m
        ]
    assert chunks["a"] and chunks["b"], {k: len(v) for k, v in chunks.items()}
    assert symbols == ACTIVE_SYMBOLS
    assert len(chunks["a"]) + len(chunks["b"]) == ACTIVE_SYMBOLS // CHUNK_SIZE

    # Both web processes read the same finished job from the shared database.
    job_a, job_b = stack.api(port_a, f"/api/v1/jobs/{job_id}"), stack.api(port_b, f"/api/v1/jobs/{job_id}")
    assert job_a == job_b
    assert job_a["status"] == "succeeded" and job_a["result"]["symbols_done"] == symbols
    coverage = stack.api(port_b, f"/api/v1/historical/coverage?symbol={CODE}")
    assert coverage["bars"] >= 20


def test_container_health_checks_fail_without_the_process_and_pass_for_beat_and_migrate(stack):
    """deploy/healthcheck.py as compose runs it. The web, worker and feed checks passing on the live
    processes is what the fixture waited for; here: they fail when nothing answers, and the checks
    of beat (its dependencies) and of the one-shot migrate service pass. Run side by side."""
    checks = {
        "web on a closed port": (["python", "deploy/healthcheck.py", "web"], {"PORT": str(free_port())}, 1),
        "an absent worker": (["python", "deploy/healthcheck.py", "worker", "nobody"], {}, 1),
        "beat's dependencies": (["python", "deploy/healthcheck.py", "deps"], {}, 0),
        "migrate": (["sh", "deploy/entrypoint.sh", "manage", "migrate", "--check"], {}, 0),
    }
    running = {
        what: subprocess.Popen(
            command, cwd=ROOT, env={**stack.env, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for what, (command, env, _) in checks.items()
    }
    outcome = {what: process.wait(timeout=120) for what, process in running.items()}
    assert outcome == {what: expected for what, (_, _, expected) in checks.items()}


def nginx_config(stack: Stack, port: int) -> Path:
    """deploy/nginx/papertrade.conf for this machine: the two web processes as the upstream, a free
    port, static paths and logs in the test's directory. Everything else as shipped."""
    root = stack.tmp / "nginx"
    for folder in ("static", "assets", "temp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "static" / "probe.txt").write_text("static from nginx\n")
    site = (ROOT / "deploy" / "nginx" / "papertrade.conf").read_text()
    servers = "\n    ".join(f"server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in stack.web_ports)
    site = site.replace("server web:8000 max_fails=3 fail_timeout=10s;", servers)
    site = site.replace("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;")
    site = site.replace("listen [::]:80 default_server;\n", "")
    site = site.replace("/srv/papertrade/", f"{root}/").replace("/var/log/nginx/access.log", str(root / "access.log"))
    (root / "site.conf").write_text(site)
    temp = " ".join(
        f"{kind}_temp_path {root / 'temp' / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    (root / "nginx.conf").write_text(
        f"{user} pid {root / 'nginx.pid'}; error_log {root / 'error.log'}; daemon off; events {{}}\n"
        f"http {{ {temp} include /etc/nginx/mime.types; include {root / 'site.conf'}; }}\n"
    )
    return root


async def test_nginx_in_front_balances_both_web_processes_and_upgrades_websockets(stack):
    import http.client
    import shutil

    nginx = shutil.which("nginx")
    if nginx is None:
        pytest.skip("nginx is not installed here (apt-get install nginx-light)")
    port = free_port()
    root = nginx_config(stack, port)
    stack.start("nginx", [nginx, "-p", str(root), "-c", str(root / "nginx.conf")])

    def get(path: str, **headers: str) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()

    def up() -> bool:
        try:
            return get("/nginx-health")[0] == 200
        except OSError:
            return False

    wait_for(up, "nginx", stack=stack)
    # Plain http at nginx: Django sees X-Forwarded-Proto http (set by nginx) and redirects to https.
    status, headers, _ = get("/api/v1/health")
    assert status == 301 and headers["Location"] == "https://127.0.0.1/api/v1/health"
    # Behind a TLS terminator (it sends X-Forwarded-Proto https): served, from both web processes.
    for _ in range(6):
        status, _, body = get("/api/v1/health", **{"X-Forwarded-Proto": "https"})
        assert status == 200 and json.loads(body)["status"] == "ok"
    status, _, body = get("/static/probe.txt")
    assert (status, body) == (200, b"static from nginx\n")

    # WebSockets through nginx (Upgrade forwarded): two clients, the same ticks.
    async def through_nginx() -> list[dict]:
        messages = []
        async with connect(
            f"ws://127.0.0.1:{port}/ws/quotes/{CODE}",
            origin="https://127.0.0.1",
            additional_headers={"Authorization": f"Token {stack.token}"},
            open_timeout=30,
        ) as ws:
            deadline = asyncio.get_running_loop().time() + 3
            while (remaining := deadline - asyncio.get_running_loop().time()) > 0:
                try:
                    messages.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=remaining)))
                except TimeoutError:
                    break
        return messages

    first, second = await asyncio.gather(through_nginx(), through_nginx())
    window_a, window_b = common_window(trades(first), trades(second))
    assert window_a == window_b and len(window_a) >= 3

    # nginx's access log is JSON; the API requests went round-robin to both web processes (the
    # static file above exists only in nginx's directory: Django could not have served it).
    log = [json.loads(line) for line in (root / "access.log").read_text().splitlines()]
    upstreams = {entry["upstream"] for entry in log if entry["uri"] == "/api/v1/health"}
    assert upstreams == {f"127.0.0.1:{p}" for p in stack.web_ports}
    assert any(entry["uri"] == f"/ws/quotes/{CODE}" and entry["status"] == 101 for entry in log)
