import pytest
from django.urls import reverse

from orders import services
from orders.models import Account, CashEntry
from orders.tests.invariants import assert_account_invariants

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="boss", password="correct-horse-battery")
    client.force_login(admin)
    return client


def test_admin_deposit_and_reset_actions_go_through_the_services(staff_client, user):
    account = services.account_create(owner=user, name="a", initial_cash=1_000)
    url = reverse("admin:orders_account_changelist")
    response = staff_client.post(url, {"action": "deposit", "_selected_action": [account.pk], "amount": "500"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.cash == 1_500 and account.total_deposits == 500
    response = staff_client.post(url, {"action": "reset", "_selected_action": [account.pk], "amount": "7000"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.cash == 7_000 and account.initial_cash == 7_000
    assert list(CashEntry.objects.filter(account=account).order_by("id").values_list("kind", flat=True)) == [
        "deposit",
        "deposit",
        "reset",
    ]
    assert_account_invariants(account.pk)


def test_admin_pages_render(staff_client, user):
    account = services.account_create(owner=user, name="a", initial_cash=1_000)
    for name in ("account", "order", "trade", "cashentry"):
        assert staff_client.get(reverse(f"admin:orders_{name}_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:orders_account_change", args=[account.pk])).status_code == 200
    assert staff_client.get(reverse("admin:orders_account_add")).status_code == 200


def test_admin_add_account_opens_with_a_ledger_entry(staff_client, user):
    response = staff_client.post(
        reverse("admin:orders_account_add"),
        {
            "owner": user.pk,
            "name": "from admin",
            "initial_cash": "250000",
            "positions-TOTAL_FORMS": "0",
            "positions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    account = Account.objects.get(name="from admin")
    assert account.cash == 250_000
    assert_account_invariants(account.pk)
