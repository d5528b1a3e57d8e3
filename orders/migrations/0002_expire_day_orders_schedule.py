"""The celery-beat entry that expires DAY orders at the 15:30 KST close (editable in the admin)."""

from django.db import migrations

TASK = "orders.tasks.expire_day_orders"
NAME = "orders: expire DAY orders at the close (15:30 KST)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="15", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Seoul"
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=schedule, enabled=True)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
