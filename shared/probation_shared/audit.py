"""The audit log: every read of personal data by a person (who, whom, what, when, why)."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from .auth import Principal, Role
from .db import stage_write


async def record_access(
    session: AsyncSession,
    audit_log: Table,
    principal: Principal,
    *,
    crn: str | None,
    action: str,
    resource: str,
    reason: str | None = None,
) -> None:
    """Write one audit row with the request's unit of work. Service-to-service calls are not people."""
    if principal.roles == {Role.SERVICE}:
        return
    stage_write(
        session,
        audit_log,
        dict(
            occurred_at=datetime.now(UTC),
            actor=principal.subject,
            actor_roles=",".join(sorted(r.value for r in principal.roles)),
            subject_crn=crn,
            action=action,
            resource=resource,
            reason=reason,
            correlation_id=structlog.contextvars.get_contextvars().get("correlation_id"),
        ),
    )
