"""refer-monitor's projection of each person (contact snapshot, responsible practitioner, provider-view
risk summary), kept current from events, and the propagation of every change to the provider views of
the person's active referrals, with one partner notification per provider."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.clock import as_utc
from probation_shared.http import service_http
from probation_shared.logging import get_logger
from probation_shared.privacy import render

from ..db import queries as q
from ..db.models import PersonProjection, Referral
from ..domain import rules, upstream
from ..domain.codes import ACTIVE
from ..domain.errors import DomainError
from ..domain.views import (
    PROVIDER_WITH_CONSENT,
    SECTIONS,
    build_model,
    changed_fields,
    changed_sections,
    stored_view,
)
from ..events.contracts import NotificationPayload, ReferralRef, ViewChange
from ..events.publish import partner_notification

log = get_logger(__name__)

PERSON_PROVIDER_EVENT = "person.provider-view.updated"


def _settings(session: AsyncSession):
    return service_http(session).settings


def case_allocation_url(session: AsyncSession, path: str) -> str:
    return f"{_settings(session).case_allocation_url.rstrip('/')}{path}"


def risk_assessment_url(session: AsyncSession, path: str) -> str:
    return f"{_settings(session).risk_assessment_url.rstrip('/')}{path}"


async def fetch(session: AsyncSession, url: str, params: dict | None = None) -> Any | None:
    return await service_http(session).get_json(url, params=params)


# --- applying what the other services tell us ----------------------------------------------------


def apply_person_document(person: PersonProjection, doc: dict[str, Any]) -> None:
    details = upstream.person_details(doc)
    for name in ("first_name", "last_name", "date_of_birth", "sex"):
        if details[name] is not None:
            setattr(person, name, details[name])
    if details["phone"] is not None:
        person.phone = details["phone"]
    if details["address"]:
        person.address = details["address"]
        person.address_id = details["address"].get("id", person.address_id)


def apply_address_document(person: PersonProjection, address_id: str | None, doc: dict[str, Any] | None, today) -> None:
    if doc is None:  # gone: deleted, or never existed
        if address_id is not None and person.address_id == address_id:
            person.address, person.address_id = None, None
        return
    if not upstream.address_is_current(doc, today):
        if address_id is not None and person.address_id == address_id:
            person.address, person.address_id = None, None
        return
    person.address = upstream.address_details(doc)
    person.address_id = address_id or person.address.get("id")
    phone = upstream.address_phone(doc)
    if phone:
        person.phone = phone


def apply_risk_document(person: PersonProjection, doc: dict[str, Any], fallback_at: datetime | None) -> None:
    summary, level, as_of = upstream.risk_summary(doc)
    person.risk_summary = summary
    if level:
        person.rosh_level = level
    person.risk_summary_at = as_of or fallback_at


def apply_registration(person: PersonProjection, event_type: str, info: dict[str, Any]) -> None:
    registration_id = str(info.get("registrationId")) if info.get("registrationId") is not None else None
    kept = [r for r in (person.registrations or []) if r.get("registration_id") != registration_id]
    if not event_type.endswith(".deregistered"):
        kept.append(
            {
                "registration_id": registration_id,
                "type": info.get("registerTypeCode"),
                "level": info.get("registerLevel"),
                "category": info.get("registerCategory"),
            }
        )
    person.registrations = kept


def apply_breach(person: PersonProjection, event_type: str, info: dict[str, Any], occurred_at: datetime) -> None:
    entry = {
        "event": event_type,
        "breach_id": str(info.get("breachId")) if info.get("breachId") is not None else None,
        "at": as_utc(occurred_at).isoformat(),
    }
    person.enforcement = [*(person.enforcement or []), entry][-20:]


# --- fetching on demand (sending a referral, or a projection never filled by events) -----------


async def fill_from_upstream(
    session: AsyncSession, person: PersonProjection, now: datetime, max_risk_age_days: int
) -> None:
    """Best effort: fill what the projection lacks from the owners; an owner being down is not fatal here,
    the send check names whatever is still missing."""
    crn = person.crn
    try:
        if not (person.first_name and person.date_of_birth and person.address):
            doc = await fetch(session, case_allocation_url(session, f"/people/{crn}"))
            if doc:
                apply_person_document(person, doc)
        if rules.missing_practitioner_contact(person.practitioner):  # unknown, or a staff code without contact details
            doc = await fetch(session, case_allocation_url(session, f"/people/{crn}/manager"))
            if doc and (found := upstream.practitioner_details(doc)):  # never replace what we hold with nothing
                person.practitioner = found
    except DomainError as exc:
        log.warning("case_allocation_unavailable", crn=crn, error=exc.detail)
    as_of = as_utc(person.risk_summary_at)
    if person.risk_summary is None or as_of is None or (now - as_of).days >= max_risk_age_days:
        try:
            doc = await fetch(
                session, risk_assessment_url(session, f"/people/{crn}/risk-summary"), {"view": "provider"}
            )
            if doc:
                apply_risk_document(person, doc, None)
        except DomainError as exc:
            log.warning("risk_assessment_unavailable", crn=crn, error=exc.detail)
    person.updated_at = now


# --- propagation to the provider views ---------------------------------------------------------


async def propagate(session: AsyncSession, person: PersonProjection, reason: str, now: datetime) -> int:
    """Rebuild the provider view of each active referral; record what changed; notify each provider
    holding an active referral once. Returns the number of referral views changed."""
    person.updated_at = now
    referrals = await q.referrals_for_person(session, person.crn, ACTIVE)
    if not referrals:
        return 0
    providers = await q.providers_of_contracts(session, {r.contract_reference for r in referrals})
    return await propagate_loaded(session, person, reason, now, referrals, providers)


@dataclass
class Loaded:
    """What propagating a run of changes needs, loaded once for all of them (`load_for_propagation`)."""

    people: dict[str, PersonProjection]  # by CRN
    referrals: dict[str, list[Referral]]  # active ones, by CRN
    providers: dict[str, list[str]]  # by contract reference: the prime, then the subcontractors


async def load_for_propagation(session: AsyncSession, crns: list[str]) -> Loaded:
    """The people (locked and created if absent, as `person_for_update`), their active referrals and
    the providers of those referrals' contracts: a few queries for a whole run of events."""
    people = await q.people_for_update(session, crns)
    referrals = await q.referrals_by_person(session, crns, ACTIVE)
    contracts = {r.contract_reference for rs in referrals.values() for r in rs}
    return Loaded(people, referrals, await q.providers_of_contracts(session, contracts))


async def propagate_loaded(
    session: AsyncSession,
    person: PersonProjection,
    reason: str,
    now: datetime,
    referrals: list[Referral],
    providers_of: dict[str, list[str]],
    history: list[dict] | None = None,
) -> int:
    """`propagate` with the person's active referrals and their contracts' providers already loaded.
    `history`: the history rows are appended to it for the caller to stage, instead of staged here (a
    run stages all of its rows together, after its notifications: one insert for each table)."""
    person.updated_at = now
    if not referrals:
        return 0
    model = build_model(person)
    view = render(model, PROVIDER_WITH_CONSENT)  # build_view, without building the model twice
    by_provider: dict[str, list[tuple[Referral, list[str], list[str]]]] = defaultdict(list)
    changed_count = 0
    for referral in referrals:
        changed = changed_sections(referral.provider_view, view)
        if not changed:
            continue
        fields = changed_fields(referral.provider_view, view)
        changed_count += 1
        referral.provider_view = view
        referral.provider_view_version += 1
        referral.provider_view_updated_at = now
        entry = {
            "referral_id": referral.id,
            "version": referral.provider_view_version,
            "reason": reason,
            "changed": changed,
            "view": view,
            "recorded_at": now,
        }
        if history is None:
            q.stage_view_history(session, [entry])
        else:
            history.append(entry)
        for provider_id in providers_of[referral.contract_reference]:
            by_provider[provider_id].append((referral, changed, fields))
    if not by_provider:
        return changed_count
    values = stored_view(view) or model  # the same for every provider: each notification renders it for its own
    for provider_id, items in by_provider.items():
        sections = [s for s in SECTIONS if any(s in changed for _, changed, _ in items)]
        fields = list(dict.fromkeys(f for _, _, fs in items for f in fs))
        payload = NotificationPayload(
            change=ViewChange(reason=reason, sections=sections, fields=fields, values=values),
            referrals=[
                ReferralRef(
                    referralId=r.id,
                    referralReference=r.reference,
                    contractReference=r.contract_reference,
                    viewVersion=r.provider_view_version,
                )
                for r, _, _ in items
            ],
        )
        await partner_notification(session, provider_id, reason, items[0][0].id, person.crn, payload)
    return changed_count
