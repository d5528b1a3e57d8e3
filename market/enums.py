from django.db import models
from django.utils.translation import gettext_lazy as _


class Market(models.TextChoices):
    # The exchange's own names, the same in every language.
    KOSPI = "KOSPI", "KOSPI"
    KOSDAQ = "KOSDAQ", "KOSDAQ"
    KONEX = "KONEX", "KONEX"


class MarketIndex(models.TextChoices):
    """The market indices, by FinanceDataReader's codes: stored as daily candles (historical.IndexCandle)
    and computed live for the simulated market (market.indices)."""

    KOSPI = "KS11", "KOSPI"  # the indices' own names, the same in every language
    KOSDAQ = "KQ11", "KOSDAQ"


class Side(models.TextChoices):
    BUY = "buy", _("매수")
    SELL = "sell", _("매도")


class SessionPhase(models.TextChoices):
    CLOSED = "closed", _("장 종료")
    PRE_OPEN = "pre_open", _("장전 동시호가")
    CONTINUOUS = "continuous", _("접속매매")
    CLOSING_AUCTION = "closing_auction", _("장마감 동시호가")
    AFTER_HOURS = "after_hours", _("시간외 매매")
