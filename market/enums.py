from django.db import models


class Market(models.TextChoices):
    KOSPI = "KOSPI", "KOSPI"
    KOSDAQ = "KOSDAQ", "KOSDAQ"
    KONEX = "KONEX", "KONEX"


class Side(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class SessionPhase(models.TextChoices):
    CLOSED = "closed", "Closed"
    PRE_OPEN = "pre_open", "Pre-open auction"
    CONTINUOUS = "continuous", "Continuous trading"
    CLOSING_AUCTION = "closing_auction", "Closing auction"
    AFTER_HOURS = "after_hours", "After-hours session"
