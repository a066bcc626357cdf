"""Providers manage their webhook endpoints and inspect, test and replay their messages."""

from __future__ import annotations

from fastapi import APIRouter, Body, Query, Request, Response

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.redaction import redacted_response

from ..db import queries
from ..domain.partners import is_police_owner
from ..domain.states import DisabledReason, MessageStatus
from ..workflows import endpoints as endpoint_workflow
from ..workflows import messages as message_workflow
from ..workflows.common import now_in
from .schemas import (
    AttemptView,
    CreatedEndpoint,
    Enable,
    Enabled,
    EndpointChanges,
    EndpointView,
    MessageDetail,
    MessageView,
    NewEndpoint,
    NoticeView,
    Replayed,
    ReplaySince,
    RotatedSecret,
)

router = APIRouter(prefix="/providers/{provider_id}", tags=["webhooks"])
Caller = require_roles(Role.PROVIDER_CASEWORKER, Role.OPERATOR)


def _check_provider(principal: Principal, provider_id: str) -> None:
    """A provider sees only its own organisation; anything of another's is 404, as if it did not exist."""
    if Role.OPERATOR not in principal.roles and principal.provider_id != provider_id:
        raise Problem(404, "not-found", "No such provider.")
    if is_police_owner(provider_id):  # police partners' endpoints are managed under /police/{force_id} only
        raise Problem(404, "not-found", "No such provider.")


async def _endpoint(session, principal: Principal, provider_id: str, endpoint_id: str, for_update: bool = False):
    _check_provider(principal, provider_id)
    return await endpoint_workflow.find(session, provider_id, endpoint_id, for_update=for_update)


@router.post("/endpoints", status_code=201, response_model=CreatedEndpoint)
async def register_endpoint(
    provider_id: str, body: NewEndpoint, request: Request, session: Session, principal: Principal = Caller
):
    _check_provider(principal, provider_id)
    endpoint, secret = await endpoint_workflow.register(
        session,
        request.app.state.settings,
        provider_id,
        body.url,
        body.description,
        body.event_types,
        body.contact_email,
    )
    return redacted_response(
        CreatedEndpoint(**dict(EndpointView.model_validate(endpoint)), secret=secret), principal.roles, status_code=201
    )


@router.get("/endpoints", response_model=list[EndpointView])
async def list_endpoints(provider_id: str, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    return redacted_response(
        [EndpointView.model_validate(e) for e in await queries.endpoints_of(session, provider_id)], principal.roles
    )


@router.get("/endpoints/{endpoint_id}", response_model=EndpointView)
async def get_endpoint(provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller):
    return redacted_response(
        EndpointView.model_validate(await _endpoint(session, principal, provider_id, endpoint_id)), principal.roles
    )


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointView)
async def change_endpoint(
    provider_id: str,
    endpoint_id: str,
    body: EndpointChanges,
    request: Request,
    session: Session,
    principal: Principal = Caller,
):
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    changes = body.model_dump(exclude_unset=True)
    if "url" in changes and changes["url"] is None:
        raise Problem(
            422,
            "validation-failed",
            "url cannot be removed",
            errors=[{"field": "url", "message": "url cannot be removed"}],
        )
    return redacted_response(
        EndpointView.model_validate(
            await endpoint_workflow.update(session, request.app.state.settings, endpoint, changes)
        ),
        principal.roles,
    )


@router.delete("/endpoints/{endpoint_id}", status_code=204)
async def remove_endpoint(
    provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller
) -> Response:
    await endpoint_workflow.remove(
        session, await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    )
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/rotate-secret", response_model=RotatedSecret)
async def rotate_secret(
    provider_id: str, endpoint_id: str, request: Request, session: Session, principal: Principal = Caller
):
    """A new secret, shown once. The old one stays valid for 24 hours: deliveries carry both signatures."""
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    secret, until = endpoint_workflow.rotate_secret(session, request.app.state.settings, endpoint)
    return redacted_response(RotatedSecret(secret=secret, previous_secret_valid_until=until), principal.roles)


@router.post("/endpoints/{endpoint_id}/disable", response_model=EndpointView)
async def disable_endpoint(provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller):
    """Stop sending; messages meanwhile are kept (HELD) and go when the endpoint is enabled."""
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    if endpoint.enabled:
        await endpoint_workflow.disable(session, endpoint, DisabledReason.BY_PROVIDER, now_in(session))
    return redacted_response(EndpointView.model_validate(endpoint), principal.roles)


@router.post("/endpoints/{endpoint_id}/enable", response_model=Enabled)
async def enable_endpoint(
    provider_id: str,
    endpoint_id: str,
    session: Session,
    body: Enable | None = Body(default=None),
    principal: Principal = Caller,
):
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    released = await endpoint_workflow.enable(session, endpoint, (body or Enable()).replay_held)
    return redacted_response(Enabled(**dict(EndpointView.model_validate(endpoint)), released=released), principal.roles)


@router.post("/endpoints/{endpoint_id}/test", status_code=202, response_model=MessageView)
async def send_test_event(provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller):
    """Queue a signed `webhook.test` message to this endpoint; follow it under /messages/{id}."""
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id, for_update=True)
    return redacted_response(
        MessageView.model_validate(await message_workflow.send_test(session, endpoint)),
        principal.roles,
        status_code=202,
    )


@router.post("/endpoints/{endpoint_id}/replay", response_model=Replayed)
async def replay_since(
    provider_id: str, endpoint_id: str, body: ReplaySince, session: Session, principal: Principal = Caller
):
    """Send again every message to this endpoint created at or after `since` (same `webhook-id`s, same order)."""
    endpoint = await _endpoint(session, principal, provider_id, endpoint_id)
    return redacted_response(
        Replayed(replayed=await message_workflow.replay_since(session, endpoint, body.since)), principal.roles
    )


@router.get("/messages", response_model=list[MessageView])
@router.get("/deliveries", response_model=list[MessageView], include_in_schema=False)
async def list_messages(
    provider_id: str,
    session: Session,
    status: MessageStatus | None = None,
    endpoint_id: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    principal: Principal = Caller,
):
    _check_provider(principal, provider_id)
    found = await queries.messages_of(
        session, provider_id, status.value if status else None, endpoint_id, limit, offset
    )
    return redacted_response([MessageView.model_validate(m) for m in found], principal.roles)


@router.get("/messages/{message_id}", response_model=MessageDetail)
async def get_message(provider_id: str, message_id: str, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    message = await message_workflow.find(session, provider_id, message_id)
    attempts = [AttemptView.model_validate(a) for a in await queries.attempts_of(session, message.id)]
    return redacted_response(
        MessageDetail(**dict(MessageView.model_validate(message)), payload=message.payload, attempt_history=attempts),
        principal.roles,
    )


@router.get("/messages/{message_id}/attempts", response_model=list[AttemptView])
async def list_attempts(provider_id: str, message_id: str, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    message = await message_workflow.find(session, provider_id, message_id)
    return redacted_response(
        [AttemptView.model_validate(a) for a in await queries.attempts_of(session, message.id)], principal.roles
    )


@router.post("/messages/{message_id}/replay", response_model=MessageView)
@router.post("/deliveries/{message_id}/replay", response_model=MessageView, include_in_schema=False)
async def replay_message(provider_id: str, message_id: str, session: Session, principal: Principal = Caller):
    """Send a message again with the same `webhook-id` (a dead letter, or to recover a receiver's lost data)."""
    _check_provider(principal, provider_id)
    message = await message_workflow.find(session, provider_id, message_id)
    endpoint = await endpoint_workflow.find(session, provider_id, message.endpoint_id)
    return redacted_response(
        MessageView.model_validate(await message_workflow.replay(session, endpoint, message)), principal.roles
    )


@router.get("/notices", response_model=list[NoticeView])
async def list_notices(provider_id: str, session: Session, principal: Principal = Caller):
    """What we told the provider's registered contacts (e.g. that an endpoint was disabled)."""
    _check_provider(principal, provider_id)
    return redacted_response(
        [NoticeView.model_validate(n) for n in await queries.notices_of(session, provider_id)], principal.roles
    )
