"""A provider's endpoints: register (secret shown once), change, rotate the secret, disable, enable, delete."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.domain_error import DomainError
from probation_shared.errors import Problem  # the refused URL carries a `reason` extension member
from probation_shared.events import add_event, new_event
from probation_shared.events.topics import WEBHOOKS

from ..db import queries
from ..db.models import PLATFORM, Endpoint
from ..domain.addresses import RefusedUrl
from ..domain.partners import PartnerKind
from ..domain.signing import new_secret
from ..domain.states import DisabledReason, MessageStatus
from ..sender import resolver_of, vet_url
from ..settings import WebhooksSettings
from .common import now_in, vault

ENDPOINT_DISABLED_EVENT = "webhooks.endpoint.disabled"


def refused(exc: RefusedUrl) -> Problem:
    message = f"This URL cannot be used: {exc}"
    return Problem(
        422,
        "endpoint-url-refused",
        message,
        reason=exc.reason.value,
        errors=[{"field": "url", "message": message, "reason": exc.reason.value}],
    )


async def checked_url(session: AsyncSession, url: str, settings: WebhooksSettings) -> str:
    try:
        return (await vet_url(url, settings, resolver_of(session.info))).url
    except RefusedUrl as exc:
        raise refused(exc) from exc


async def find(session: AsyncSession, provider_id: str, endpoint_id: str, for_update: bool = False) -> Endpoint:
    endpoint = await queries.endpoint_of(session, provider_id, endpoint_id, for_update=for_update)
    if endpoint is None:
        raise DomainError("endpoint-not-found", status=404, detail="No such endpoint.")
    return endpoint


async def register(
    session: AsyncSession,
    settings: WebhooksSettings,
    provider_id: str,
    url: str,
    description: str | None,
    event_types: list[str] | None,
    contact_email: str | None,
    partner_kind: PartnerKind = PartnerKind.PROVIDER,
) -> tuple[Endpoint, str]:
    url = await checked_url(session, url, settings)
    secret = new_secret()
    now = now_in(session)
    endpoint = Endpoint(
        id=f"ep_{uuid.uuid4().hex}",
        provider_id=provider_id,
        partner_kind=partner_kind.value,
        url=url,
        description=description,
        event_types=event_types or None,
        contact_email=contact_email,
        secret_encrypted=vault(settings).encrypt(secret),
        enabled=True,
        next_seq=0,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def update(session: AsyncSession, settings: WebhooksSettings, endpoint: Endpoint, changes: dict) -> Endpoint:
    if "url" in changes:
        endpoint.url = await checked_url(session, changes["url"], settings)
    for field in ("description", "contact_email"):
        if field in changes:
            setattr(endpoint, field, changes[field])
    if "event_types" in changes:
        endpoint.event_types = changes["event_types"] or None
    endpoint.updated_at = now_in(session)
    return endpoint


def rotate_secret(session: AsyncSession, settings: WebhooksSettings, endpoint: Endpoint) -> tuple[str, datetime]:
    """A new secret; the one it replaces still verifies (deliveries carry both signatures) for the overlap."""
    now = now_in(session)
    secret = new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + timedelta(seconds=settings.secret_rotation_overlap_seconds)
    endpoint.secret_encrypted = vault(settings).encrypt(secret)
    endpoint.updated_at = now
    return secret, endpoint.previous_secret_expires_at


async def disable(
    session: AsyncSession, endpoint: Endpoint, reason: DisabledReason, now: datetime, detail: str | None = None
) -> None:
    """Stop sending. 410: what is queued is cancelled. Otherwise it is held, to go when enabled again.

    Disabled by us (410 or 24 hours of failures): the owner is told, by an event and a notice to the
    contact they registered.
    """
    endpoint.enabled = False
    endpoint.disabled_reason = detail or reason.value
    endpoint.disabled_at = now
    endpoint.updated_at = now
    target = MessageStatus.CANCELLED if reason is DisabledReason.GONE else MessageStatus.HELD
    affected = await queries.set_status(session, endpoint.id, [MessageStatus.PENDING], target, now)
    if reason is DisabledReason.BY_PROVIDER:
        return
    info = {
        "providerId": endpoint.provider_id,
        "endpointId": endpoint.id,
        "url": endpoint.url,
        "reason": reason.name,
        "detail": endpoint.disabled_reason,
        "messagesAffected": affected,
        "messagesNow": target.value,
    }
    await add_event(
        session,
        PLATFORM.outbox,
        WEBHOOKS,
        new_event(ENDPOINT_DISABLED_EVENT, description=endpoint.disabled_reason, additional_information=info),
        key=endpoint.provider_id,
    )
    queries.add_notice(
        session,
        provider_id=endpoint.provider_id,
        endpoint_id=endpoint.id,
        contact_email=endpoint.contact_email,
        created_at=now,
        subject=f"Your webhook endpoint {endpoint.url} has been disabled",
        body=(
            f"We stopped sending to {endpoint.url} ({endpoint.id}): {endpoint.disabled_reason}. "
            f"{affected} queued message(s) are now {target.value}. Fix the receiver, then enable the endpoint "
            "(POST .../endpoints/{id}/enable) to send what is held, or replay messages since a time."
        ),
    )


async def enable(session: AsyncSession, endpoint: Endpoint, replay_held: bool) -> int:
    now = now_in(session)
    endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since = True, None, None, None
    endpoint.updated_at = now
    if not replay_held:
        return 0
    return await queries.set_status(session, endpoint.id, [MessageStatus.HELD], MessageStatus.PENDING, now)


async def remove(session: AsyncSession, endpoint: Endpoint) -> None:
    await session.delete(endpoint)


async def reencrypt_all(session: AsyncSession, settings: WebhooksSettings) -> int:
    """Every stored secret under the first (current) key: after adding a new key, before dropping the old."""
    secrets = vault(settings)
    endpoints = await queries.all_endpoints(session)
    for endpoint in endpoints:
        endpoint.secret_encrypted = secrets.reencrypt(endpoint.secret_encrypted)
        if endpoint.previous_secret_encrypted:
            endpoint.previous_secret_encrypted = secrets.reencrypt(endpoint.previous_secret_encrypted)
    return len(endpoints)
