from django.db import models


class Timeframe(models.TextChoices):
    MINUTE = "1m", "1분"
    MINUTE_5 = "5m", "5분"
    MINUTE_15 = "15m", "15분"
    MINUTE_60 = "60m", "60분"
    DAY = "1d", "일"
    WEEK = "1w", "주"
    MONTH = "1M", "월"


STORED_TIMEFRAMES = (Timeframe.MINUTE, Timeframe.DAY)
# Timeframes the candle API aggregates in the database: from 1-minute bars (minutes per bar) ...
INTRADAY_AGGREGATED = {Timeframe.MINUTE_5: 5, Timeframe.MINUTE_15: 15, Timeframe.MINUTE_60: 60}
INTRADAY_TIMEFRAMES = (Timeframe.MINUTE, *INTRADAY_AGGREGATED)
# ... and from daily bars.
AGGREGATED_TIMEFRAMES = (Timeframe.WEEK, Timeframe.MONTH)


class CandleSource(models.TextChoices):
    FDR = "fdr", "FinanceDataReader"
    CSV = "csv", "CSV file"
    SYNTHETIC = "synthetic", "Synthetic (simulated)"
    KIS = "kis", "KIS Open API (live trades)"


class RejectReason(models.TextChoices):
    """Why a bar failed the sanity checks and was not stored."""

    NON_POSITIVE_PRICE = "non_positive_price", "A price is zero or negative"
    HIGH_BELOW_LOW = "high_below_low", "High is below low"
    HIGH_BELOW_OPEN_CLOSE = "high_below_open_close", "High is below the open or the close"
    LOW_ABOVE_OPEN_CLOSE = "low_above_open_close", "Low is above the open or the close"
    NEGATIVE_VOLUME = "negative_volume", "Volume is negative"
    NEGATIVE_VALUE = "negative_value", "Traded value is negative"
    DUPLICATE = "duplicate", "The same bar time appears twice in one load (the last one is kept)"


class MarketIndex(models.TextChoices):
    """Market indices stored as daily candles, by FinanceDataReader's codes."""

    KOSPI = "KS11", "KOSPI"
    KOSDAQ = "KQ11", "KOSDAQ"
