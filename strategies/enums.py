from django.db import models


class Algorithm(models.TextChoices):
    PPO = "PPO", "PPO"
    A2C = "A2C", "A2C"
    DDPG = "DDPG", "DDPG"
    TD3 = "TD3", "TD3"
    SAC = "SAC", "SAC"


class RunKind(models.TextChoices):
    TRAIN = "train", "Training"
    BACKTEST = "backtest", "Backtest"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED)


class Execution(models.TextChoices):
    """When a decision made on day t's close fills (strategies.execution)."""

    OPEN = "open", "Next day's opening auction"
    CLOSE = "close", "Next day's closing auction"
