"""Benchmarks run by `make bench`. Each module bench/bench_*.py exposes run() -> list[Result]."""
