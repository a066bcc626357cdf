"""Providers manage their webhook endpoints and see (and replay) their deliveries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request, Response

from probation_shared.auth import Principal, Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem

from ..db import queries
from ..db.models import Delivery, Endpoint
from ..domain.delivery import PENDING, STATUSES, InvalidEndpointUrl, check_endpoint_url, new_secret
from .schemas import CreatedEndpoint, DeliveryView, EndpointView, NewEndpoint

router = APIRouter(prefix="/providers/{provider_id}", tags=["webhooks"])
Caller = require_roles(Role.PROVIDER_CASEWORKER, Role.OPERATOR)


def _check_provider(principal: Principal, provider_id: str) -> None:
    """A provider manages only its own organisation's endpoints; operators manage any."""
    if Role.OPERATOR not in principal.roles and principal.provider_id != provider_id:
        raise Problem(403, "wrong-provider", "Your token is not for this provider.")


async def _endpoint(session, provider_id: str, endpoint_id: str) -> Endpoint:
    endpoint = await session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.provider_id != provider_id:
        raise Problem(404, "endpoint-not-found", "No such endpoint.")
    return endpoint


@router.post("/endpoints", status_code=201, response_model=CreatedEndpoint)
async def register_endpoint(provider_id: str, body: NewEndpoint, request: Request, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    try:
        url = check_endpoint_url(body.url, request.app.state.settings.allow_insecure_endpoints)
    except InvalidEndpointUrl as exc:
        raise Problem(422, "invalid-endpoint-url", str(exc), errors=[{"field": "url", "message": str(exc)}]) from exc
    endpoint = Endpoint(
        id=f"ep_{uuid.uuid4().hex}", provider_id=provider_id, url=url, secret=new_secret(),
        description=body.description, enabled=True, created_at=datetime.now(UTC),
    )
    session.add(endpoint)
    return CreatedEndpoint.model_validate(endpoint)


@router.get("/endpoints", response_model=list[EndpointView])
async def list_endpoints(provider_id: str, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    return [EndpointView.model_validate(e) for e in await queries.endpoints_of(session, provider_id)]


@router.delete("/endpoints/{endpoint_id}", status_code=204)
async def remove_endpoint(provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller) -> Response:
    _check_provider(principal, provider_id)
    await session.delete(await _endpoint(session, provider_id, endpoint_id))
    return Response(status_code=204)


@router.post("/endpoints/{endpoint_id}/enable", response_model=EndpointView)
async def enable_endpoint(provider_id: str, endpoint_id: str, session: Session, principal: Principal = Caller):
    _check_provider(principal, provider_id)
    endpoint = await _endpoint(session, provider_id, endpoint_id)
    endpoint.enabled, endpoint.disabled_reason = True, None
    return EndpointView.model_validate(endpoint)


@router.get("/deliveries", response_model=list[DeliveryView])
async def list_deliveries(
    provider_id: str,
    session: Session,
    status: Literal[STATUSES] | None = None,  # type: ignore[valid-type]
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    principal: Principal = Caller,
):
    _check_provider(principal, provider_id)
    return [DeliveryView.model_validate(d) for d in await queries.deliveries_of(session, provider_id, status, limit, offset)]


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryView)
async def replay_delivery(provider_id: str, delivery_id: str, session: Session, principal: Principal = Caller):
    """Send a delivery again (after it failed for good, or to recover a receiver's lost data)."""
    _check_provider(principal, provider_id)
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None or delivery.provider_id != provider_id:
        raise Problem(404, "delivery-not-found", "No such delivery.")
    endpoint = await _endpoint(session, provider_id, delivery.endpoint_id)
    if not endpoint.enabled:
        raise Problem(409, "endpoint-disabled", "Enable the endpoint before replaying to it.")
    delivery.status, delivery.attempts, delivery.next_attempt_at = PENDING, 0, datetime.now(UTC)
    return DeliveryView.model_validate(delivery)
