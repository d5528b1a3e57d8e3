from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "웹훅"

    def ready(self) -> None:
        # The apps that emit events never import webhooks: it listens to what they already send.
        from django.db.models.signals import post_save

        from orders.events import condition_triggered, order_events_committed
        from strategies.models import StrategyRun
        from strategies.signals import deployment_error
        from webhooks import receivers

        order_events_committed.connect(receivers.on_order_events, dispatch_uid="webhooks.on_order_events")
        post_save.connect(receivers.on_run_saved, sender=StrategyRun, dispatch_uid="webhooks.on_run_saved")
        deployment_error.connect(receivers.on_deployment_error, dispatch_uid="webhooks.on_deployment_error")
        condition_triggered.connect(receivers.on_condition_triggered, dispatch_uid="webhooks.on_condition_triggered")
