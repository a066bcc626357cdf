"""RoSH: re-rating between full assessments, version history, and the risk summary per audience."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Literal

from fastapi import APIRouter, Path, Query

from probation_shared import clock
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.redaction import Audience as Readers
from probation_shared.redaction import DataClass, explain, redacted_response

from ..db import queries
from ..db.models import RoshVersion
from ..domain import rosh as rules
from ..workflows import rosh as workflow
from .access import (
    CALCULATE,
    CRN_PATTERN,
    READ_FULL,
    READ_SUMMARY,
    WRITE,
    Audience,
    audience_of,
    audit,
    check_audience,
    person_or_404,
)
from .schemas import (
    Mappa,
    PoliceRiskSummary,
    ProviderRiskSummary,
    ProviderTextCheck,
    ProviderTextCheckResult,
    RiskSummaryPreview,
    RiskSummaryView,
    RiskToSelfFlag,
    RoshReRating,
    RoshVersionView,
    VictimIdentifierMatch,
    VictimView,
    WithheldField,
)

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
        victims=[
            VictimView(name=v.name, address=v.address, relationship=v.relationship, phone=v.phone, email=v.email)
            for v in victims
        ],
        reason=version.reason,
        author=version.author,
        createdAt=version.created_at,
    )


def rosh_data(body, exclude: AbstractSet[str] = frozenset()) -> dict:
    """The RoSH input as the workflow takes it: `custody` only when given (`None` then clears it)."""
    data = body.model_dump(exclude_none=True, exclude={*exclude, "custody"})
    if "custody" in body.model_fields_set:
        data["custody"] = body.custody
    return data


@router.post("/rosh", status_code=201, response_model=RoshVersionView)
async def re_rate(
    body: RoshReRating, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)
):
    """A practitioner re-rates RoSH between full assessments, with a reason: a new version, published at once."""
    person = await queries.ensure_person(session, crn, clock.now())
    data = rosh_data(body, exclude={"reason"})
    version = await workflow.new_version(
        session, person, data, principal.subject, source="RE_RATING", reason=body.reason
    )
    return redacted_response(await version_view(session, version), principal.roles, status_code=201)


@router.get("/rosh", response_model=list[RoshVersionView])
async def history(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*READ_FULL)):
    await person_or_404(session, crn)
    await audit(session, principal, crn, "read-rosh-history", f"/people/{crn}/rosh")
    versions = [await version_view(session, v) for v in await queries.rosh_history(session, crn)]
    return redacted_response(versions, principal.roles)


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
    """Built field by field from what a provider may see: the summary written for providers (checked
    against the victims when written), levels and groups at risk, and risk-to-self flags (HEALTH)."""
    if version is None:
        return ProviderRiskSummary(
            crn=crn,
            version=None,
            overall=None,
            community=None,
            custody=None,
            groupsAtRisk=[],
            summary=None,
            riskToSelf=[],
            updatedAt=None,
        )
    flags = []
    for kind in rules.RISK_TO_SELF:
        entry = (version.risk_to_self or {}).get(kind)
        if entry and (entry.get("current") or entry.get("previous")):
            flags.append(
                RiskToSelfFlag(kind=kind, current=bool(entry.get("current")), previous=bool(entry.get("previous")))
            )
    return ProviderRiskSummary(
        crn=crn,
        version=version.version,
        overall=version.overall,
        community=version.community,
        custody=version.custody,
        groupsAtRisk=_groups_at_risk(version),
        summary=(version.narrative or {}).get("providerSummary"),
        riskToSelf=flags,
        updatedAt=version.created_at,
    )


async def police_view(session, crn: str, version: RoshVersion | None) -> PoliceRiskSummary:
    return PoliceRiskSummary(
        crn=crn,
        version=version.version if version else None,
        overall=version.overall if version else None,
        community=version.community if version else None,
        custody=version.custody if version else None,
        mappa=await _mappa(session, crn),
    )


async def full_view(session, person, version: RoshVersion | None) -> RiskSummaryView:
    rosh = await version_view(session, version) if version else None
    return RiskSummaryView(crn=person.crn, rosh=rosh, mappa=await _mappa(session, person.crn), tier=person.current_tier)


@router.get("/risk-summary", response_model=RiskSummaryView | ProviderRiskSummary | PoliceRiskSummary)
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
        return redacted_response(await police_view(session, crn, version), principal.roles)
    return redacted_response(await full_view(session, person, version), principal.roles)


PREVIEW_AUDIENCES = {
    "provider": (Audience.PROVIDER, frozenset({Role.PROVIDER_CASEWORKER})),
    "provider-with-health-consent": (Audience.PROVIDER, frozenset({Role.PROVIDER_CASEWORKER})),
    "police": (Audience.POLICE, frozenset({Role.POLICE_PARTNER})),
    "auditor": (Audience.FULL, frozenset({Role.AUDITOR})),
}


@router.get("/risk-summary/preview", response_model=RiskSummaryPreview)
async def preview(
    session: Session,
    crn: str = CrnPath,
    audience: Literal["provider", "provider-with-health-consent", "police", "auditor"] = Query(),
    principal: Principal = require_roles(*WRITE),
):
    """What `audience` would be shown of this person's risk summary, and each field it would not see, with
    the reason (its data class, masked, or consent missing). Probation staff only."""
    person = await person_or_404(session, crn)
    version = await queries.latest_rosh(session, crn)
    view, roles = PREVIEW_AUDIENCES[audience]
    consents = {DataClass.HEALTH} if audience == "provider-with-health-consent" else set()
    model: ProviderRiskSummary | PoliceRiskSummary | RiskSummaryView
    if view is Audience.PROVIDER:
        model = await provider_view(session, crn, version)
    elif view is Audience.POLICE:
        model = await police_view(session, crn, version)
    else:
        model = await full_view(session, person, version)
    await audit(session, principal, crn, f"preview-risk-summary-{audience}", f"/people/{crn}/risk-summary/preview")
    result = explain(model, Readers.of(roles, consents))
    body = RiskSummaryPreview(
        crn=crn,
        audience=audience,
        shown=result.shown,
        withheld=[WithheldField(field=w.field, dataClass=w.data_class.value, reason=w.reason) for w in result.withheld],
    )
    return redacted_response(body, principal.roles)


@router.post("/provider-text-check", response_model=ProviderTextCheckResult)
async def provider_text_check(
    body: ProviderTextCheck, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CALCULATE)
):
    """Does any of these texts, meant for a provider, contain an identifier of a victim ever recorded for
    the person? Other services call this before accepting provider-bound text written by probation staff."""
    matches = await workflow.victim_identifiers_in(session, crn, body.texts)
    result = ProviderTextCheckResult(
        matches=[VictimIdentifierMatch(field=f, kind=m.kind, matched=m.matched) for f, m in matches]
    )
    return redacted_response(result, principal.roles)
