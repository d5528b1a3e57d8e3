"""Start the whole platform and stop all of it on one Ctrl-C.

Embedded default: one web process (config/serve.py, uvicorn); the feed and background tasks run
inside it. Services (DATABASE_URL and REDIS_URL set): the web tier (one uvicorn worker per core,
PAPERTRADE_WEB_WORKERS), the feed runner, a Celery worker and beat.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def commands(host: str, port: int) -> list[tuple[str, list[str]]]:
    procs = [("web", [sys.executable, "-m", "config.serve", "--host", host, "--port", str(port)])]
    if os.environ.get("REDIS_URL"):
        procs += [
            ("feed", [sys.executable, "manage.py", "run_feed"]),
            (
                "worker",
                [str(BIN / "celery"), "-A", "config", "worker", "-Q", "default,ingestion,training", "-l", "INFO"],
            ),
            ("beat", [str(BIN / "celery"), "-A", "config", "beat", "-l", "INFO"]),
        ]
    return procs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

    running: list[tuple[str, subprocess.Popen]] = []
    for name, cmd in commands(args.host, args.port):
        running.append((name, subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)))
        print(f"[run] started {name} (pid {running[-1][1].pid})", flush=True)

    mode = "services (PostgreSQL + Redis)" if os.environ.get("REDIS_URL") else "embedded default (SQLite, in-process)"
    print(
        f"\n  papertrade is running in {mode}\n"
        f"  open   http://{args.host}:{args.port}/\n"
        "  login  demo / papertrade-demo\n"
        f"  admin  http://{args.host}:{args.port}/admin/   admin / papertrade-admin\n"
        f"  API    http://{args.host}:{args.port}/api/docs/\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in running:
            if proc.poll() is not None:
                print(f"[run] {name} exited with {proc.returncode}; stopping the platform", flush=True)
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.3)

    for _, proc in running:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.time() + 10
    for _, proc in running:
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    print("[run] stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
