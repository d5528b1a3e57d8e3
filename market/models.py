import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from market.enums import Market

CODE_PATTERN = r"^[0-9A-Z]{6}$"
# The same text as config.inputs.CODE_INVALID (which imports this module).
symbol_code_validator = RegexValidator(CODE_PATTERN, _("종목코드는 6자리 영문 대문자 또는 숫자입니다 (예: 005930)."))


class Symbol(models.Model):
    """A listed KRX instrument (the symbol master)."""

    CODE_RE = re.compile(r"[0-9A-Z]{6}")

    code = models.CharField(_("종목코드"), max_length=6, unique=True, validators=[symbol_code_validator])
    name = models.CharField(_("종목명"), max_length=100, db_index=True)
    name_en = models.CharField(_("영문명"), max_length=100, blank=True, default="")
    market = models.CharField(_("시장"), max_length=8, choices=Market.choices, db_index=True)
    sector = models.CharField(_("업종"), max_length=100, blank=True, default="", db_index=True)
    is_active = models.BooleanField(_("상장·표시"), default=True, help_text=_("상장되어 있고 화면에 보입니다."))
    is_tradable = models.BooleanField(_("거래 가능"), default=True, help_text=_("주문을 받습니다(거래정지 아님)."))
    # Previous session's close: the base price of today's ±30% band and the feed's starting point.
    prev_close = models.PositiveBigIntegerField(_("전일 종가"), null=True, blank=True)
    # What the synthetic market sizes a stock's order flow from: its typical daily traded value.
    typical_daily_value = models.PositiveBigIntegerField(
        _("평소 거래대금"), default=10_000_000_000, help_text=_("하루 평소 거래대금(원).")
    )
    # KOSPI 200 constituents have the tighter dynamic VI threshold (±3% instead of ±6%).
    is_kospi200 = models.BooleanField(_("KOSPI 200"), default=False, help_text=_("KOSPI 200 구성 종목."))
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("종목")
        verbose_name_plural = _("종목")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Quote(models.Model):
    """Latest session snapshot of a symbol, written by the feed runner at a bounded rate.

    One row per symbol (upserted): it survives restarts of the feed and lets the back office and
    reports see recent prices without Redis; the live value is in `market.state.store()`.
    """

    symbol = models.OneToOneField(Symbol, on_delete=models.CASCADE, related_name="snapshot", verbose_name=_("종목"))
    price = models.PositiveBigIntegerField(_("현재가"))
    open = models.PositiveBigIntegerField(_("시가"))
    high = models.PositiveBigIntegerField(_("고가"))
    low = models.PositiveBigIntegerField(_("저가"))
    prev_close = models.PositiveBigIntegerField(_("전일 종가"))
    volume = models.PositiveBigIntegerField(_("거래량"), default=0)
    value = models.PositiveBigIntegerField(_("거래대금"), default=0)
    best_bid = models.PositiveBigIntegerField(_("최우선 매수호가"), null=True, blank=True)
    best_ask = models.PositiveBigIntegerField(_("최우선 매도호가"), null=True, blank=True)
    time = models.DateTimeField(_("시세 시각"))
    updated_at = models.DateTimeField(_("기록 시각"), auto_now=True)

    class Meta:
        verbose_name = _("시세 스냅샷")
        verbose_name_plural = _("시세 스냅샷")
        ordering = ["symbol__code"]

    def __str__(self) -> str:
        return f"{self.symbol_id} {self.price} @ {self.time:%Y-%m-%d %H:%M:%S}"


class MarketClockState(models.Model):
    """The shared practice clock (one row): at wall time `anchor_wall_at` the market clock read
    `anchor_market_at`, running `speed` times wall time. The feed's process re-anchors it every few
    seconds; see market/clock.py."""

    SINGLETON = 1

    anchor_market_at = models.DateTimeField(_("기준 시장 시각"))
    anchor_wall_at = models.DateTimeField(_("기준 실제 시각"))
    speed = models.FloatField(_("배속"))
    start_setting = models.CharField(
        _("시작 설정"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("이 시계를 시작할 때의 PAPERTRADE_CLOCK_START 값."),
    )
    updated_at = models.DateTimeField(_("갱신 시각"), auto_now=True)

    class Meta:
        verbose_name = _("시장 시계")
        verbose_name_plural = _("시장 시계")
        constraints = [models.CheckConstraint(condition=models.Q(speed__gt=0), name="market_clock_speed_positive")]

    def __str__(self) -> str:
        return _("연습 시계 {at} ×{speed:g}").format(at=self.anchor_market_at.isoformat(), speed=self.speed)
