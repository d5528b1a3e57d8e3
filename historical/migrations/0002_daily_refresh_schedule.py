"""The celery-beat entry that refreshes daily bars after the KRX close (editable in the admin)."""

import json

from django.db import migrations

TASK_NAME = "historical: refresh daily bars after the KRX close"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return  # keep whatever an admin changed
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="16", day_of_week="1-5", day_of_month="*", month_of_year="*", timezone="Asia/Seoul"
    )
    PeriodicTask.objects.create(
        name=TASK_NAME,
        task="historical.tasks.candles_refresh_all",
        crontab=crontab,
        kwargs=json.dumps({}),
        queue="ingestion",
        enabled=True,
        description="Fetch every active symbol's daily bars from its last stored bar (16:00 Asia/Seoul, Mon-Fri).",
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("historical", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
