"""Persistence of the person records risk-assessment keeps."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from .models import PersonRecord


async def get(session: AsyncSession, crn: str) -> PersonRecord | None:
    return await session.get(PersonRecord, crn)


def add(session: AsyncSession, record: PersonRecord) -> None:
    session.add(record)
