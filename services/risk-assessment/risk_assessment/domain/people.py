"""Keeping risk-assessment's record of each person on probation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import people as people_db
from ..db.models import PersonRecord


async def ensure_person(session: AsyncSession, crn: str, noms_number: str | None, registered_at: datetime) -> PersonRecord:
    record = await people_db.get(session, crn)
    if record is None:
        record = PersonRecord(crn=crn, noms_number=noms_number, registered_at=registered_at)
        people_db.add(session, record)
    elif noms_number and record.noms_number != noms_number:
        record.noms_number = noms_number
    return record
