"""Run the market feed as its own process (services configuration)."""

import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from market.runner import feed_lock, run_locked


class Command(BaseCommand):
    help = (
        "Publish the configured market feed (PAPERTRADE_FEED=sim|kis) to the shared state and the channel layer. "
        "With Redis, only one runner publishes at a time (a Redis lock with expiry); others stand by."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--feed", choices=["sim", "kis"], help="Override PAPERTRADE_FEED.")

    def handle(self, *args, feed: str | None = None, **options) -> None:
        self.stdout.write(
            f"market feed: {feed or settings.MARKET_FEED}, clock {settings.MARKET_CLOCK}, "
            f"{'Redis lock on' if settings.REDIS_URL else 'no Redis: this process only'}"
        )
        asyncio.run(self._main(feed))

    async def _main(self, feed: str | None) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_locked(stop, lock=feed_lock(), kind=feed)
        self.stdout.write("market feed stopped")
