"""Registering a person on probation."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import people as people_db
from ..db.models import Person
from ..events import publish
from .identifiers import random_crn


class CrnSpaceExhausted(RuntimeError):
    pass


async def register_person(session: AsyncSession, *, first_name: str, last_name: str, date_of_birth, sex: str, noms_number: str | None) -> Person:
    crn = await _unused_crn(session)
    person = Person(
        crn=crn, noms_number=noms_number, first_name=first_name, last_name=last_name,
        date_of_birth=date_of_birth, sex=sex, created_at=datetime.now(UTC),
    )
    people_db.add(session, person)
    await publish.engagement_created(session, person)
    return person


async def _unused_crn(session: AsyncSession, attempts: int = 20) -> str:
    for _ in range(attempts):
        crn = random_crn()
        if not await people_db.crn_exists(session, crn):
            return crn
    raise CrnSpaceExhausted("no unused CRN found")
