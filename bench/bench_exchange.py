"""The exchange core: order events per second through one MatchingEngine, in one process.

A seeded flow of 200,000 commands on one symbol in continuous trading — about half passive limit
orders around a slowly moving mid, 30% cancels of earlier orders, 20% marketable orders (limits
through the touch, some market orders and IOCs) — is built first, then fed to the engine.

Baseline: a bare Python loop over the same command list (unpacking each command and summing its
quantity), measured in the same run; the ratio shows what the engine costs per command over doing
nothing but iterate. Target: ≥ 100,000 order events/s.
"""

from __future__ import annotations

import os
import random
import time

from bench.common import Result
from market.exchange import BookPhase, MatchingEngine, Traded

COMMANDS = int(os.environ.get("BENCH_EXCHANGE_COMMANDS", "200000"))
T0 = 1_767_225_600_000_000
TICK = 100  # 50,000–200,000 won: the grid of the flow below (market.rules)


def build_flow(n: int, seed: int = 14) -> list[tuple]:
    rng = random.Random(seed)
    flow: list[tuple] = []
    live: list[int] = []
    mid = 70_000
    for order_id in range(n):
        roll = rng.random()
        if roll < 0.002:
            mid += TICK * rng.choice((-1, 1))
        side = "buy" if rng.random() < 0.5 else "sell"
        if roll < 0.5 or not live:
            away = TICK * rng.randint(1, 10)
            price = mid - away if side == "buy" else mid + away
            flow.append(("add", order_id, side, rng.randint(1, 50) * 10, price, "limit", "day"))
            live.append(order_id)
        elif roll < 0.8:
            victim = live.pop(rng.randrange(len(live)))
            flow.append(("cancel", victim, side, 0, 0, "", ""))
        else:
            through = TICK * rng.randint(0, 3)
            price = mid + through if side == "buy" else mid - through
            kind, tif = rng.choice((("limit", "day"), ("limit", "day"), ("limit", "ioc"), ("market", "day")))
            flow.append(("add", order_id, side, rng.randint(1, 30) * 10, price if kind == "limit" else None, kind, tif))
    return flow


def run_engine(flow: list[tuple]) -> tuple[float, int, int]:
    engine = MatchingEngine("BENCH", base_price=70_000, kospi200=False, market="KOSPI", seed=1)
    engine.start_continuous(T0)
    submit, cancel, advance = engine.submit, engine.cancel, engine.advance
    emitted = trades = 0
    at = T0
    started = time.perf_counter()
    for i, (action, order_id, side, quantity, price, kind, tif) in enumerate(flow):
        at += 1_000
        if action == "add":
            events = submit(at, order_id=order_id, side=side, quantity=quantity, kind=kind, price=price, tif=tif)
        else:
            events = cancel(at, order_id=order_id)
        emitted += len(events)
        if not i & 1023:
            advance(at)  # the shell's timer tick (ends VI calls)
            if engine.phase is BookPhase.CALL:
                at += 200_000_000
                events = advance(at)
        for event in events:
            if event.__class__ is Traded:
                trades += 1
    return time.perf_counter() - started, emitted, trades


def run_baseline(flow: list[tuple]) -> float:
    total = 0
    started = time.perf_counter()
    for _action, _order_id, _side, quantity, _price, _kind, _tif in flow:
        total += quantity
    elapsed = time.perf_counter() - started
    assert total > 0
    return elapsed


def run() -> list[Result]:
    flow = build_flow(COMMANDS)
    best_engine = float("inf")
    best_baseline = float("inf")
    emitted = trades = 0
    for _ in range(3):
        elapsed, emitted, trades = run_engine(flow)
        best_engine = min(best_engine, elapsed)
        best_baseline = min(best_baseline, run_baseline(flow))
    return [
        Result(
            name="exchange core: order commands/s (one engine)",
            value=len(flow) / best_engine,
            unit="cmd/s",
            baseline_name="bare loop",
            baseline_value=len(flow) / best_baseline,
            target="≥ 100,000 order events/s",
            notes=[
                f"{len(flow):,} commands (adds, cancels, marketable orders) → {emitted:,} events, {trades:,} trades;"
                f" best of 3: {best_engine * 1e6 / len(flow):.2f} µs per command,"
                f" {best_engine / best_baseline:.0f}× one bare-loop iteration",
            ],
        )
    ]
