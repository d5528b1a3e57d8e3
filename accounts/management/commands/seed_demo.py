"""Seed demo data: a demo user, then each app's demo data (symbols, candles, a funded account...).

Each app that has demo data exposes `<app>.demo.seed(*, user, stdout)`; this command calls them in
data-flow order. Safe to run again: every step is an upsert.
"""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User, UserSettings

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "papertrade-demo"
# Back-office login for the local demo only (`make run`); production creates its own staff users.
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "papertrade-admin"
DEMO_APPS = ("market", "historical", "orders", "strategies")


class Command(BaseCommand):
    help = "Create the demo user and each app's demo data (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            UserSettings.objects.get_or_create(user=user)
            admin, admin_created = User.objects.get_or_create(
                username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True}
            )
            if admin_created:
                admin.set_password(ADMIN_PASSWORD)
                admin.save()
            UserSettings.objects.get_or_create(user=admin)
        self.stdout.write(f"demo user: {DEMO_USERNAME} ({'created' if created else 'exists'})")
        self.stdout.write(f"back-office user: {ADMIN_USERNAME} ({'created' if admin_created else 'exists'})")
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.seed(user=user, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data ready"))
