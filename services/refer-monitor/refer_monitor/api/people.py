"""Person-level views: the sharing timeline, sharing consent, health consent per provider, and practitioner
overrides of sharing. Limited access is enforced on every one; every read of personal data is audited."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from probation_shared.audit import access_reason, record_access
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.limits import KeyPath
from probation_shared.redaction import redacted_response

from ..db.models import PLATFORM
from ..domain.sharing import Category, Override
from ..workflows import updates as sharing
from ..workflows.access import PROBATION, PROBATION_READERS
from ..workflows.referrals import enforce_limited_access
from .schemas import (
    ConsentIn,
    ConsentOut,
    HealthConsentIn,
    HealthConsentOut,
    OverrideIn,
    OverrideOut,
    Timeline,
    TimelineEntry,
)

router = APIRouter(tags=["sharing"])

CrnPath = Path(pattern=r"^[A-Z][0-9]{6}$")
ProviderPath = Path(pattern=r"^[a-z0-9][a-z0-9-]{1,49}$")


async def _audit(session, request: Request, principal: Principal, crn: str, action: str) -> None:
    await record_access(
        session,
        PLATFORM.audit_log,
        principal,
        crn=crn,
        action=action,
        resource=request.url.path,
        reason=access_reason(request),
    )


@router.get("/people/{crn}/timeline", response_model=Timeline)
async def timeline(
    request: Request,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(*PROBATION_READERS, Role.PROVIDER_CASEWORKER),
):
    access_reason(request)
    await enforce_limited_access(session, principal, crn)
    entries = await sharing.timeline(session, principal, crn)
    await _audit(session, request, principal, crn, "read")
    return redacted_response(Timeline(crn=crn, entries=[TimelineEntry(**e) for e in entries]), principal.roles)


@router.get("/people/{crn}/sharing-consent", response_model=list[ConsentOut])
async def read_consent(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*PROBATION_READERS)
):
    access_reason(request)
    await enforce_limited_access(session, principal, crn)
    await _audit(session, request, principal, crn, "read")
    return redacted_response(
        [ConsentOut.model_validate(c) for c in await sharing.consents(session, crn)], principal.roles
    )


@router.put("/people/{crn}/sharing-consent/{category}", response_model=ConsentOut)
async def record_consent(
    body: ConsentIn,
    request: Request,
    session: Session,
    category: Category,
    crn: str = CrnPath,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    await enforce_limited_access(session, principal, crn)
    consent = await sharing.record_consent(session, principal, crn, category, body.granted, body.note)
    await _audit(session, request, principal, crn, "record-consent")
    return redacted_response(ConsentOut.model_validate(consent), principal.roles)


@router.get("/people/{crn}/health-consent", response_model=list[HealthConsentOut])
async def read_health_consent(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*PROBATION_READERS)
):
    access_reason(request)
    await enforce_limited_access(session, principal, crn)
    await _audit(session, request, principal, crn, "read")
    return redacted_response(
        [HealthConsentOut.model_validate(c) for c in await sharing.health_consents(session, crn)], principal.roles
    )


@router.put("/people/{crn}/health-consent/{provider_id}", response_model=HealthConsentOut)
async def record_health_consent(
    body: HealthConsentIn,
    request: Request,
    session: Session,
    crn: str = CrnPath,
    provider_id: str = ProviderPath,
    principal: Principal = require_roles(*PROBATION),
):
    """The person's consent (or its withdrawal) to `provider_id` seeing their health information."""
    access_reason(request)
    await enforce_limited_access(session, principal, crn)
    consent = await sharing.record_health_consent(session, principal, crn, provider_id, body.granted, body.note)
    await sharing.flush(session)
    await _audit(session, request, principal, crn, "record-health-consent")
    return redacted_response(HealthConsentOut.model_validate(consent), principal.roles)


@router.put("/provider-updates/{update_id}/sharing-override", response_model=OverrideOut)
async def override(
    update_id: KeyPath,
    body: OverrideIn,
    request: Request,
    session: Session,
    principal: Principal = require_roles(*PROBATION),
):
    access_reason(request)
    update = await sharing.get_update(session, update_id)
    await enforce_limited_access(session, principal, update.crn)
    decided = await sharing.decide_override(session, principal, update_id, Override(body.decision), body.reason)
    await _audit(session, request, principal, update.crn, "sharing-override")
    return redacted_response(OverrideOut.model_validate(decided), principal.roles)
