"""The synthetic market's cost: CPU of the feed runner for every seeded symbol at clock speed 1.

The real `manage.py run_feed` process runs in the services configuration (a throwaway PostgreSQL
database with the demo seed, Redis) on a practice clock, twice for BENCH_SYNTHETIC_SECONDS each:
- in the middle of the continuous session (10:00 of a trading day): the market at work — every
  participant's orders through the engines, the tape, quotes and books published to Redis and the
  channel layer, the order engine's signals, the snapshots;
- with the market closed (20:00, the practice clock sleeping until the next morning): the same
  process with nothing to trade, the baseline of the same run.
The CPU is read from /proc for the process (all its threads), after a warm-up that builds the
exchange calendar. Target (issue 14): under a quarter of a core at speed 1.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

from bench.common import Result
from tests import servers

SECONDS = float(os.environ.get("BENCH_SYNTHETIC_SECONDS", "30"))
WARM_UP = 25.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(env: dict[str, str], log: Path) -> tuple[float, float]:
    """(CPU in percent of one core, wall seconds) of the feed runner after its warm-up."""
    with servers.process(servers.feed_cmd(), env, log) as feed:
        time.sleep(WARM_UP)
        cpu0, wall0 = _cpu_seconds(feed.pid), time.monotonic()
        time.sleep(SECONDS)
        cpu1, wall1 = _cpu_seconds(feed.pid), time.monotonic()
    return 100 * (cpu1 - cpu0) / (wall1 - wall0), wall1 - wall0


def run() -> list[Result]:
    from market import timetable

    day = timetable.next_trading_day(dt.datetime.now(tz=timetable.SEOUL).date())
    name = f"bench_synthetic_{os.getpid()}"
    database_url = servers.fresh_database(name)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / name
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        base = servers.service_env(database_url, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"), "")
        servers.migrate_and_seed(base)
        shares = {}
        for label, at in (("open", "10:00"), ("closed", "20:00")):
            env = dict(base)
            env |= {
                "PAPERTRADE_REDIS_PREFIX": f"ptsyn{uuid.uuid4().hex[:8]}",
                "PAPERTRADE_MARKET_CLOCK": "practice",
                "PAPERTRADE_CLOCK_START": f"{day.isoformat()}T{at}:00+09:00",
                "PAPERTRADE_CLOCK_SPEED": "1",
                "PAPERTRADE_LOG_LEVEL": "WARNING",
            }
            forget_clock = "from market.models import MarketClockState as M; M.objects.all().delete()"
            servers.manage(env, "shell", "-v", "0", "-c", forget_clock)
            shares[label] = _measure(env, tmp / f"feed-{label}.log")[0]
        count = "from market.models import Symbol; print(Symbol.objects.filter(is_active=True).count())"
        symbols = servers.manage(base, "shell", "-v", "0", "-c", count).strip()
    finally:
        servers.drop_database(name)
    return [
        Result(
            f"synthetic market, {symbols} symbols, speed 1 (CPU)",
            shares["open"],
            "% core",
            baseline_name="the same feed runner with the market closed",
            baseline_value=shares["closed"],
            higher_is_better=False,
            target="< 25% of a core",
            notes=[f"measured over {SECONDS:.0f} s after a {WARM_UP:.0f} s warm-up, the process and all its threads"],
        )
    ]
