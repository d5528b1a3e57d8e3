from django.db import models


class Timeframe(models.TextChoices):
    MINUTE = "1m", "1 minute"
    DAY = "1d", "Daily"
    WEEK = "1w", "Weekly"
    MONTH = "1M", "Monthly"


STORED_TIMEFRAMES = (Timeframe.MINUTE, Timeframe.DAY)
