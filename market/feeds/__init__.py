"""Market data feeds: `simulated` (default) and `kis` (Korea Investment & Securities real time)."""
