from django.db import models


class Algorithm(models.TextChoices):
    PPO = "PPO", "PPO"
    A2C = "A2C", "A2C"
    DDPG = "DDPG", "DDPG"
    TD3 = "TD3", "TD3"
    SAC = "SAC", "SAC"


class RunKind(models.TextChoices):
    TRAIN = "train", "학습"
    BACKTEST = "backtest", "백테스트"
    WALK_FORWARD = "walk_forward", "워크포워드"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "대기"
    RUNNING = "running", "실행 중"
    SUCCEEDED = "succeeded", "완료"
    FAILED = "failed", "실패"
    CANCELLED = "cancelled", "취소"


FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Execution(models.TextChoices):
    """When a decision made on day t's close fills (strategies.execution)."""

    OPEN = "open", "Next day's opening auction"
    CLOSE = "close", "Next day's closing auction"


class WalkForwardTraining(models.TextChoices):
    """How each walk-forward window's training period moves (strategies.walkforward)."""

    ROLLING = "rolling", "이동 창(같은 길이로 옮겨 감)"
    EXPANDING = "expanding", "확장 창(시작일 고정)"
