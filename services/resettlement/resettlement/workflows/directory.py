"""The regional directory of local services, kept by each region's own staff."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError

from ..db import queries
from ..db.models import DirectoryEntry
from ..domain import pathways
from ..domain.regions import REGIONS

FIELDS = ("name", "what_they_do", "town", "address", "phone", "opening_hours", "who_can_use_it")


def region(code: str) -> str:
    if code not in REGIONS:
        raise DomainError.on("region", "unknown-region", f"{code!r} is not a probation region", status=404)
    return code


async def add(session: AsyncSession, region_code: str, values: dict, by: str) -> DirectoryEntry:
    path = pathways.pathway(values["pathway"])
    entry = DirectoryEntry(
        region_code=region(region_code),
        pathway=path.value,
        updated_at=clock.now(),
        updated_by=by,
        **{k: values[k] for k in FIELDS},
    )
    session.add(entry)
    await session.flush()
    return entry


async def entry(session: AsyncSession, region_code: str, entry_id: int) -> DirectoryEntry:
    found = await queries.directory_entry(session, entry_id)
    if found is None or found.region_code != region_code:
        raise DomainError("not-found", "No such directory entry", status=404)
    return found


async def change(session: AsyncSession, region_code: str, entry_id: int, values: dict, by: str) -> DirectoryEntry:
    found = await entry(session, region_code, entry_id)
    if values.get("pathway") is not None:
        found.pathway = pathways.pathway(values["pathway"]).value
    for k in FIELDS:
        if values.get(k) is not None:
            setattr(found, k, values[k])
    found.updated_at, found.updated_by = clock.now(), by
    return found


async def remove(session: AsyncSession, region_code: str, entry_id: int) -> None:
    await session.delete(await entry(session, region_code, entry_id))
