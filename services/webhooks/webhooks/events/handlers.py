"""Partner notifications (already redacted by refer-monitor, for a provider or for a police force) become one
message per endpoint of that partner that wants it."""

from __future__ import annotations

from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import PARTNER_NOTIFICATIONS

from ..workflows.messages import on_partner_notification
from ..workflows.police import POLICE_NOTIFICATION_EVENT, on_police_notification

PARTNER_EVENTS = Subscription(
    name="partner-notifications",
    topics=[PARTNER_NOTIFICATIONS],
    handlers={
        "intervention.partner-notification.created": on_partner_notification,
        POLICE_NOTIFICATION_EVENT: on_police_notification,
    },
)
