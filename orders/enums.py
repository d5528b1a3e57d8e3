from django.db import models


class OrderSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class OrderType(models.TextChoices):
    MARKET = "market", "Market"
    LIMIT = "limit", "Limit"


class TimeInForce(models.TextChoices):
    DAY = "DAY", "Day"
    IOC = "IOC", "Immediate or cancel"
    FOK = "FOK", "Fill or kill"


class OrderStatus(models.TextChoices):
    NEW = "new", "New"
    PARTIALLY_FILLED = "partially_filled", "Partially filled"
    FILLED = "filled", "Filled"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class CashEntryKind(models.TextChoices):
    DEPOSIT = "deposit", "Deposit"
    RESET = "reset", "Reset"
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"
    COMMISSION = "commission", "Commission"
    TAX = "tax", "Securities transaction tax"


class SnapshotTimeframe(models.TextChoices):
    """How often an account's value is recorded: once a trading day (updated until the day ends) and,
    for today's chart, once a minute."""

    DAY = "1D", "Daily"
    MINUTE = "1Min", "Per minute"


class HistoryPeriod(models.TextChoices):
    DAY = "1D", "Today"
    WEEK = "1W", "One week"
    MONTH = "1M", "One month"
    QUARTER = "3M", "Three months"
    HALF_YEAR = "6M", "Six months"
    YEAR = "1A", "One year"
    ALL = "all", "Since the account opened"


class HistoryTimeframe(models.TextChoices):
    MINUTE = "1Min", "1 minute"
    FIVE_MINUTES = "5Min", "5 minutes"
    FIFTEEN_MINUTES = "15Min", "15 minutes"
    HOUR = "1H", "1 hour"
    DAY = "1D", "1 day"


class ActivityType(models.TextChoices):
    FILL = "fill", "Fill"
    DEPOSIT = "deposit", "Deposit"
    RESET = "reset", "Reset"
    COMMISSION = "commission", "Commission"
    TAX = "tax", "Securities transaction tax"
    SETTLEMENT = "settlement", "Settlement (T+2)"
