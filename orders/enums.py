from django.db import models


class OrderSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class OrderType(models.TextChoices):
    """KRX's order types (유가증권시장 업무규정 제2조, 시행세칙: 지정가, 시장가, 조건부지정가,
    최유리지정가, 최우선지정가), as market.exchange.OrderKind names them."""

    MARKET = "market", "시장가"
    LIMIT = "limit", "지정가"
    CONDITIONAL = "conditional", "조건부지정가"
    BEST = "best", "최유리지정가"
    PRIORITY = "priority", "최우선지정가"


class OrderSession(models.TextChoices):
    """The board an order is entered on (market.timetable.Session.board)."""

    REGULAR = "regular", "정규장"
    CLOSE_PRICE = "close_price", "시간외 종가"
    SINGLE_PRICE = "single_price", "시간외 단일가"


class TimeInForce(models.TextChoices):
    DAY = "DAY", "Day"
    IOC = "IOC", "Immediate or cancel"
    FOK = "FOK", "Fill or kill"


class OrderStatus(models.TextChoices):
    NEW = "new", "접수"
    PARTIALLY_FILLED = "partially_filled", "부분체결"
    FILLED = "filled", "체결"
    CANCELLED = "cancelled", "취소"
    REJECTED = "rejected", "거부"
    EXPIRED = "expired", "만료"


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


class ConditionTrigger(models.TextChoices):
    """What a conditional order (자동감시주문) watches: the last traded price."""

    STOP = "stop", "스톱"  # buy: last ≥ stop price; sell: last ≤ stop price
    TAKE_PROFIT = "take_profit", "이익실현"  # sell: last ≥ the price; buy: last ≤ the price
    TRAILING = "trailing", "트레일링 스톱"  # sell: last ≤ highest since armed − trail; buy: mirrored


class ConditionStatus(models.TextChoices):
    WAITING = "waiting", "대기(진입 주문 체결 전)"  # a bracket leg before its entry order fills
    ACTIVE = "active", "감시중"
    TRIGGERED = "triggered", "발동"
    CANCELLED = "cancelled", "취소"
    FAILED = "failed", "발동 실패"


LIVE_CONDITION_STATUSES = (ConditionStatus.WAITING, ConditionStatus.ACTIVE)
