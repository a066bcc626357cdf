"""Queries over endpoints and deliveries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Delivery, Endpoint


async def endpoints_of(session: AsyncSession, provider_id: str, enabled_only: bool = False) -> list[Endpoint]:
    query = select(Endpoint).where(Endpoint.provider_id == provider_id).order_by(Endpoint.created_at)
    if enabled_only:
        query = query.where(Endpoint.enabled.is_(True))
    return list((await session.scalars(query)).all())


async def deliveries_of(session: AsyncSession, provider_id: str, status: str | None, limit: int, offset: int) -> list[Delivery]:
    query = select(Delivery).where(Delivery.provider_id == provider_id).order_by(Delivery.created_at.desc(), Delivery.id)
    if status:
        query = query.where(Delivery.status == status)
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def claim_due(session: AsyncSession, status: str, now: datetime, lease_until: datetime, limit: int) -> list[tuple[Delivery, Endpoint]]:
    """Take up to `limit` deliveries in `status` that are due, leasing them so another replica does not send them too."""
    rows = (
        await session.execute(
            select(Delivery, Endpoint)
            .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
            .where(Delivery.status == status, Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
        )
    ).all()
    if rows:
        await session.execute(
            update(Delivery).where(Delivery.id.in_([d.id for d, _ in rows])).values(next_attempt_at=lease_until)
        )
    return [(d, e) for d, e in rows]
