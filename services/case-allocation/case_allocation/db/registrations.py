"""Registrations (flags) and their history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Registration, RegistrationHistory


async def get(session: AsyncSession, crn: str, registration_id: int) -> Registration | None:
    row = await session.get(Registration, registration_id)
    return row if row is not None and row.crn == crn else None


async def of_person(session: AsyncSession, crn: str) -> list[Registration]:
    return list(
        await session.scalars(
            select(Registration).where(Registration.crn == crn).order_by(Registration.registered_on, Registration.id)
        )
    )


async def active(session: AsyncSession, crn: str) -> list[Registration]:
    return list(
        await session.scalars(select(Registration).where(Registration.crn == crn, Registration.status == "ACTIVE"))
    )


async def history(session: AsyncSession, registration_id: int) -> list[RegistrationHistory]:
    return list(
        await session.scalars(
            select(RegistrationHistory)
            .where(RegistrationHistory.registration_id == registration_id)
            .order_by(RegistrationHistory.id)
        )
    )
