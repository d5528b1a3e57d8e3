"""Shared helpers: every figure is printed next to a baseline measured in the same run."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline_name: str = ""
    baseline_value: float | None = None
    higher_is_better: bool = True
    target: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value

    def line(self) -> str:
        text = f"{self.name:<58} {self.value:>12,.1f} {self.unit:<8}"
        if self.ratio is not None:
            text += f"  = {self.ratio:6.2f}x {self.baseline_name} ({self.baseline_value:,.1f} {self.unit})"
        if self.target:
            text += f"  [target: {self.target}]"
        return text


def percentile(samples: list[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # As production runs (and the load benchmark's servers, tests/servers.service_env): with DEBUG
    # on, Django keeps every SQL statement and its time in connection.queries.
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()


def pg_url() -> str:
    """The PostgreSQL server the benchmarks use (make bench sets DATABASE_URL)."""
    return os.environ.get("DATABASE_URL") or "postgres://papertrade@127.0.0.1:5432/papertrade"


def with_db(url: str, name: str) -> str:
    """The same server URL, pointing at another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_sql(*statements: str) -> None:
    """Run statements on the server's maintenance database (autocommit: CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(with_db(pg_url(), "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate_database(name: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_throwaway_database(name: str, *, bench: str) -> str:
    """Recreate database `name` on the PostgreSQL server, point Django's default connection at it
    (before or after django.setup) and migrate it. Returns the database it pointed at before."""
    url = pg_url()
    if not url.startswith("postgres"):
        raise RuntimeError(f"{bench} needs PostgreSQL: set DATABASE_URL=postgres://...")
    recreate_database(name)
    os.environ.setdefault("DATABASE_URL", with_db(url, name))
    os.environ.setdefault("PAPERTRADE_TASK_MODE", "eager")
    setup_django()
    from django.core.management import call_command
    from django.db import connections

    default = connections["default"]
    if default.vendor != "postgresql":
        raise RuntimeError("Django is configured for SQLite; run with DATABASE_URL=postgres://...")
    previous = default.settings_dict["NAME"]
    _point_default_at(name)
    with default.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        current = cursor.fetchone()[0]
    if current != name:
        raise RuntimeError(f"refusing to benchmark: connected to {current!r}, not the throwaway {name!r}")
    call_command("migrate", verbosity=0, interactive=False)
    return previous


def leave_throwaway_database(name: str, previous: str) -> None:
    """Point Django back at `previous` and drop the throwaway database."""
    from django.db import connections

    connections.close_all()
    _point_default_at(previous)
    drop_database(name)


def _point_default_at(name: str) -> None:
    from django.conf import settings
    from django.db import connections

    default = connections["default"]
    default.close()
    if hasattr(default, "close_pool"):  # a psycopg pool keeps the old database's connections
        default.close_pool()
    default.settings_dict["NAME"] = name
    settings.DATABASES["default"]["NAME"] = name


def _processes() -> list[tuple[int, int, str, float]]:
    """(pid, parent pid, command name, CPU seconds user + system) of every live process."""
    out = []
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        out.append((int(stat.parent.name), int(rest[1]), name, (int(rest[11]) + int(rest[12])) / tick))
    return out


def cpu_reading(own: str = "this client", **roots: int) -> dict[str, float]:
    """CPU seconds used so far by each named process tree (a root pid and its live descendants: the
    web tier's uvicorn workers, the feed), by the machine's PostgreSQL and Redis servers (every
    process of that name: the backends serve every client, this run's among them), and by this
    process (labelled `own`). Two readings subtracted (`cpu_spent`) say where a measurement's CPU
    went. A process that ended between the readings is not counted."""
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, ppid, _, _ in table:
        children.setdefault(ppid, []).append(pid)
    seconds = {pid: cpu for pid, _, _, cpu in table}
    reading: dict[str, float] = {}
    for label, root in roots.items():
        tree, frontier = {root}, [root]
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in tree:
                    tree.add(child)
                    frontier.append(child)
        reading[label] = sum(seconds.get(pid, 0.0) for pid in tree)
    reading["postgres"] = sum(cpu for _, _, name, cpu in table if name == "postgres")
    reading["redis"] = sum(cpu for _, _, name, cpu in table if name == "redis-server")
    reading[own] = time.process_time()
    return reading


def cpu_spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {label: after[label] - before[label] for label in before}


def cpu_note(spent: dict[str, float], count: int, what: str, seconds: float) -> str:
    """Where the CPU went, in ms per `what` and in cores over `seconds` of wall time."""
    total = sum(spent.values())
    parts = ", ".join(f"{label} {cpu * 1000 / max(count, 1):.2f}" for label, cpu in spent.items())
    return (
        f"CPU per {what} (ms): {parts}; in all {total * 1000 / max(count, 1):.2f} ms, "
        f"{total / seconds:.2f} of {os.cpu_count()} cores busy"
    )
