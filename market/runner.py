"""Feed runner. start_in_process_feed() runs the configured feed in a background thread of the
web process (embedded default); `manage.py run_feed` runs it as its own process (services)."""


def start_in_process_feed() -> None:
    """Start the configured feed in a daemon thread (implemented with the feeds)."""
