from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Market indices (KS11, KQ11) are defined in market, which computes the live index too; re-exported here.
from market.enums import MarketIndex as MarketIndex


class Timeframe(models.TextChoices):
    MINUTE = "1m", _("1분")
    MINUTE_5 = "5m", _("5분")
    MINUTE_15 = "15m", _("15분")
    MINUTE_60 = "60m", _("60분")
    DAY = "1d", pgettext_lazy("timeframe", "일")
    WEEK = "1w", pgettext_lazy("timeframe", "주")
    MONTH = "1M", pgettext_lazy("timeframe", "월")


STORED_TIMEFRAMES = (Timeframe.MINUTE, Timeframe.DAY)
# Timeframes the candle API aggregates in the database: from 1-minute bars (minutes per bar) ...
INTRADAY_AGGREGATED = {Timeframe.MINUTE_5: 5, Timeframe.MINUTE_15: 15, Timeframe.MINUTE_60: 60}
INTRADAY_TIMEFRAMES = (Timeframe.MINUTE, *INTRADAY_AGGREGATED)
# ... and from daily bars.
AGGREGATED_TIMEFRAMES = (Timeframe.WEEK, Timeframe.MONTH)


class CandleSource(models.TextChoices):
    FDR = "fdr", "FinanceDataReader"
    CSV = "csv", _("CSV 파일")
    SYNTHETIC = "synthetic", _("합성 데이터(시뮬레이션)")
    KIS = "kis", _("KIS Open API (실시간 체결)")


class RejectReason(models.TextChoices):
    """Why a bar failed the sanity checks and was not stored."""

    NON_POSITIVE_PRICE = "non_positive_price", _("가격이 0 이하")
    HIGH_BELOW_LOW = "high_below_low", _("고가가 저가보다 낮음")
    HIGH_BELOW_OPEN_CLOSE = "high_below_open_close", _("고가가 시가나 종가보다 낮음")
    LOW_ABOVE_OPEN_CLOSE = "low_above_open_close", _("저가가 시가나 종가보다 높음")
    NEGATIVE_VOLUME = "negative_volume", _("거래량이 음수")
    NEGATIVE_VALUE = "negative_value", _("거래대금이 음수")
    DUPLICATE = "duplicate", _("한 번에 불러온 봉 중 같은 시각이 두 번 나옴(뒤의 것을 저장)")
