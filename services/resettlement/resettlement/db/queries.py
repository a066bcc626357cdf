"""All of resettlement's SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import DirectoryEntry, Pack, Plan, PlanPathway, Prisoner, Report


async def prisoner(session: AsyncSession, crn: str) -> Prisoner | None:
    return await session.get(Prisoner, crn)


async def due_for_release(
    session: AsyncSession,
    *,
    start: date,
    end: date,
    prison_code: str | None = None,
    region_code: str | None = None,
    page: int = 0,
    size: int = 20,
) -> tuple[list[Prisoner], int]:
    """Prisoners not yet released whose release date falls in [start, end], soonest first; and how many in all."""
    where = [Prisoner.release_date >= start, Prisoner.release_date <= end, Prisoner.released_on.is_(None)]
    if prison_code is not None:
        where.append(Prisoner.prison_code == prison_code)
    if region_code is not None:
        where.append(Prisoner.region_code == region_code)
    total = (await session.execute(select(func.count()).select_from(Prisoner).where(*where))).scalar_one()
    rows = await session.execute(
        select(Prisoner).where(*where).order_by(Prisoner.release_date, Prisoner.crn).offset(page * size).limit(size)
    )
    return list(rows.scalars()), int(total)


async def needing_a_pack(session: AsyncSession, *, start: date, end: date, limit: int = 100) -> list[Prisoner]:
    """Prisoners due within the pack window with no pack yet, or with a newer version due."""
    has_pack = select(Pack.id).where(Pack.crn == Prisoner.crn).exists()
    rows = await session.execute(
        select(Prisoner)
        .where(
            Prisoner.release_date >= start,
            Prisoner.release_date <= end,
            Prisoner.released_on.is_(None),
            (~has_pack) | Prisoner.pack_due_reason.is_not(None),
        )
        .order_by(Prisoner.release_date, Prisoner.crn)
        .limit(limit)
    )
    return list(rows.scalars())


async def plan(session: AsyncSession, crn: str) -> Plan | None:
    return (await session.execute(select(Plan).where(Plan.crn == crn))).scalar_one_or_none()


async def pathways(session: AsyncSession, plan_id: int) -> list[PlanPathway]:
    rows = await session.execute(select(PlanPathway).where(PlanPathway.plan_id == plan_id))
    return list(rows.scalars())


async def report(session: AsyncSession, crn: str, report_type: str) -> Report | None:
    rows = await session.execute(select(Report).where(Report.crn == crn, Report.report_type == report_type))
    return rows.scalar_one_or_none()


async def directory(session: AsyncSession, region_code: str, pathway: str | None = None) -> list[DirectoryEntry]:
    query = select(DirectoryEntry).where(DirectoryEntry.region_code == region_code)
    if pathway is not None:
        query = query.where(DirectoryEntry.pathway == pathway)
    rows = await session.execute(query.order_by(DirectoryEntry.pathway, DirectoryEntry.name, DirectoryEntry.id))
    return list(rows.scalars())


async def directory_entry(session: AsyncSession, entry_id: int) -> DirectoryEntry | None:
    return await session.get(DirectoryEntry, entry_id)


async def directory_is_empty(session: AsyncSession) -> bool:
    return (await session.execute(select(func.count()).select_from(DirectoryEntry))).scalar_one() == 0


async def packs(session: AsyncSession, crn: str) -> list[Pack]:
    """Every version of a person's pack, newest first (without loading the documents)."""
    from sqlalchemy.orm import defer

    rows = await session.execute(
        select(Pack).options(defer(Pack.html), defer(Pack.pdf)).where(Pack.crn == crn).order_by(Pack.version.desc())
    )
    return list(rows.scalars())


async def pack(session: AsyncSession, crn: str, version: int) -> Pack | None:
    rows = await session.execute(select(Pack).where(Pack.crn == crn, Pack.version == version))
    return rows.scalar_one_or_none()


async def latest_pack_version(session: AsyncSession, crn: str) -> int:
    value = (await session.execute(select(func.max(Pack.version)).where(Pack.crn == crn))).scalar_one()
    return int(value or 0)
