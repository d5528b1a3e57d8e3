"""Store the KOSPI (KS11) and KOSDAQ (KQ11) indices as daily candles: the strategies' market benchmarks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from historical import services
from historical.enums import MarketIndex
from historical.sources.base import SourceError


class Command(BaseCommand):
    help = (
        "Load KOSPI/KOSDAQ daily index bars from FinanceDataReader (default), or compute simulated ones "
        "from the stored synthetic candles (--simulated). Safe to rerun: bars are replaced by day."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", default="2015-01-01", help="First day, YYYY-MM-DD (default 2015-01-01).")
        parser.add_argument("--end", default=None, help="Last day, YYYY-MM-DD (default today).")
        parser.add_argument("--index", action="append", choices=MarketIndex.values, help="KS11 and/or KQ11.")
        parser.add_argument("--simulated", action="store_true", help="Compute them from the synthetic market.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = dt.date.fromisoformat(options["start"])
            end = dt.date.fromisoformat(options["end"]) if options["end"] else dt.date.today()
        except ValueError as exc:
            raise CommandError(f"Dates are YYYY-MM-DD: {exc}") from exc
        if start > end:
            raise CommandError("--start must not be after --end.")
        if options["simulated"]:
            written = services.index_candles_simulate(start=start, end=end)
            self.stdout.write(f"Simulated index bars written: {written}")
            return
        for index in options["index"] or MarketIndex.values:
            try:
                count = services.index_candles_load(index=index, start=start, end=end)
            except SourceError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"{index}: {count} daily bars from {start} to {end}")
