"""Backfill daily candles from a source, with a progress bar; safe to stop and run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from config.exceptions import DomainError
from historical import services
from historical.services import LoadReport
from historical.sources.base import SourceError
from market.models import Symbol


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Load daily candles for symbols from FinanceDataReader, a CSV file or the synthetic generator. "
        "Loads are upserts: re-running changes nothing; a restarted run resumes each symbol from its last "
        "stored bar when the stored bars already reach back to --start."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--symbols", required=True, help="Comma-separated KRX codes, or 'all' (active symbols).")
        parser.add_argument("--start", help="First day, YYYY-MM-DD (required except for --source csv).")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (default: today).")
        parser.add_argument("--source", choices=["fdr", "csv", "synthetic"], default="fdr")
        parser.add_argument("--file", help="CSV file (date,open,high,low,close,volume[,value]) for --source csv.")
        parser.add_argument("--dry-run", action="store_true", help="Fetch and check, but write nothing.")
        parser.add_argument("--no-resume", action="store_true", help="Fetch the whole range even if stored.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        if options["symbols"].strip().lower() == "all":
            codes = list(Symbol.objects.filter(is_active=True).order_by("code").values_list("code", flat=True))
        else:
            try:
                codes = services.symbols_require(codes=options["symbols"].split(","))
            except DomainError as exc:
                raise CommandError(exc.message) from None
        if source == "csv":
            if not options["file"]:
                raise CommandError("--source csv needs --file path.csv.")
            if len(codes) != 1:
                raise CommandError("A CSV file holds one symbol: pass exactly one code in --symbols.")
        elif options["file"]:
            raise CommandError("--file is only used with --source csv.")
        if not options["start"] and source != "csv":
            raise CommandError("--start is required (YYYY-MM-DD).")
        start = _date(options["start"]) if options["start"] else dt.date(1900, 1, 1)
        end = _date(options["end"]) if options["end"] else dt.date.today()
        if start > end:
            raise CommandError("--start must not be after --end.")
        dry_run = options["dry_run"]

        total = LoadReport(dry_run=dry_run)
        failures: dict[str, str] = {}
        verb = "would write" if dry_run else "written"
        bar = tqdm(codes, unit="symbol", file=self.stderr._out, disable=not codes, dynamic_ncols=True)
        for code in bar:
            bar.set_description(code)
            try:
                report = services.candles_load_symbol(
                    code=code,
                    source_name=source,
                    start=start,
                    end=end,
                    file=options["file"],
                    resume=not options["no_resume"] and source != "csv",
                    dry_run=dry_run,
                )
            except (SourceError, DomainError) as exc:
                failures[code] = getattr(exc, "message", str(exc))
                continue
            total.merge(report)
            bar.set_postfix({verb: total.written, "rejected": total.rejected})
            for rejection in report.rejections[:20]:
                where = f"line {rejection.line}" if rejection.line else rejection.as_dict().get("date", "")
                self.stdout.write(f"  {code} {where}: rejected ({rejection.reason}) {rejection.message}")
            if report.rejected > 20:
                self.stdout.write(f"  {code}: … {report.rejected - 20} more rejected rows")
        bar.close()

        summary = (
            f"{len(codes) - len(failures)}/{len(codes)} symbols: {total.written} rows {verb}, {total.rejected} rejected"
        )
        if total.reasons:
            summary += " (" + ", ".join(f"{reason}: {count}" for reason, count in sorted(total.reasons.items())) + ")"
        self.stdout.write(summary + ("; dry run, nothing was stored." if dry_run else "."))
        if failures:
            for code, message in failures.items():
                self.stderr.write(f"{code}: {message}")
            raise CommandError(f"{len(failures)} symbol(s) failed; run the command again to retry them.")
