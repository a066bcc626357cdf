"""Handlers of consumed events (they call workflows) and the typed contracts this service publishes."""

from probation_shared.events.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
