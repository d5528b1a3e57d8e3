from django.db import models


class Timeframe(models.TextChoices):
    MINUTE = "1m", "1 minute"
    DAY = "1d", "Daily"
    WEEK = "1w", "Weekly"
    MONTH = "1M", "Monthly"


STORED_TIMEFRAMES = (Timeframe.MINUTE, Timeframe.DAY)
# Timeframes the candle API aggregates from daily bars in the database.
AGGREGATED_TIMEFRAMES = (Timeframe.WEEK, Timeframe.MONTH)


class CandleSource(models.TextChoices):
    FDR = "fdr", "FinanceDataReader"
    CSV = "csv", "CSV file"
    SYNTHETIC = "synthetic", "Synthetic (simulated)"


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
