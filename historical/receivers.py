"""What historical does with the feed's signals (connected in HistoricalConfig.ready())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from market.indices import IndexValue


def on_index_closed(sender: Any, *, day: dt.date, values: list[IndexValue], **kwargs: Any) -> None:
    """The simulated market closed `day`: its KOSPI and KOSDAQ become the day's simulated index bars."""
    from historical.services import index_candles_record_close

    index_candles_record_close(day=day, values=values)
