from django.db import models
from django.utils.translation import gettext_lazy as _

from historical.enums import MarketIndex, Timeframe
from market.models import Symbol


class Candle(models.Model):
    """One OHLCV bar. Daily bars are stamped at 00:00 Asia/Seoul of the trading day, minute bars at the
    start of their minute (historical.intraday builds them from the market's trades)."""

    # No index of its own: the unique (symbol, timeframe, time) index serves every lookup by symbol,
    # and one index fewer makes bulk loads faster.
    symbol = models.ForeignKey(
        Symbol, on_delete=models.CASCADE, related_name="candles", db_index=False, verbose_name=_("종목")
    )
    timeframe = models.CharField(_("주기"), max_length=3, choices=Timeframe.choices, default=Timeframe.DAY)
    time = models.DateTimeField(_("시각"))
    open = models.BigIntegerField(_("시가"))
    high = models.BigIntegerField(_("고가"))
    low = models.BigIntegerField(_("저가"))
    close = models.BigIntegerField(_("종가"))
    volume = models.BigIntegerField(_("거래량"))
    value = models.BigIntegerField(
        _("거래대금"), null=True, blank=True, help_text=_("거래대금(원), 출처가 제공하는 경우에만.")
    )
    source = models.CharField(
        _("출처"),
        max_length=16,
        default="fdr",
        help_text=_("fdr, csv, synthetic(모의 데이터) 또는 kis(KIS 실시간 체결)."),
    )

    class Meta:
        verbose_name = _("캔들")
        verbose_name_plural = _("캔들")
        ordering = ["symbol", "timeframe", "time"]
        constraints = [
            models.UniqueConstraint(fields=["symbol", "timeframe", "time"], name="candle_unique_bar"),
            models.CheckConstraint(condition=models.Q(high__gte=models.F("low")), name="candle_high_ge_low"),
            models.CheckConstraint(
                condition=models.Q(open__gt=0, high__gt=0, low__gt=0, close__gt=0), name="candle_prices_positive"
            ),
            models.CheckConstraint(condition=models.Q(volume__gte=0), name="candle_volume_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol_id} {self.timeframe} {self.time:%Y-%m-%d %H:%M}"


class IndexCandle(models.Model):
    """One daily bar of a market index (KOSPI, KOSDAQ), in index points; stamped at 00:00 Asia/Seoul.

    Indices have no symbol row: they are not tradable. `simulated` bars are computed from the
    synthetic market's candles (the demo), never mixed with real ones of the same index and day.
    """

    index = models.CharField(max_length=8, choices=MarketIndex.choices)
    time = models.DateTimeField()
    open = models.DecimalField(max_digits=14, decimal_places=2)
    high = models.DecimalField(max_digits=14, decimal_places=2)
    low = models.DecimalField(max_digits=14, decimal_places=2)
    close = models.DecimalField(max_digits=14, decimal_places=2)
    volume = models.BigIntegerField(default=0)
    value = models.BigIntegerField(null=True, blank=True, help_text=_("거래대금(원), 출처가 제공하는 경우에만."))
    source = models.CharField(max_length=16, default="fdr", help_text=_("fdr 또는 synthetic(모의)."))
    simulated = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("지수 캔들")
        verbose_name_plural = _("지수 캔들")
        ordering = ["index", "time"]
        constraints = [
            models.UniqueConstraint(fields=["index", "time"], name="index_candle_unique_bar"),
            models.CheckConstraint(condition=models.Q(high__gte=models.F("low")), name="index_candle_high_ge_low"),
            models.CheckConstraint(condition=models.Q(close__gt=0), name="index_candle_close_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.index} {self.time:%Y-%m-%d} {self.close}"
