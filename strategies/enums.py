from django.db import models
from django.utils.translation import gettext_lazy as _


class Algorithm(models.TextChoices):
    # stable-baselines3's names, the same in every language.
    PPO = "PPO", "PPO"
    A2C = "A2C", "A2C"
    DDPG = "DDPG", "DDPG"
    TD3 = "TD3", "TD3"
    SAC = "SAC", "SAC"


class RunKind(models.TextChoices):
    TRAIN = "train", _("학습")
    BACKTEST = "backtest", _("백테스트")
    WALK_FORWARD = "walk_forward", _("워크포워드")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("대기")
    RUNNING = "running", _("실행 중")
    SUCCEEDED = "succeeded", _("완료")
    FAILED = "failed", _("실패")
    CANCELLED = "cancelled", _("취소")


FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Execution(models.TextChoices):
    """When a decision made on day t's close fills (strategies.execution)."""

    OPEN = "open", _("다음 거래일 시가 단일가매매")
    CLOSE = "close", _("다음 거래일 종가 단일가매매")


class WalkForwardTraining(models.TextChoices):
    """How each walk-forward window's training period moves (strategies.walkforward)."""

    ROLLING = "rolling", _("이동 창(같은 길이로 옮겨 감)")
    EXPANDING = "expanding", _("확장 창(시작일 고정)")
