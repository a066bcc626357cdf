"""Person-level views: the sharing timeline, sharing consent, and practitioner overrides of sharing."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request

from probation_shared.audit import record_access
from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.redaction import redacted_response

from ..db import queries as q
from ..db.models import PLATFORM
from ..domain import updates as sharing
from ..domain.access import PROBATION, PROBATION_READERS
from ..domain.referrals import enforce_limited_access
from ..domain.sharing import Category, Override
from .schemas import ConsentIn, ConsentOut, OverrideIn, OverrideOut, Timeline, TimelineEntry

router = APIRouter(tags=["sharing"])

CrnPath = Path(pattern=r"^[A-Z][0-9]{6}$")


@router.get("/people/{crn}/timeline", response_model=Timeline)
async def timeline(
    request: Request,
    session: Session,
    crn: str = CrnPath,
    principal: Principal = require_roles(*PROBATION_READERS, Role.PROVIDER_CASEWORKER),
):
    await enforce_limited_access(session, principal, crn)
    entries = await sharing.timeline(session, principal, crn)
    await record_access(
        session,
        PLATFORM.audit_log,
        principal,
        crn=crn,
        action="read",
        resource=request.url.path,
        reason=request.headers.get("x-access-reason"),
    )
    return redacted_response(Timeline(crn=crn, entries=[TimelineEntry(**e) for e in entries]), principal.roles)


@router.get("/people/{crn}/sharing-consent", response_model=list[ConsentOut])
async def read_consent(session: Session, crn: str = CrnPath, principal: Principal = require_roles(*PROBATION_READERS)):
    return [ConsentOut.model_validate(c) for c in (await q.consents(session, crn)).values()]


@router.put("/people/{crn}/sharing-consent/{category}", response_model=ConsentOut)
async def record_consent(body: ConsentIn, session: Session, category: Category, crn: str = CrnPath, principal: Principal = require_roles(*PROBATION)):
    consent = await sharing.record_consent(session, principal, crn, category, body.granted, body.note)
    return ConsentOut.model_validate(consent)


@router.put("/provider-updates/{update_id}/sharing-override", response_model=OverrideOut)
async def override(update_id: str, body: OverrideIn, session: Session, principal: Principal = require_roles(*PROBATION)):
    decided = await sharing.decide_override(session, principal, update_id, Override(body.decision), body.reason)
    return OverrideOut.model_validate(decided)
