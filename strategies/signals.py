"""Signals of the strategies app, for apps it must not import (webhooks listens here)."""

from django.dispatch import Signal

# A deployed strategy's tick failed (arguments: deployment_id, message, at). Sent by the worker
# after the failure is recorded.
deployment_error = Signal()
