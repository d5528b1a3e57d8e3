"""Test run: real PostgreSQL and Redis by default.

`PAPERTRADE_TEST_EMBEDDED=1` runs the same suite against the embedded default instead (SQLite,
in-memory channel layer). The test database name and the Redis prefix can be set per run so that
parallel runs on one machine do not collide.
"""

import os

os.environ.setdefault("PAPERTRADE_TASK_MODE", "eager")
os.environ.setdefault("PAPERTRADE_FEED_IN_PROCESS", "0")
if os.environ.get("PAPERTRADE_TEST_EMBEDDED") != "1":
    os.environ.setdefault("DATABASE_URL", "postgres://papertrade@127.0.0.1:5432/papertrade")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("PAPERTRADE_REDIS_PREFIX", f"pttest{os.getpid()}")
# The test runner creates and drops databases; it works on plain connections.
os.environ.setdefault("PAPERTRADE_DB_POOL", "0")

from .base import *  # noqa: E402, F403
from .base import DATABASES, REST_FRAMEWORK, VAR_DIR  # noqa: E402

DATABASES["default"].setdefault("TEST", {})
# Async tests run ORM calls on executor threads; persistent connections there would outlive the
# test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"]["NAME"] = os.environ.get("PAPERTRADE_TEST_DB_NAME", "test_papertrade")
else:
    # A file, as `make run` uses, not Django's in-memory default: a shared-cache memory database
    # locks whole tables and answers a second writer "database table is locked" at once, where the
    # file in WAL mode makes it wait (the `timeout` option). Tests of the in-process task runner
    # and the exchange thread write from several threads and must meet the locking users meet.
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-{os.getpid()}.sqlite3")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "1000/min", "orders": "100000/min"}
ARTIFACTS_DIR = VAR_DIR / "test-artifacts"
