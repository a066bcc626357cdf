"""Builders of what refer-monitor publishes: domain events on `refer-monitor.events` (typed contracts,
`events/contracts.py`) and partner notifications on `refer-monitor.partner-notifications` (one per
provider, rendered for that provider: never victim details, never HEALTH)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.contracts import CONTRACTS, info
from probation_shared.events.topics import PARTNER_NOTIFICATIONS, REFER_MONITOR
from probation_shared.redaction import render

from ..db.models import PLATFORM, Referral
from ..domain.views import NOTIFICATION_AUDIENCE, only_paths, visible_paths
from .contracts import NotificationPayload, PartnerNotification

# docs/events.md: partner notifications carry this eventType.
NOTIFICATION_EVENT_TYPE = "intervention.partner-notification.created"


def referral_fields(referral: Referral, prime_provider_id: str) -> dict[str, Any]:
    return {
        "referralId": referral.id,
        "referralReference": referral.reference,
        "providerId": prime_provider_id,
        "contractReference": referral.contract_reference,
    }


def notification_base(referral: Referral) -> dict[str, Any]:
    return {
        "referralReference": referral.reference,
        "contractReference": referral.contract_reference,
        "status": referral.status,
        "outcome": referral.outcome,
        "assignedTo": referral.assigned_to,
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
    """One `intervention.*` event (its `additionalInformation` built from the event type's registered
    contract, so an unregistered type or an unclassified field cannot be published), plus a partner
    notification to each provider in `notify`."""
    contract_model = CONTRACTS[(event_type, 1)].model
    event = new_event(
        event_type,
        crn=referral.crn,
        description=event_type.replace("intervention.", "").replace(".", " "),
        detail_url=detail_url(session, f"/referrals/{referral.id}"),
        additional_information=info(contract_model(**referral_fields(referral, prime_provider_id), **(extra or {}))),
    )
    await add_event(session, PLATFORM.outbox, REFER_MONITOR, event)
    recipients = list(dict.fromkeys(notify))
    if not recipients:
        return
    body = NotificationPayload.model_validate(notification_base(referral) | (payload or {}))
    for provider_id in recipients:
        await partner_notification(session, provider_id, event_type, referral.id, referral.crn, body)


def notification_data(
    provider_id: str, notification_type: str, referral_id: str, payload: NotificationPayload
) -> dict[str, Any] | None:
    """The notification as its provider receives it, or None when nothing in it is for that provider
    (a change only to fields it may not see)."""
    data = render(
        PartnerNotification(
            providerId=provider_id, notificationType=notification_type, referralId=referral_id, payload=payload
        ),
        NOTIFICATION_AUDIENCE,
    )
    change = data["payload"].get("change")
    if change and change.get("values") is not None:
        fields = visible_paths(change["values"], change.get("fields") or [])
        if not fields:
            return None
        change["values"] = only_paths(change["values"], fields)
        change["fields"] = fields
        change["sections"] = [s for s in change.get("sections") or [] if any(f.split(".")[0] == s for f in fields)]
    return data


async def partner_notification(
    session: AsyncSession,
    provider_id: str,
    notification_type: str,
    referral_id: str,
    crn: str,
    payload: NotificationPayload,
) -> bool:
    data = notification_data(provider_id, notification_type, referral_id, payload)
    if data is None:
        return False
    event = new_event(
        NOTIFICATION_EVENT_TYPE,
        crn=crn,
        description=f"{notification_type} for provider {provider_id}",
        detail_url=detail_url(session, f"/referrals/{referral_id}"),
        additional_information=data,
    )
    await add_event(session, PLATFORM.outbox, PARTNER_NOTIFICATIONS, event, key=provider_id)
    return True
