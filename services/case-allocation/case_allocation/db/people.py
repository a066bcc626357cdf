"""Persistence of people on probation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Person


async def crn_exists(session: AsyncSession, crn: str) -> bool:
    return await session.scalar(select(Person.crn).where(Person.crn == crn)) is not None


async def get(session: AsyncSession, crn: str) -> Person | None:
    return await session.get(Person, crn)


def add(session: AsyncSession, person: Person) -> None:
    session.add(person)
