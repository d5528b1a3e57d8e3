"""Container health checks (Dockerfile HEALTHCHECK and compose `healthcheck`). Exit 0 when healthy.

python deploy/healthcheck.py web              GET /api/v1/health on this container's web tier
python deploy/healthcheck.py worker NAME      the Celery worker NAME@<this host> answers a ping
python deploy/healthcheck.py deps             PostgreSQL and the Redis broker answer (beat, feed)
"""

import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def first_allowed_host() -> str:
    """A Host header Django accepts: the first DJANGO_ALLOWED_HOSTS entry that is a real name."""
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def check_web() -> bool:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(  # noqa: S310 - fixed http URL on the loopback interface
        f"http://127.0.0.1:{port}/api/v1/health",
        # As nginx sends it: without X-Forwarded-Proto https, SECURE_SSL_REDIRECT answers 301.
        headers={"Host": first_allowed_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError) as exc:
        sys.stderr.write(f"web unhealthy: {exc}\n")
        return False


def _django() -> None:
    # As deploy/entrypoint.sh does: an empty variable counts as unset (the settings' default applies).
    for name in [name for name, value in os.environ.items() if value == ""]:
        del os.environ[name]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()


def check_worker(name: str) -> bool:
    _django()
    from config.celery import app

    node = f"{name}@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=5)
    if not any(node in reply for reply in replies):
        sys.stderr.write(f"worker {node} did not answer a ping\n")
        return False
    return True


def check_deps() -> bool:
    _django()
    from config.health import check_database, check_task_queue

    checks = {"database": check_database(), "broker": check_task_queue()}
    failed = {name: check for name, check in checks.items() if not check["ok"]}
    if failed:
        sys.stderr.write(f"unhealthy: {failed}\n")
    return not failed


def check_feed() -> bool:
    if not check_deps():
        return False
    from market.runner import feed_lock

    lock = feed_lock()
    if lock is None:  # no Redis: the feed runs inside the web process
        return True
    if not lock.redis.exists(lock.key):
        sys.stderr.write(f"no feed runner holds {lock.key}\n")
        return False
    return True


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__ + "\n")
        return 2
    kind = argv[0]
    if kind == "web":
        ok = check_web()
    elif kind == "worker" and len(argv) == 2:
        ok = check_worker(argv[1])
    elif kind == "deps":
        ok = check_deps()
    elif kind == "feed":
        ok = check_feed()
    else:
        sys.stderr.write(__doc__ + "\n")
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
