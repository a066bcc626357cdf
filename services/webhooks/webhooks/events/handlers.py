"""Partner notifications (already redacted by refer-monitor) become one delivery per endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent
from probation_shared.events.consumer import Subscription
from probation_shared.events.topics import PARTNER_NOTIFICATIONS

from ..db.models import Delivery
from ..db.queries import endpoints_of
from ..domain.delivery import PENDING, body_of, new_message_id


async def on_partner_notification(session: AsyncSession, event: DomainEvent) -> None:
    info = event.additionalInformation
    provider_id = info.get("providerId")
    if not provider_id:
        raise ValueError("partner notification without providerId")
    notification_type = info.get("notificationType") or event.eventType
    body = body_of(notification_type, event.occurredAt.isoformat(), info.get("payload") or {})
    now = datetime.now(UTC)
    for endpoint in await endpoints_of(session, provider_id, enabled_only=True):
        session.add(
            Delivery(
                id=new_message_id(), endpoint_id=endpoint.id, provider_id=provider_id, event_type=notification_type,
                source_event_id=str(event.eventId), payload=body, status=PENDING, attempts=0, next_attempt_at=now, created_at=now,
            )
        )


PARTNER_EVENTS = Subscription(
    name="partner-notifications",
    topics=[PARTNER_NOTIFICATIONS],
    handlers={"intervention.partner-notification.created": on_partner_notification},
)
