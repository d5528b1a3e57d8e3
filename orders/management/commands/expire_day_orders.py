from django.core.management.base import BaseCommand

from orders.enums import OPEN_STATUSES, TimeInForce
from orders.models import Order
from orders.services import order_expire_day_orders


class Command(BaseCommand):
    help = "Expire every DAY order that is still open (run at the close; safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say how many orders would expire.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        if dry_run:
            count = Order.objects.filter(status__in=OPEN_STATUSES, time_in_force=TimeInForce.DAY).count()
            self.stdout.write(f"would expire {count} open DAY order(s)")
            return
        self.stdout.write(f"expired {order_expire_day_orders()} open DAY order(s)")
