"""Messages: one per notification per endpoint that wants it; test events; replay of one or since a time."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.domain_error import DomainError
from probation_shared.events import DomainEvent

from ..db import queries
from ..db.models import Delivery, Endpoint
from ..domain.filters import TEST_EVENT_TYPE, wants
from ..domain.partners import PartnerKind
from ..domain.signing import body_of, new_message_id
from ..domain.states import REPLAYABLE, MessageStatus, Trigger, next_status
from .common import now_in, wake_workers_after_commit


async def queue(
    session: AsyncSession,
    endpoint: Endpoint,
    event_type: str,
    source_event_id: str,
    person_key: str,
    body: str,
    now: datetime,
) -> Delivery:
    """A message to `endpoint`, after every earlier one (its sequence number); held while the endpoint is disabled."""
    seq = await queries.take_sequence_numbers(session, endpoint.id, 1)
    message = Delivery(
        id=new_message_id(),
        endpoint_id=endpoint.id,
        provider_id=endpoint.provider_id,
        event_type=event_type,
        source_event_id=source_event_id,
        person_key=person_key,
        seq=seq,
        payload=body,
        status=MessageStatus.PENDING if endpoint.enabled else MessageStatus.HELD,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    wake_workers_after_commit(session)
    return message


async def on_partner_notification(session: AsyncSession, event: DomainEvent) -> None:
    """refer-monitor's notification (already redacted for this provider) → a message per endpoint that wants it."""
    info = event.additionalInformation
    provider_id = info.get("providerId")
    if not provider_id:
        raise ValueError("partner notification without providerId")
    notification_type = info.get("notificationType") or event.eventType
    body = body_of(notification_type, event.occurredAt.isoformat(), info.get("payload") or {})
    # Order is kept per person: the CRN (else the referral) is the ordering key.
    person_key = event.crn or info.get("referralId") or ""
    now = now_in(session)
    # PROVIDER endpoints only: a police partner's endpoint never receives a provider's notification.
    # The consumer's hot path: the same message rows as `queue` makes, written as Core statements (no
    # ORM entities loaded or flushed per notification).
    for endpoint in await queries.routes_of(session, provider_id, PartnerKind.PROVIDER.value):
        if wants(endpoint.event_types, notification_type):
            await queries.insert_message(
                session,
                dict(
                    id=new_message_id(),
                    endpoint_id=endpoint.id,
                    provider_id=endpoint.provider_id,
                    event_type=notification_type,
                    source_event_id=str(event.eventId),
                    person_key=person_key,
                    payload=body,
                    status=(MessageStatus.PENDING if endpoint.enabled else MessageStatus.HELD).value,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                ),
            )
            wake_workers_after_commit(session)


async def send_test(session: AsyncSession, endpoint: Endpoint) -> Delivery:
    if not endpoint.enabled:
        raise DomainError(
            "endpoint-disabled", status=409, detail="Enable the endpoint before sending a test event to it."
        )
    now = now_in(session)
    test_id = str(uuid.uuid4())
    body = body_of(
        TEST_EVENT_TYPE,
        now.isoformat(),
        {"message": "A test event: your endpoint is reachable and verifies our signature.", "testId": test_id},
    )
    # Its own ordering key: a test never waits behind, or holds back, a person's messages.
    return await queue(session, endpoint, TEST_EVENT_TYPE, test_id, f"test:{test_id}", body, now)


async def find(session: AsyncSession, provider_id: str, message_id: str) -> Delivery:
    message = await queries.message_of(session, provider_id, message_id)
    if message is None:
        raise DomainError("message-not-found", status=404, detail="No such message.")
    return message


def _requeue(message: Delivery, now: datetime) -> None:
    message.status = next_status(MessageStatus(message.status), Trigger.REPLAYED)
    message.attempts, message.next_attempt_at, message.claim_token, message.dead_at = 0, now, None, None


async def replay(session: AsyncSession, endpoint: Endpoint, message: Delivery) -> Delivery:
    """Send a message again, with the same `webhook-id` (dead letters, or to recover a receiver's lost data)."""
    if not endpoint.enabled:
        raise DomainError("endpoint-disabled", status=409, detail="Enable the endpoint before replaying to it.")
    if message.status == MessageStatus.PENDING:
        return message  # already on its way
    _requeue(message, now_in(session))
    wake_workers_after_commit(session)
    return message


async def replay_since(session: AsyncSession, endpoint: Endpoint, since: datetime) -> int:
    if not endpoint.enabled:
        raise DomainError("endpoint-disabled", status=409, detail="Enable the endpoint before replaying to it.")
    count = await queries.requeue_since(session, endpoint.id, since, [s.value for s in REPLAYABLE], now_in(session))
    wake_workers_after_commit(session)
    return count
