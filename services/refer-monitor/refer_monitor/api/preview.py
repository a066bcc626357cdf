"""Previews for probation staff: what one audience would be shown of a referral, of a notification built
now, and (for a provider) of the provider updates on the person, with each withheld field and why.

Reasons: the data class's policy (`policy`, `masked`), `consent-missing` (HEALTH without the person's
consent for that provider), `not-released` (a safeguarding update no practitioner released), `withheld`
(a practitioner withheld the update), `no-shared-active-referral`, `consent-refused`, `not-sent` (the
provider sees nothing of a draft), `not-on-contract` (the provider does not deliver this referral)."""

from __future__ import annotations

import functools

from probation_shared.auth import Role
from probation_shared.redaction import Audience, DataClass, explain

from ..domain.codes import Status
from ..domain.sharing import WITHHELD_REASONS
from ..domain.views import NOTIFICATION_AUDIENCE, provider_audience, stored_view
from ..events.contracts import NotificationPayload, PartnerNotification, ReferralDetails, UpdateNote
from ..events.publish import notification_base
from ..workflows import updates as sharing
from ..workflows.referrals import ReferralContext
from .schemas import PreviewOut, PreviewPart, ReferralOut, WithheldOut


def _part(preview, reasons: dict[DataClass, str] | None = None) -> PreviewPart:
    return PreviewPart(
        shown=preview.shown,
        withheld=[
            WithheldOut(
                field=w.field, data_class=w.data_class.value, reason=(reasons or {}).get(w.data_class, w.reason)
            )
            for w in preview.withheld
        ],
    )


def _nothing(reason: str) -> PreviewPart:
    return PreviewPart(
        shown=None, withheld=[WithheldOut(field="*", data_class=DataClass.REFERENCE.value, reason=reason)]
    )


def notification_now(ctx: ReferralContext, provider_id: str) -> PartnerNotification:
    """The notification this provider would get if the referral were sent now: its view and details."""
    r = ctx.referral
    payload = NotificationPayload.model_validate(
        notification_base(r)
        | {
            "view": stored_view(r.provider_view),
            "referral": ReferralDetails(
                complexityLevel=r.complexity_level,
                desiredOutcomes=r.desired_outcomes or [],
                needs=r.needs or [],
                completionDeadline=r.completion_deadline,
                expectedReleaseDate=r.expected_release_date,
            ),
        }
    )
    return PartnerNotification(providerId=provider_id, notificationType="preview", referralId=r.id, payload=payload)


async def for_provider(session, ctx: ReferralContext, out: ReferralOut, provider_id: str) -> PreviewOut:
    consented = await sharing.health_consented(session, ctx.referral.crn, provider_id)
    base = functools.partial(
        PreviewOut, referral_id=ctx.referral.id, audience="provider", provider_id=provider_id, health_consent=consented
    )
    if provider_id not in ctx.providers:
        return base(referral=_nothing("not-on-contract"))
    if ctx.referral.status == Status.DRAFT.value:
        return base(referral=_nothing("not-sent"), notification=_nothing("not-sent"))
    referral = _part(explain(out, provider_audience(consented)))
    # Notifications never carry HEALTH, whatever the consent: the reason is the policy for notifications.
    notification = _part(
        explain(notification_now(ctx, provider_id), NOTIFICATION_AUDIENCE), {DataClass.HEALTH: "policy"}
    )
    return base(referral=referral, notification=notification, updates=await _updates(session, ctx, provider_id))


async def _updates(session, ctx: ReferralContext, provider_id: str) -> PreviewPart:
    updates = await sharing.updates_for_person(session, ctx.referral.crn)
    person = await sharing.PersonSharing.load(session, ctx.referral.crn, [u.id for u in updates])
    audience = Audience.of({Role.PROVIDER_CASEWORKER})
    shown, withheld = [], []
    for u in updates:
        decision = person.decide_for_provider(provider_id, person.contracts_of(provider_id), u)
        if decision.visible:
            note = UpdateNote(
                id=u.id, category=u.category, text=u.text, providerId=u.provider_id, createdAt=u.created_at
            )
            shown.append(explain(note, audience).shown)
        else:
            withheld.append(
                WithheldOut(
                    field=f"updates[{u.id}]",
                    data_class=DataClass.PROVIDER_UPDATES.value,
                    reason=WITHHELD_REASONS.get(decision.reason, decision.reason),
                )
            )
    return PreviewPart(shown=shown, withheld=withheld)


def for_role(ctx: ReferralContext, out: ReferralOut, role: Role) -> PreviewOut:
    """The policy's rendering of the referral for a police partner or an auditor. Neither role reads
    referrals in refer-monitor today; this shows what the policy would let them see."""
    return PreviewOut(
        referral_id=ctx.referral.id,
        audience="police" if role is Role.POLICE_PARTNER else "auditor",
        referral=_part(explain(out, {role})),
    )
