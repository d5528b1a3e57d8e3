"""Demo data: the demo user's funded account."""

from typing import Any

from orders.models import Account
from orders.services import account_create

DEMO_ACCOUNT_NAME = "기본 계좌"
DEMO_INITIAL_CASH = 100_000_000


def seed(*, user: Any, stdout: Any) -> None:
    if Account.objects.filter(owner=user, name=DEMO_ACCOUNT_NAME).exists():
        stdout.write(f"orders: account {DEMO_ACCOUNT_NAME} exists")
        return
    account_create(owner=user, name=DEMO_ACCOUNT_NAME, initial_cash=DEMO_INITIAL_CASH)
    stdout.write(f"orders: account {DEMO_ACCOUNT_NAME} funded with {DEMO_INITIAL_CASH:,} KRW")
