"""The audit log: every read of personal data by a person (who, whom, what, when, why).

Rows are written with the request's unit of work and read back only by auditors (`audit_router`); no
endpoint updates or deletes them. A list writes one row for each person it showed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Query, Request
from sqlalchemy import Table, select

from probation_shared import clock

from .auth import Principal, Role, require_roles
from .db import Session, stage_write
from .errors import Problem
from .limits import AsAt
from .redaction import Classified, DataClass, Outbound, redacted_response

REASON_HEADER = "x-access-reason"
MAX_REASON_LENGTH = 200


def access_reason(request: Request) -> str | None:
    """The caller's stated reason (`X-Access-Reason`): at most 200 printable characters, or 400."""
    raw = request.headers.get(REASON_HEADER)
    if raw is None:
        return None
    reason = raw.strip()
    if len(reason) > MAX_REASON_LENGTH or not reason.isprintable():
        raise Problem(
            400,
            "invalid-access-reason",
            f"X-Access-Reason must be at most {MAX_REASON_LENGTH} printable characters.",
            errors=[{"field": "X-Access-Reason", "message": f"at most {MAX_REASON_LENGTH} printable characters"}],
        )
    return reason or None


async def record_access(
    session,
    audit_log: Table,
    principal: Principal,
    *,
    crn: str | None = None,
    crns: Iterable[str] | None = None,
    action: str,
    resource: str,
    reason: str | None = None,
) -> None:
    """Stage audit rows with the request's unit of work: one for `crn`, or one per person in `crns` (a list
    shown). Service-to-service calls are not people and are not recorded."""
    if principal.roles == {Role.SERVICE}:
        return
    subjects = list(dict.fromkeys(crns)) if crns is not None else [crn]
    if crns is not None and not subjects:
        return
    now = clock.now()
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    actor_roles = ",".join(sorted(r.value for r in principal.roles))
    for subject in subjects:
        stage_write(
            session,
            audit_log,
            dict(
                occurred_at=now,
                actor=principal.subject,
                actor_roles=actor_roles,
                subject_crn=subject,
                action=action,
                resource=resource[:500],
                reason=reason[:MAX_REASON_LENGTH] if reason else None,
                correlation_id=correlation_id,
            ),
        )


Ref = Annotated[str | None, Classified(DataClass.REFERENCE)]


class AuditEntry(Outbound):
    occurredAt: Annotated[datetime, Classified(DataClass.REFERENCE)]
    actor: Annotated[str, Classified(DataClass.REFERENCE)]
    actorRoles: Ref
    crn: Ref
    action: Ref
    resource: Ref
    reason: Ref
    correlationId: Ref


def audit_router(audit_log: Table) -> APIRouter:
    """`GET /audit` for auditors: who read whose record, when and why. Read only."""
    router = APIRouter(tags=["audit"])

    @router.get("/audit", response_model=list[AuditEntry])
    async def list_audit(
        session: Session,
        principal: Principal = require_roles(Role.AUDITOR),
        crn: str | None = Query(default=None, max_length=20, pattern=r"^[A-Za-z0-9]*$"),
        actor: str | None = Query(default=None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"),
        since: AsAt | None = None,
        limit: int = Query(default=100, ge=1, le=1000),
    ):
        query = select(audit_log).order_by(audit_log.c.occurred_at.desc(), audit_log.c.id.desc()).limit(limit)
        if crn:
            query = query.where(audit_log.c.subject_crn == crn)
        if actor:
            query = query.where(audit_log.c.actor == actor)
        if since:
            query = query.where(audit_log.c.occurred_at >= since)
        rows = (await session.execute(query)).mappings().all()
        entries = [
            AuditEntry(
                occurredAt=r["occurred_at"],
                actor=r["actor"],
                actorRoles=r["actor_roles"],
                crn=r["subject_crn"],
                action=r["action"],
                resource=r["resource"],
                reason=r["reason"],
                correlationId=r["correlation_id"],
            )
            for r in rows
        ]
        # A JSON response, not data for FastAPI to re-validate into AuditEntry and serialise without an audience.
        return redacted_response(entries, principal.roles)

    return router
