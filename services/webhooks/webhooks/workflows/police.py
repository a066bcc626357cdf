"""Police partner notifications (already rendered for the police audience by refer-monitor) become one
message per endpoint of that force that wants it: the same queue, signing, retries and ordering as providers'."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import DomainEvent

from ..db import queries
from ..domain.filters import wants
from ..domain.partners import FORCE_ID, PartnerKind, police_owner
from ..domain.signing import body_of
from .common import now_in
from .messages import queue

POLICE_NOTIFICATION_EVENT = "police.partner-notification.created"


async def on_police_notification(session: AsyncSession, event: DomainEvent) -> None:
    info = event.additionalInformation
    force_id = info.get("forceId")
    if not isinstance(force_id, str) or not FORCE_ID.match(force_id):
        raise ValueError("police partner notification without a valid forceId")
    notification_type = info.get("notificationType") or event.eventType
    body = body_of(notification_type, event.occurredAt.isoformat(), info.get("payload") or {})
    now = now_in(session)
    # POLICE endpoints of this force only: never a provider's endpoint, never another force's.
    for endpoint in await queries.endpoints_of(session, police_owner(force_id), PartnerKind.POLICE.value):
        if wants(endpoint.event_types, notification_type):
            await queue(session, endpoint, notification_type, str(event.eventId), event.crn or "", body, now)
