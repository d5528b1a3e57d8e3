from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderSide(models.TextChoices):
    BUY = "buy", _("매수")
    SELL = "sell", _("매도")


class OrderType(models.TextChoices):
    """KRX's order types (유가증권시장 업무규정 제2조, 시행세칙: 지정가, 시장가, 조건부지정가,
    최유리지정가, 최우선지정가), as market.exchange.OrderKind names them."""

    MARKET = "market", _("시장가")
    LIMIT = "limit", pgettext_lazy("order type", "지정가")  # where a bare 지정가 is a limit price
    CONDITIONAL = "conditional", _("조건부지정가")
    BEST = "best", _("최유리지정가")
    PRIORITY = "priority", _("최우선지정가")


class OrderSession(models.TextChoices):
    """The board an order is entered on (market.timetable.Session.board)."""

    REGULAR = "regular", _("정규장")
    CLOSE_PRICE = "close_price", _("시간외 종가")
    SINGLE_PRICE = "single_price", _("시간외 단일가")


class TimeInForce(models.TextChoices):
    DAY = "DAY", _("보통(당일)")
    IOC = "IOC", _("즉시체결 후 잔량취소(IOC)")
    FOK = "FOK", _("전량체결 아니면 취소(FOK)")


class OrderStatus(models.TextChoices):
    NEW = "new", _("접수")
    PARTIALLY_FILLED = "partially_filled", _("부분체결")
    FILLED = "filled", pgettext_lazy("order status", "체결")  # where a bare 체결 is a fill
    CANCELLED = "cancelled", _("취소")
    REJECTED = "rejected", _("거부")
    EXPIRED = "expired", _("만료")


OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class CashEntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("입금")
    RESET = "reset", _("초기화")
    BUY = "buy", _("매수")
    SELL = "sell", _("매도")
    COMMISSION = "commission", _("수수료")
    TAX = "tax", _("증권거래세")


class SnapshotTimeframe(models.TextChoices):
    """How often an account's value is recorded: once a trading day (updated until the day ends) and,
    for today's chart, once a minute."""

    DAY = "1D", _("일별")
    MINUTE = "1Min", _("분별")


class HistoryPeriod(models.TextChoices):
    DAY = "1D", _("오늘")
    WEEK = "1W", _("1주")
    MONTH = "1M", _("1개월")
    QUARTER = "3M", _("3개월")
    HALF_YEAR = "6M", _("6개월")
    YEAR = "1A", _("1년")
    ALL = "all", _("계좌 개설 이후")


class HistoryTimeframe(models.TextChoices):
    MINUTE = "1Min", _("1분")
    FIVE_MINUTES = "5Min", _("5분")
    FIFTEEN_MINUTES = "15Min", _("15분")
    HOUR = "1H", _("1시간")
    DAY = "1D", _("1일")


class ActivityType(models.TextChoices):
    FILL = "fill", pgettext_lazy("activity", "체결")  # a fill, where OrderStatus's 체결 is "filled"
    DEPOSIT = "deposit", _("입금")
    RESET = "reset", _("초기화")
    COMMISSION = "commission", _("수수료")
    TAX = "tax", _("증권거래세")
    SETTLEMENT = "settlement", _("결제(T+2)")


class ConditionTrigger(models.TextChoices):
    """What a conditional order (자동감시주문) watches: the last traded price."""

    STOP = "stop", _("스톱")  # buy: last ≥ stop price; sell: last ≤ stop price
    TAKE_PROFIT = "take_profit", _("이익실현")  # sell: last ≥ the price; buy: last ≤ the price
    TRAILING = "trailing", _("트레일링 스톱")  # sell: last ≤ highest since armed − trail; buy: mirrored


class ConditionStatus(models.TextChoices):
    WAITING = "waiting", _("대기(진입 주문 체결 전)")  # a bracket leg before its entry order fills
    ACTIVE = "active", _("감시중")
    TRIGGERED = "triggered", _("발동")
    CANCELLED = "cancelled", _("취소")
    FAILED = "failed", _("발동 실패")


LIVE_CONDITION_STATUSES = (ConditionStatus.WAITING, ConditionStatus.ACTIVE)
