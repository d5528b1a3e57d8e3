"""Celery tasks of the strategies app (queue "training" via the "strategies.*" route).

Thin and light to import: the RL stack is imported inside each task, so the web process, which
queues these, never loads it.
"""

from celery import shared_task


@shared_task(name="strategies.run", acks_late=True)
def strategy_run(*, run_id: int) -> None:
    """Train or backtest (StrategyRun.kind). Safe to run twice: a finished run is left alone."""
    from strategies.rl.runs import execute_run

    execute_run(run_id=run_id)


@shared_task(name="strategies.deployment_tick", ignore_result=True)
def deployment_tick(*, deployment_id: int) -> None:
    """One decision of a deployed strategy: observe, act, place paper orders."""
    from strategies.rl.live import deployment_step

    deployment_step(deployment_id=deployment_id)
