"""Back office: runs with their metrics, and an action that cancels a run's job."""

import pytest
from django.test import Client

from jobs.models import Job
from strategies import services
from strategies.models import StrategyRun
from strategies.tests.factories import zigzag_market

pytestmark = pytest.mark.django_db


def test_admin_lists_runs_and_cancels_a_queued_one(django_user_model, user, django_capture_on_commit_callbacks):
    dates = zigzag_market(("000010",))
    strategy = services.strategy_create(
        owner=user,
        name="queued",
        symbols=["000010"],
        train_start=dates[0],
        train_end=dates[99],
        test_start=dates[100],
        test_end=dates[-1],
    )
    with django_capture_on_commit_callbacks(execute=False):  # no worker picks it up
        run = services.run_train(strategy_id=strategy.pk, owner=user)
    staff = django_user_model.objects.create_superuser(username="boss", password="correct-horse-battery")
    client = Client()
    client.force_login(staff)
    page = client.get("/admin/strategies/strategyrun/")
    assert page.status_code == 200 and b"queued" in page.content
    assert client.get(f"/admin/strategies/strategy/{strategy.pk}/change/").status_code == 200

    response = client.post(
        "/admin/strategies/strategyrun/", {"action": "cancel_runs", "_selected_action": [run.pk]}, follow=True
    )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert Job.objects.get(pk=run.job_id).status == "cancelled"
    # A finished run cannot be cancelled again: the admin says so instead of failing.
    response = client.post(
        "/admin/strategies/strategyrun/", {"action": "cancel_runs", "_selected_action": [run.pk]}, follow=True
    )
    assert services.RUN_FINISHED.encode() in response.content
    assert StrategyRun.objects.get(pk=run.pk).status == "cancelled"
