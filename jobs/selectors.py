from django.db.models import QuerySet

from jobs.models import Job


def job_list(*, user) -> QuerySet[Job]:
    """Jobs the user may see: their own; staff see every job."""
    qs = Job.objects.all()
    if not user.is_staff:
        qs = qs.filter(owner=user)
    return qs


def job_get(*, user, job_id: int) -> Job:
    return job_list(user=user).get(pk=job_id)
