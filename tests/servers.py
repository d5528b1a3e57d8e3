"""Real processes for cross-app tests: a fresh PostgreSQL database, the web tier, celery workers."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_DSN = os.environ.get("PAPERTRADE_TEST_ADMIN_DSN", "postgresql://papertrade@127.0.0.1:5432/papertrade")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(name: str) -> str:
    """Drop and create a database; returns its URL."""
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://papertrade@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def busy_market_env(speed: int = 60) -> dict[str, str]:
    """A practice clock in the middle of a trading day's continuous session, running fast, so a test
    that waits on the synthetic market's trades sees them within seconds."""
    return {
        "PAPERTRADE_MARKET_CLOCK": "practice",
        "PAPERTRADE_CLOCK_START": continuous_clock_start(),
        "PAPERTRADE_CLOCK_SPEED": str(speed),
    }


def continuous_clock_start() -> str:
    """10:00 of the next trading day: a practice clock that starts in the continuous session."""
    from market import timetable

    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    return f"{day.isoformat()}T10:00"


def service_env(database_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "PAPERTRADE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PAPERTRADE_REDIS_PREFIX": prefix,
        "PAPERTRADE_CLOCK_START": continuous_clock_start(),  # the feed trades from the first second
        "PYTHONUNBUFFERED": "1",
    }
    env |= extra
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def wait_healthy(base_url: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    last_error: Exception | None = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/api/v1/health", timeout=3) as resp:
                return json.loads(resp.read())
        except OSError as exc:
            last_error = exc
            time.sleep(0.2)
    raise TimeoutError(f"{base_url} did not become healthy: {last_error}")


def wait_exchange(base_url: str, timeout: float = 90) -> None:
    """Until health says the exchange answers (the feed runner has restored the books and listens)."""
    deadline = time.time() + timeout
    body: dict = {}
    while time.time() < deadline:
        body = wait_healthy(base_url, timeout=max(deadline - time.time(), 1))
        if body["checks"].get("exchange", {}).get("ok"):
            return
        time.sleep(0.3)
    raise TimeoutError(f"the exchange did not answer at {base_url}: {body}")


@contextlib.contextmanager
def process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


def web_cmd(port: int, workers: int = 1) -> list[str]:
    """The web tier as deployed (config/serve.py: uvicorn, HTTP and WebSockets on one port)."""
    return [sys.executable, "-m", "config.serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def celery_worker_cmd(name: str, queues: str = "default,ingestion,training", concurrency: int = 1) -> list[str]:
    return [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-n",
        f"{name}@%h",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "--pool",
        "prefork",
        "-l",
        "INFO",
    ]


@contextlib.contextmanager
def private_redis(log_dir: Path) -> Iterator[tuple[int, Callable[[], None], Callable[[], None]]]:
    """A redis-server of our own on a free port: (port, stop, start). Stopping it is real."""
    port = free_port()
    holder: dict[str, subprocess.Popen] = {}

    def start() -> None:
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        holder["proc"] = subprocess.Popen(
            cmd, stdout=(log_dir / "redis.log").open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.time() + 10
        while time.time() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
            time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def halt() -> None:
        if "proc" in holder:
            stop(holder["proc"])

    start()
    try:
        yield port, halt, start
    finally:
        halt()


PG_BIN = Path(os.environ.get("PAPERTRADE_PG_BIN", "/usr/lib/postgresql/15/bin"))


@contextlib.contextmanager
def private_postgres() -> Iterator[tuple[int, Callable[[], None]]]:
    """A PostgreSQL cluster of our own (initdb on a free port): (port, restart). Restarting is real.

    Lives in a fresh folder under /tmp that the postgres user can reach (pytest's tmp_path may not be).
    """
    port = free_port()
    base_dir = Path(tempfile.mkdtemp(prefix="papertrade-pg-"))
    data, sockets = base_dir / "pgdata", base_dir / "pgsock"
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    for folder in (data, sockets):
        folder.mkdir(parents=True)
    if as_postgres:
        shutil.chown(base_dir, "postgres")
        for folder in (data, sockets):
            shutil.chown(folder, "postgres")
    log = base_dir / "postgres.log"
    if as_postgres:
        log.touch()
        shutil.chown(log, "postgres")

    def pg_ctl(*args: str) -> None:
        subprocess.run(
            [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", *args],
            check=True,
            capture_output=True,
        )

    subprocess.run(
        [*as_postgres, str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=off"
    pg_ctl("-o", options, "start")
    try:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE ROLE papertrade LOGIN CREATEDB")
            conn.execute("CREATE DATABASE papertrade OWNER papertrade")
        yield port, lambda: pg_ctl("-o", options, "-m", "fast", "restart")
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(base_dir, ignore_errors=True)


def migrate_and_seed(env: dict[str, str]) -> None:
    """Bring a fresh database to the demo state: schema, demo users, symbols, candles, account."""
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")


def feed_cmd() -> list[str]:
    return [sys.executable, "manage.py", "run_feed"]


def demo_headers(base_url: str) -> dict[str, str]:
    """Log in as the demo user over HTTP; the token header for REST and WebSocket calls."""
    body = json.dumps({"username": "demo", "password": "papertrade-demo"}).encode()
    request = urllib.request.Request(
        f"{base_url}/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=15) as resp:
        return {"Authorization": f"Token {json.loads(resp.read())['token']}"}
