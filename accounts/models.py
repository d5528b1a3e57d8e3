from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.enums import FeedChoice, KisEnvironment, Language, Theme


class User(AbstractUser):
    """The platform's user; custom from the first migration so it can grow."""

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")
        db_table = "accounts_user"


class UserSettings(models.Model):
    """Per-user preferences and the user's KIS keys, encrypted at rest (see accounts.crypto)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="settings", verbose_name=_("사용자"))
    language = models.CharField(_("언어"), max_length=2, choices=Language.choices, default=Language.KOREAN)
    theme = models.CharField(_("테마"), max_length=8, choices=Theme.choices, default=Theme.LIGHT)
    preferred_feed = models.CharField(
        _("시세 피드"), max_length=8, choices=FeedChoice.choices, default=FeedChoice.SIMULATED
    )
    kis_environment = models.CharField(
        _("KIS 환경"), max_length=8, choices=KisEnvironment.choices, default=KisEnvironment.PAPER
    )
    kis_app_key_encrypted = models.TextField(_("KIS 앱 키(암호화)"), blank=True, default="")
    kis_app_secret_encrypted = models.TextField(_("KIS 앱 시크릿(암호화)"), blank=True, default="")
    kis_app_key_hint = models.CharField(_("KIS 앱 키 끝자리"), max_length=8, blank=True, default="")
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("사용자 설정")
        verbose_name_plural = _("사용자 설정")

    def __str__(self) -> str:
        return _("{user}의 설정").format(user=self.user)


class Watchlist(models.Model):
    """A user's 관심종목 group, in the order the user arranged the groups."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="watchlists")
    name = models.CharField(max_length=30)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "관심종목 그룹"
        verbose_name_plural = "관심종목 그룹"
        ordering = ["user", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="watchlist_unique_name")]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class WatchlistItem(models.Model):
    """One symbol of a group, at its place in the group."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="items")
    symbol = models.ForeignKey("market.Symbol", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "관심종목"
        verbose_name_plural = "관심종목"
        ordering = ["watchlist", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["watchlist", "symbol"], name="watchlist_item_unique_symbol")]

    def __str__(self) -> str:
        return f"{self.watchlist} · {self.symbol_id}"
