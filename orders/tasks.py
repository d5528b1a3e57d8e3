from celery import shared_task

from orders import services

EXPIRE_DAY_ORDERS_TASK = "orders.tasks.expire_day_orders"


@shared_task(name=EXPIRE_DAY_ORDERS_TASK)
def expire_day_orders() -> int:
    """Expire the DAY orders placed before the market's last close (idempotent)."""
    return services.order_expire_at_close()
