from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    # Each language by its own name, in every language: it is what a reader of it looks for.
    KOREAN = "ko", "한국어"
    ENGLISH = "en", "English"


class Theme(models.TextChoices):
    LIGHT = "light", _("밝은 화면")
    DARK = "dark", _("어두운 화면")


class FeedChoice(models.TextChoices):
    SIMULATED = "sim", _("모의 KRX 시세")
    KIS = "kis", _("한국투자증권 (KIS)")


class KisEnvironment(models.TextChoices):
    PAPER = "paper", _("모의투자 (paper)")
    REAL = "real", _("실전투자 (real)")
