"""Handlers of consumed events (they call workflows) and the typed contracts this service publishes."""

from probation_shared.events.consumer import Subscription

from . import publish  # noqa: F401 - registers the published contracts
from .handlers import SUBSCRIPTION

SUBSCRIPTIONS: list[Subscription] = [SUBSCRIPTION]
