from celery import shared_task

from jobs import services


@shared_task(name="jobs.tasks.jobs_reap_stale", acks_late=True)
def jobs_reap_stale() -> int:
    """Mark jobs whose worker stopped reporting as failed (scheduled by celery-beat)."""
    return services.job_reap_stale()
