"""Operators: per-endpoint delivery health and dead letters across every provider."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Query, Request

from probation_shared.auth import Role, require_roles
from probation_shared.db import Session
from probation_shared.errors import Problem
from probation_shared.redaction import redacted_response

from ..db import queries
from ..workflows import endpoints as endpoint_workflow
from ..workflows import messages as message_workflow
from ..workflows.common import now_in
from .schemas import EndpointHealth, MessageView, Reencrypted

OPERATORS = {Role.OPERATOR}

router = APIRouter(prefix="/admin/webhooks", tags=["operations"], dependencies=[require_roles(Role.OPERATOR)])


@router.get("/endpoints", response_model=list[EndpointHealth])
async def endpoint_health(session: Session):
    health = await queries.endpoint_health(session, now_in(session) - timedelta(hours=24))
    found = []
    for e in await queries.all_endpoints(session):
        h = health.get(e.id, {})
        attempts = h.get("attempts", 0)
        found.append(
            EndpointHealth(
                endpoint_id=e.id,
                provider_id=e.provider_id,
                url=e.url,
                enabled=e.enabled,
                disabled_reason=e.disabled_reason,
                attempts_24h=attempts,
                success_rate_24h=(h.get("successes", 0) / attempts) if attempts else None,
                last_success_at=e.last_success_at,
                failing_since=e.failing_since,
                pending=h.get("PENDING", 0),
                held=h.get("HELD", 0),
                dead=h.get("DEAD", 0),
            )
        )
    return redacted_response(found, OPERATORS)


@router.get("/dead-letters", response_model=list[MessageView])
async def dead_letters(session: Session, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)):
    return redacted_response(
        [MessageView.model_validate(m) for m in await queries.dead_letters(session, limit, offset)], OPERATORS
    )


@router.post("/dead-letters/{message_id}/replay", response_model=MessageView)
async def replay_dead_letter(message_id: str, session: Session):
    message = await queries.message_by_id(session, message_id)
    if message is None:
        raise Problem(404, "message-not-found", "No such message.")
    endpoint = await endpoint_workflow.find(session, message.provider_id, message.endpoint_id)
    return redacted_response(
        MessageView.model_validate(await message_workflow.replay(session, endpoint, message)), OPERATORS
    )


@router.post("/reencrypt", response_model=Reencrypted)
async def reencrypt_secrets(request: Request, session: Session):
    """Re-encrypt every secret under the first key of WEBHOOKS_SECRET_ENCRYPTION_KEYS, so the old key can go.

    Run after putting a new key first.
    """
    return redacted_response(
        Reencrypted(reencrypted=await endpoint_workflow.reencrypt_all(session, request.app.state.settings)), OPERATORS
    )
