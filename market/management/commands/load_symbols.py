"""Load the full KRX listing (KOSPI, KOSDAQ, KONEX) through FinanceDataReader and upsert it."""

from django.core.management.base import BaseCommand, CommandError

from config.exceptions import DomainError
from market.services import symbols_load_listing


class Command(BaseCommand):
    help = "Load every listed KRX stock through FinanceDataReader's StockListing('KRX') (needs internet)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Fetch and count, write nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        self.stdout.write("Fetching the KRX listing through FinanceDataReader ...")
        try:
            total, counts = symbols_load_listing(dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except Exception as exc:  # noqa: BLE001 - network and parsing errors of the source
            raise CommandError(f"Could not load the KRX listing: {exc}") from exc
        if counts is None:
            self.stdout.write(f"{total} symbols in the listing; dry run, nothing written.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} symbols: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged."
            )
        )
