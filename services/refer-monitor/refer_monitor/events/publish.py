"""Builders of what refer-monitor publishes: domain events on `refer-monitor.events` and partner
notifications on `refer-monitor.partner-notifications` (one per provider, already redacted for it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.topics import PARTNER_NOTIFICATIONS, REFER_MONITOR
from probation_shared.redaction import DataClass, redact_data

from ..db.models import PLATFORM, Referral
from ..domain.views import PROVIDER_ROLES

D = DataClass

# docs/events.md: partner notifications carry this eventType.
NOTIFICATION_EVENT_TYPE = "intervention.partner-notification.created"

# What a notification payload may carry, classified for the one redaction policy. The provider view
# inside is stored already redacted; classifying it again keeps this the single gate.
PAYLOAD_SPEC = {
    "view": {
        "person": {"first_name": D.IDENTITY, "last_name": D.IDENTITY, "date_of_birth": D.IDENTITY, "sex": D.IDENTITY},
        "contact": D.CONTACT_DETAILS,
        "risk": {"overall_level": D.RISK_LEVELS, "summary": D.RISK_NARRATIVE, "tier": D.RISK_LEVELS, "registrations": D.RISK_LEVELS},
        "enforcement": D.SENTENCE,
        "victims": D.VICTIM_DETAILS,
    },
    "update": {"text": D.PROVIDER_UPDATES},
    "victims": D.VICTIM_DETAILS,
    "offence": D.OFFENCE,
}


def referral_info(referral: Referral, provider_id: str) -> dict[str, Any]:
    return {
        "referralId": referral.id,
        "referralReference": referral.reference,
        "providerId": provider_id,
        "contractReference": referral.contract_reference,
    }


async def referral_event(
    session: AsyncSession,
    event_type: str,
    referral: Referral,
    *,
    prime_provider_id: str,
    notify: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """One `intervention.*` event, plus a partner notification to each provider in `notify`."""
    info = referral_info(referral, prime_provider_id) | (extra or {})
    event = new_event(
        event_type,
        crn=referral.crn,
        description=event_type.replace("intervention.", "").replace(".", " "),
        detail_url=detail_url(session, f"/referrals/{referral.id}"),
        additional_information=info,
    )
    await add_event(session, PLATFORM.outbox, REFER_MONITOR, event)
    body = {
        "referralReference": referral.reference,
        "contractReference": referral.contract_reference,
        "status": referral.status,
        "outcome": referral.outcome,
        "assignedTo": referral.assigned_to,
    } | (payload or {})
    for provider_id in dict.fromkeys(notify):
        await partner_notification(session, provider_id, event_type, referral.id, referral.crn, body)


async def partner_notification(session: AsyncSession, provider_id: str, notification_type: str, referral_id: str, crn: str, payload: dict[str, Any]) -> None:
    event = new_event(
        NOTIFICATION_EVENT_TYPE,
        crn=crn,
        description=f"{notification_type} for provider {provider_id}",
        detail_url=detail_url(session, f"/referrals/{referral_id}"),
        additional_information={
            "providerId": provider_id,
            "notificationType": notification_type,
            "referralId": referral_id,
            "payload": redact_data(payload, PAYLOAD_SPEC, PROVIDER_ROLES),
        },
    )
    await add_event(session, PLATFORM.outbox, PARTNER_NOTIFICATIONS, event, key=provider_id)
