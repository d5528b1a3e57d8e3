from django.db import models


class Language(models.TextChoices):
    KOREAN = "ko", "한국어"
    ENGLISH = "en", "English"


class Theme(models.TextChoices):
    LIGHT = "light", "Light"
    DARK = "dark", "Dark"


class FeedChoice(models.TextChoices):
    SIMULATED = "sim", "Simulated KRX feed"
    KIS = "kis", "Korea Investment & Securities"


class KisEnvironment(models.TextChoices):
    PAPER = "paper", "모의투자 (paper)"
    REAL = "real", "실전투자 (real)"
