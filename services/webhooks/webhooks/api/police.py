"""Police partners (forces in IOM / MAPPA arrangements) manage their webhook endpoints and read their messages:
the same registration and message history as providers, under `/police/{force_id}`, with partner kind POLICE."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.redaction import redacted_response

from ..db import queries
from ..domain.partners import FORCE_ID, PartnerKind, police_owner
from ..domain.states import MessageStatus
from ..workflows import endpoints as endpoint_workflow
from ..workflows import messages as message_workflow
from .schemas import AttemptView, CreatedEndpoint, EndpointView, MessageDetail, MessageView, NewEndpoint

router = APIRouter(prefix="/police/{force_id}", tags=["webhooks: police partners"])
Caller = require_roles(Role.POLICE_PARTNER, Role.OPERATOR)
ForcePath = Path(pattern=FORCE_ID.pattern, description="The police force's partner id, e.g. durham-constabulary")


def _owner(principal: Principal, force_id: str) -> str:
    """The force's own endpoints only (token claim `force_id`); another force's, or a provider's, are 404."""
    if Role.OPERATOR not in principal.roles and principal.claims.get("force_id") != force_id:
        raise Problem(404, "not-found", "No such police partner.")
    return police_owner(force_id)


async def _endpoint(session, principal: Principal, force_id: str, endpoint_id: str, for_update: bool = False):
    endpoint = await endpoint_workflow.find(session, _owner(principal, force_id), endpoint_id, for_update=for_update)
    if endpoint.partner_kind != PartnerKind.POLICE.value:
        raise Problem(404, "endpoint-not-found", "No such endpoint.")
    return endpoint


@router.post("/endpoints", status_code=201, response_model=CreatedEndpoint)
async def register_police_endpoint(
    body: NewEndpoint, request: Request, session: Session, force_id: str = ForcePath, principal: Principal = Caller
):
    endpoint, secret = await endpoint_workflow.register(
        session,
        request.app.state.settings,
        _owner(principal, force_id),
        body.url,
        body.description,
        body.event_types,
        body.contact_email,
        PartnerKind.POLICE,
    )
    return redacted_response(
        CreatedEndpoint(**dict(EndpointView.model_validate(endpoint)), secret=secret), principal.roles, status_code=201
    )


@router.get("/endpoints", response_model=list[EndpointView])
async def list_police_endpoints(session: Session, force_id: str = ForcePath, principal: Principal = Caller):
    found = await queries.endpoints_of(session, _owner(principal, force_id), PartnerKind.POLICE.value)
    return redacted_response([EndpointView.model_validate(e) for e in found], principal.roles)


@router.get("/endpoints/{endpoint_id}", response_model=EndpointView)
async def get_police_endpoint(
    endpoint_id: str, session: Session, force_id: str = ForcePath, principal: Principal = Caller
):
    return redacted_response(
        EndpointView.model_validate(await _endpoint(session, principal, force_id, endpoint_id)), principal.roles
    )


@router.delete("/endpoints/{endpoint_id}", status_code=204)
async def remove_police_endpoint(
    endpoint_id: str, session: Session, force_id: str = ForcePath, principal: Principal = Caller
) -> Response:
    await endpoint_workflow.remove(session, await _endpoint(session, principal, force_id, endpoint_id, True))
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/test", status_code=202, response_model=MessageView)
async def send_police_test_event(
    endpoint_id: str, session: Session, force_id: str = ForcePath, principal: Principal = Caller
):
    endpoint = await _endpoint(session, principal, force_id, endpoint_id, True)
    return redacted_response(
        MessageView.model_validate(await message_workflow.send_test(session, endpoint)),
        principal.roles,
        status_code=202,
    )


@router.get("/messages", response_model=list[MessageView])
async def list_police_messages(
    session: Session,
    force_id: str = ForcePath,
    status: MessageStatus | None = None,
    endpoint_id: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    principal: Principal = Caller,
):
    found = await queries.messages_of(
        session, _owner(principal, force_id), status.value if status else None, endpoint_id, limit, offset
    )
    return redacted_response([MessageView.model_validate(m) for m in found], principal.roles)


@router.get("/messages/{message_id}", response_model=MessageDetail)
async def get_police_message(
    message_id: str, session: Session, force_id: str = ForcePath, principal: Principal = Caller
):
    message = await message_workflow.find(session, _owner(principal, force_id), message_id)
    attempts = [AttemptView.model_validate(a) for a in await queries.attempts_of(session, message.id)]
    return redacted_response(
        MessageDetail(**dict(MessageView.model_validate(message)), payload=message.payload, attempt_history=attempts),
        principal.roles,
    )
