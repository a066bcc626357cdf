"""Pre-sentence report proposals: sentence options with reasons; a professional override with its reason."""

from __future__ import annotations

from fastapi import APIRouter, Path

from probation_shared import clock
from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem, not_found
from probation_shared.limits import KeyPath
from probation_shared.redaction import redacted_response

from ..db import queries
from ..db.models import PsrProposal
from ..workflows import psr as workflow
from .access import CRN_PATTERN, READ_FULL, WRITE, audit
from .schemas import PsrOverride, PsrRequest, PsrView

router = APIRouter(tags=["pre-sentence reports"])
CrnPath = Path(pattern=CRN_PATTERN)


def view(p: PsrProposal) -> PsrView:
    return PsrView(
        id=p.id,
        crn=p.crn,
        offenceCode=p.offence_code,
        offenceDescription=p.offence_description,
        inputs=p.inputs,
        options=p.options,
        recommended=(p.options[0] if p.options else None),
        override=p.override,
        createdBy=p.created_by,
        createdAt=p.created_at,
    )


@router.post("/people/{crn}/psr-proposals", status_code=201, response_model=PsrView)
async def propose(body: PsrRequest, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*WRITE)):
    person = await queries.ensure_person(session, crn, clock.now())
    proposal = await workflow.propose(session, person, body.offenceCode, body.offenceDescription, principal.subject)
    return redacted_response(view(proposal), principal.roles, status_code=201)


async def _proposal(session, proposal_id: KeyPath) -> PsrProposal:
    proposal = await queries.get_psr(session, proposal_id)
    if proposal is None:
        raise not_found("proposal")
    return proposal


@router.get("/psr-proposals/{proposal_id}", response_model=PsrView)
async def get_proposal(session: Session, proposal_id: KeyPath, principal: Principal = require_roles(*READ_FULL)):
    proposal = await _proposal(session, proposal_id)
    await audit(session, principal, proposal.crn, "read-psr-proposal", f"/psr-proposals/{proposal_id}")
    return redacted_response(view(proposal), principal.roles)


@router.post("/psr-proposals/{proposal_id}/override", response_model=PsrView)
async def override(
    body: PsrOverride, session: Session, proposal_id: KeyPath, principal: Principal = require_roles(*WRITE)
):
    proposal = await _proposal(session, proposal_id)
    if proposal.override is not None:
        raise Problem(409, "already-overridden", "This proposal already records an override; make a new proposal.")
    workflow.record_override(proposal, body.sentenceType, list(body.requirements), body.reason, principal.subject)
    return redacted_response(view(proposal), principal.roles)
