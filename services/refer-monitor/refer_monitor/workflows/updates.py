"""Provider updates on a referral, the person's sharing consent, practitioner overrides, and the
person-level timeline that shows each viewer exactly what the sharing policy lets it see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.auth import Principal
from probation_shared.clock import as_utc

from ..db import queries as q
from ..db.models import HealthConsent, ProviderUpdate, Referral, SharingConsent, SharingOverride
from ..domain import lifecycle
from ..domain.codes import ACTIVE, Status
from ..domain.errors import DomainError, field_error, not_found
from ..domain.sharing import (
    Category,
    Consent,
    Decision,
    Override,
    ReferralFacts,
    SharingCase,
    ViewerKind,
    may_see_update,
    provider_case,
)
from ..events.publish import referral_event
from .access import can_see_referral, viewer_kind
from .referrals import ReferralContext, require_probation, require_provider


async def post_update(
    session: AsyncSession, principal: Principal, ctx: ReferralContext, category: Category, text: str
) -> ProviderUpdate:
    require_provider(principal, ctx)
    referral = ctx.referral
    lifecycle.transition(referral.status, lifecycle.Action.POST_UPDATE)
    update = ProviderUpdate(
        id=str(uuid.uuid4()),
        referral_id=referral.id,
        crn=referral.crn,
        provider_id=principal.provider_id,
        category=category.value,
        text=text,
        author=principal.subject,
        created_at=clock.now(),
    )
    q.add(session, update)
    await q.flush(session)
    recipients = await providers_who_may_see(session, update)
    await referral_event(
        session,
        "intervention.provider-update.created",
        referral,
        prime_provider_id=ctx.contract.prime_provider_id,
        notify=[p for p in recipients if p != update.provider_id],
        extra={"updateId": update.id, "category": update.category, "authorProviderId": update.provider_id},
        payload={"update": _update_note(update)},
    )
    return update


def _update_note(update: ProviderUpdate) -> dict[str, Any]:
    return {
        "id": update.id,
        "category": update.category,
        "text": update.text,
        "providerId": update.provider_id,
        "createdAt": as_utc(update.created_at),
    }


async def record_consent(
    session: AsyncSession, principal: Principal, crn: str, category: Category, granted: bool, note: str | None
) -> SharingConsent:
    require_probation(principal)
    if category is Category.SAFEGUARDING_CONCERN:
        raise DomainError(
            "consent-not-applicable",
            "Safeguarding concerns are shared only by a practitioner's release, not by consent.",
            [field_error("category", "use a release override for safeguarding concerns")],
            status=422,
        )
    consent = await q.get_consent(session, crn, category.value)
    if consent is None:
        consent = SharingConsent(
            crn=crn,
            category=category.value,
            granted=granted,
            recorded_by=principal.subject,
            note=note,
            recorded_at=clock.now(),
        )
        q.add(session, consent)
    else:
        consent.granted, consent.recorded_by, consent.note, consent.recorded_at = (
            granted,
            principal.subject,
            note,
            clock.now(),
        )
    return consent


async def record_health_consent(
    session: AsyncSession, principal: Principal, crn: str, provider_id: str, granted: bool, note: str | None
) -> HealthConsent:
    """The person's consent to one provider seeing their health information, recorded by probation staff."""
    require_probation(principal)
    if await q.get_provider(session, provider_id) is None:
        raise DomainError("unknown-provider", "No such provider.", [field_error("provider_id", "unknown")], status=422)
    consent = await q.get_health_consent(session, crn, provider_id)
    if consent is None:
        consent = HealthConsent(
            crn=crn,
            provider_id=provider_id,
            granted=granted,
            note=note,
            recorded_by=principal.subject,
            recorded_at=clock.now(),
        )
        q.add(session, consent)
    else:
        consent.granted, consent.note, consent.recorded_by, consent.recorded_at = (
            granted,
            note,
            principal.subject,
            clock.now(),
        )
    return consent


async def decide_override(
    session: AsyncSession, principal: Principal, update_id: str, decision: Override, reason: str
) -> SharingOverride:
    require_probation(principal)
    update = await q.get_update(session, update_id)
    if update is None:
        raise not_found("update")
    override = await q.get_override(session, update_id)
    if override is None:
        override = SharingOverride(
            update_id=update_id,
            decision=decision.value,
            reason=reason,
            author=principal.subject,
            decided_at=clock.now(),
        )
        q.add(session, override)
    else:
        override.decision, override.reason, override.author, override.decided_at = (
            decision.value,
            reason,
            principal.subject,
            clock.now(),
        )
    if decision is Override.RELEASE:
        referral = await q.get_referral(session, update.referral_id)
        assert referral is not None  # an update's referral_id is a foreign key
        contract = await q.contract_of(session, referral.contract_reference)
        await q.flush(session)
        recipients = await providers_who_may_see(session, update)
        await referral_event(
            session,
            "intervention.provider-update.created",
            referral,
            prime_provider_id=contract.prime_provider_id,
            notify=[p for p in recipients if p != update.provider_id],
            extra={
                "updateId": update.id,
                "category": update.category,
                "authorProviderId": update.provider_id,
                "released": True,
            },
            payload={"update": _update_note(update)},
        )
    return override


# --- evaluating the policy for a person ---------------------------------------------------------


@dataclass
class PersonSharing:
    """Everything the policy needs about one person, loaded once."""

    referrals: list[Referral]
    providers_of: dict[str, list[str]]  # contract reference -> providers
    consents: dict[str, bool]
    overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    async def load(cls, session: AsyncSession, crn: str, update_ids: list[str] | None = None) -> PersonSharing:
        referrals = [r for r in await q.referrals_for_person(session, crn) if r.status != Status.DRAFT.value]
        providers_of: dict[str, list[str]] = {}
        for r in referrals:
            if r.contract_reference not in providers_of:
                providers_of[r.contract_reference] = await q.providers_of_contract(session, r.contract_reference)
        consents = {k: v.granted for k, v in (await q.consents(session, crn)).items()}
        overrides = {k: v.decision for k, v in (await q.overrides(session, update_ids or [])).items()}
        return cls(referrals, providers_of, consents, overrides)

    def facts(self) -> list[ReferralFacts]:
        return [ReferralFacts(r.id, r.contract_reference, r.status in ACTIVE) for r in self.referrals]

    def consent_for(self, category: str) -> Consent:
        granted = self.consents.get(category)
        return Consent.NOT_RECORDED if granted is None else (Consent.GRANTED if granted else Consent.REFUSED)

    def override_for(self, update_id: str) -> Override:
        return Override(self.overrides.get(update_id, Override.NONE.value))

    def contracts_of(self, provider_id: str) -> set[str]:
        """The contracts of this person's referrals on which `provider_id` is the prime or a subcontractor."""
        return {c for c, providers in self.providers_of.items() if provider_id in providers}

    def decide_for_provider(self, provider_id: str, viewer_contracts: set[str], update: ProviderUpdate) -> Decision:
        return may_see_update(
            provider_case(
                viewer_org=provider_id,
                viewer_contracts=viewer_contracts,
                author_org=update.provider_id,
                category=Category(update.category),
                source_referral_id=update.referral_id,
                referrals=self.facts(),
                consent=self.consent_for(update.category),
                override=self.override_for(update.id),
            )
        )

    def providers(self) -> set[str]:
        return {p for providers in self.providers_of.values() for p in providers}


async def providers_who_may_see(session: AsyncSession, update: ProviderUpdate) -> list[str]:
    """Every provider organisation that the timeline shows `update` to (the author's own included)."""
    sharing = await PersonSharing.load(session, update.crn, [update.id])
    return [
        p
        for p in sorted(sharing.providers())
        if sharing.decide_for_provider(p, sharing.contracts_of(p), update).visible
    ]


def principal_contracts(principal: Principal, sharing: PersonSharing) -> set[str]:
    """The contracts on which this provider caseworker may see the person's referrals."""
    if not principal.provider_id:
        return set()
    return {c for c in sharing.contracts_of(principal.provider_id) if c in principal.contract_refs}


async def timeline(session: AsyncSession, principal: Principal, crn: str) -> list[dict[str, Any]]:
    """Referral milestones and provider updates on the person, exactly as far as the caller may see them."""
    kind = viewer_kind(principal)
    if kind is ViewerKind.OTHER:
        raise DomainError("forbidden", "Your role does not allow this action.", status=403)
    updates = await q.updates_for_person(session, crn)
    sharing = await PersonSharing.load(session, crn, [u.id for u in updates])
    if kind is ViewerKind.PROVIDER:
        contracts = principal_contracts(principal, sharing)
        visible_referrals = [r for r in sharing.referrals if r.contract_reference in contracts]
        if not visible_referrals:
            raise not_found("person")
    else:
        contracts = set()
        visible_referrals = [
            r
            for r in await q.referrals_for_person(session, crn)
            if can_see_referral(
                principal, r.status, r.contract_reference, sharing.providers_of.get(r.contract_reference, [])
            )
        ]
    entries: list[dict[str, Any]] = []
    for r in visible_referrals:
        for what, at in (
            ("referral.created", r.created_at if principal.is_probation_staff else None),
            ("referral.sent", r.sent_at),
            ("referral.assigned", r.assigned_at),
            ("referral.ended", r.ended_at),
            ("referral.concluded", r.concluded_at),
        ):
            if at is not None:
                entries.append(
                    {
                        "at": as_utc(at),
                        "kind": what,
                        "referral_id": r.id,
                        "referral_reference": r.reference,
                        "contract_reference": r.contract_reference,
                        "status": r.status,
                        "outcome": r.outcome,
                    }
                )
    for u in updates:
        if kind is ViewerKind.PROBATION:
            decision = may_see_update(SharingCase(viewer=kind, category=Category(u.category)))
        else:
            # A provider role without an organisation authored nothing: "" matches no author.
            decision = sharing.decide_for_provider(principal.provider_id or "", contracts, u)
        if decision.visible:
            entries.append(
                {
                    "at": as_utc(u.created_at),
                    "kind": "provider-update",
                    "referral_id": u.referral_id,
                    "update_id": u.id,
                    "provider_id": u.provider_id,
                    "category": u.category,
                    "text": u.text,
                    "shared_because": decision.reason,
                }
            )
    entries.sort(key=lambda e: (e["at"], e["kind"]))
    return entries


def ensure_timestamp(value: datetime) -> datetime:
    return as_utc(value)


# --- reads for the API (the API reaches the database only through workflows) ---------------------


async def flush(session: AsyncSession) -> None:
    await q.flush(session)


async def consents(session: AsyncSession, crn: str) -> list[SharingConsent]:
    return list((await q.consents(session, crn)).values())


async def health_consents(session: AsyncSession, crn: str) -> list[HealthConsent]:
    return list((await q.health_consents(session, crn)).values())


async def health_consented(session: AsyncSession, crn: str, provider_id: str | None) -> bool:
    return await q.health_consented(session, crn, provider_id)


async def updates_for_person(session: AsyncSession, crn: str) -> list[ProviderUpdate]:
    return await q.updates_for_person(session, crn)


async def get_update(session: AsyncSession, update_id: str) -> ProviderUpdate:
    """The update, or 404 (the caller's access to its person is checked next)."""
    update = await q.get_update(session, update_id)
    if update is None:
        raise not_found("update")
    return update
