"""RoSH: re-rating between full assessments, version history, and the risk summary per audience."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Path, Query

from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.redaction import redact, redacted_response

from ..db import queries
from ..db.models import RoshVersion
from ..domain import rosh as rules
from ..domain.redaction import identifying_strings, scrub
from ..workflows import rosh as workflow
from .access import CRN_PATTERN, READ_FULL, READ_SUMMARY, WRITE, Audience, audience_of, audit, check_audience, domain_errors, person_or_404
from .schemas import Mappa, PoliceRiskSummary, ProviderRiskSummary, RiskSummaryView, RoshReRating, RoshVersionView, VictimView

router = APIRouter(prefix="/people/{crn}", tags=["risk"])
CrnPath = Path(pattern=CRN_PATTERN)


async def version_view(session, version: RoshVersion) -> RoshVersionView:
    victims = await queries.victims_of(session, version.id)
    return RoshVersionView(
        version=version.version,
        source=version.source,
        assessmentId=version.assessment_id,
        overall=version.overall,
        community=version.community,
        custody=version.custody,
        narrative=version.narrative,
        riskToSelf=version.risk_to_self,
        victims=[VictimView(name=v.name, address=v.address, relationship=v.relationship) for v in victims],
        reason=version.reason,
        author=version.author,
        createdAt=version.created_at,
    )


@router.post("/rosh", status_code=201)
async def re_rate(body: RoshReRating, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)):
    """A practitioner re-rates RoSH between full assessments, with a reason: a new version, published at once."""
    person = await queries.ensure_person(session, crn, datetime.now(UTC))
    data = body.model_dump(exclude_none=True, exclude={"reason"})
    with domain_errors():
        version = await workflow.new_version(session, person, data, principal.subject, source="RE_RATING", reason=body.reason)
    return redacted_response(await version_view(session, version), principal.roles, status_code=201)


@router.get("/rosh")
async def history(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*READ_FULL)):
    await person_or_404(session, crn)
    await audit(session, principal, crn, "read-rosh-history", f"/people/{crn}/rosh")
    versions = [await version_view(session, v) for v in await queries.rosh_history(session, crn)]
    return [redact(v, principal.roles) for v in versions]


async def _mappa(session, crn: str) -> Mappa | None:
    for registration in reversed(await queries.active_registrations(session, crn)):
        if registration.type_code == "MAPP":
            return Mappa(level=registration.level, category=registration.category)
    return None


def _groups_at_risk(version: RoshVersion) -> list[str]:
    """Groups rated MEDIUM or above in any setting."""
    levels: dict[str, int] = {}
    for setting in (version.community or {}, version.custody or {}):
        for group, level in setting.items():
            levels[group] = max(levels.get(group, 0), rules.RANK[rules.RiskLevel(level)])
    return [g for g in (*rules.CUSTODY_GROUPS,) if levels.get(g, 0) >= rules.RANK[rules.RiskLevel.MEDIUM]]


async def provider_view(session, crn: str, version: RoshVersion | None) -> ProviderRiskSummary:
    """Built field by field from what a provider may see; victim strings scrubbed from the free text."""
    if version is None:
        return ProviderRiskSummary(
            crn=crn,
            version=None,
            overall=None,
            community=None,
            custody=None,
            groupsAtRisk=[],
            natureOfRisk=None,
            whoIsAtRisk=None,
            riskToSelfConcerns=[],
            updatedAt=None,
        )
    victims = await queries.victims_of(session, version.id)
    strings = identifying_strings({"name": v.name, "address": v.address, "relationship": v.relationship} for v in victims)
    concerns = []
    for kind in rules.RISK_TO_SELF:
        entry = (version.risk_to_self or {}).get(kind)
        if entry and (entry.get("current") or entry.get("previous")):
            concerns.append(
                {"kind": kind, "current": bool(entry.get("current")), "previous": bool(entry.get("previous")), "details": scrub(entry.get("details"), strings)}
            )
    return ProviderRiskSummary(
        crn=crn,
        version=version.version,
        overall=version.overall,
        community=version.community,
        custody=version.custody,
        groupsAtRisk=_groups_at_risk(version),
        natureOfRisk=scrub(version.narrative.get("natureOfRisk"), strings),
        whoIsAtRisk=scrub(version.narrative.get("whoIsAtRisk"), strings),
        riskToSelfConcerns=concerns,
        updatedAt=version.created_at,
    )


@router.get("/risk-summary")
async def risk_summary(
    session: Session,
    crn: str = CrnPath,
    view: Literal["full", "provider", "police"] | None = Query(default=None),
    principal: Principal = require_roles(*READ_SUMMARY),
):
    """Full for probation staff and service tokens (which may ask for `view=provider|police`); a provider
    caseworker needs an active referral and a police partner an IOM/MAPPA case (404 otherwise)."""
    audience = audience_of(principal)
    if view is not None:
        requested = Audience(view)
        if audience is not Audience.FULL and requested is not audience:
            raise Problem(403, "forbidden", "Your role does not allow this view.")
        audience = requested
    person = await queries.get_person(session, crn)
    await check_audience(session, principal, audience, crn)
    if person is None:
        raise Problem(404, "not-found", "No such person.")
    version = await queries.latest_rosh(session, crn)
    await audit(session, principal, crn, f"read-risk-summary-{audience.value}", f"/people/{crn}/risk-summary")
    if audience is Audience.PROVIDER:
        return redacted_response(await provider_view(session, crn, version), principal.roles)
    if audience is Audience.POLICE:
        body = PoliceRiskSummary(
            crn=crn,
            version=version.version if version else None,
            overall=version.overall if version else None,
            community=version.community if version else None,
            custody=version.custody if version else None,
            mappa=await _mappa(session, crn),
        )
        return redacted_response(body, principal.roles)
    body = RiskSummaryView(crn=crn, rosh=await version_view(session, version) if version else None, mappa=await _mappa(session, crn), tier=person.current_tier)
    return redacted_response(body, principal.roles)
