from celery import shared_task

from orders import services

EXPIRE_DAY_ORDERS_TASK = "orders.tasks.expire_day_orders"


@shared_task(name=EXPIRE_DAY_ORDERS_TASK)
def expire_day_orders() -> int:
    """Expire the DAY orders placed before the market's last close (idempotent)."""
    return services.order_expire_at_close()


TAKE_ACCOUNT_SNAPSHOTS_TASK = "orders.tasks.take_account_snapshots"


@shared_task(name=TAKE_ACCOUNT_SNAPSHOTS_TASK, ignore_result=True)
def take_account_snapshots() -> int:
    """Record every account's value for its history (idempotent per minute)."""
    from orders.history import snapshots_scheduled

    return snapshots_scheduled()
