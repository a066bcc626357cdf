"""Regions, PDUs, teams, staff and reductions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Pdu, Reduction, Region, Staff, Team


async def regions(session: AsyncSession) -> list[Region]:
    return list(await session.scalars(select(Region).order_by(Region.code)))


async def pdus(session: AsyncSession, region_code: str | None = None) -> list[Pdu]:
    query = select(Pdu).order_by(Pdu.code)
    if region_code:
        query = query.where(Pdu.region_code == region_code)
    return list(await session.scalars(query))


async def teams(session: AsyncSession, pdu_code: str) -> list[Team]:
    return list(await session.scalars(select(Team).where(Team.pdu_code == pdu_code).order_by(Team.code)))


async def get_pdu(session: AsyncSession, code: str) -> Pdu | None:
    return await session.get(Pdu, code)


async def get_team(session: AsyncSession, code: str) -> Team | None:
    return await session.get(Team, code)


async def get_staff(session: AsyncSession, code: str) -> Staff | None:
    return await session.get(Staff, code)


async def staff_with_team(session: AsyncSession, code: str) -> tuple[Staff, Team] | None:
    row = (
        await session.execute(select(Staff, Team).join(Team, Team.code == Staff.team_code).where(Staff.code == code))
    ).first()
    return (row[0], row[1]) if row else None


async def staff_in_pdu(session: AsyncSession, pdu_code: str, *, active_only: bool = True) -> list[tuple[Staff, Team]]:
    query = select(Staff, Team).join(Team, Team.code == Staff.team_code).where(Team.pdu_code == pdu_code)
    if active_only:
        query = query.where(Staff.active.is_(True))
    return [(s, t) for s, t in (await session.execute(query.order_by(Staff.code)))]


async def staff_in_team(session: AsyncSession, team_code: str) -> list[Staff]:
    return list(await session.scalars(select(Staff).where(Staff.team_code == team_code).order_by(Staff.code)))


async def reductions(session: AsyncSession, staff_code: str) -> list[Reduction]:
    return list(
        await session.scalars(
            select(Reduction).where(Reduction.staff_code == staff_code).order_by(Reduction.start_date, Reduction.id)
        )
    )


async def active_reduction_hours(session: AsyncSession, staff_codes: list[str], on: date) -> dict[str, list]:
    """Hours of the reductions in force on `on`, per staff code."""
    if not staff_codes:
        return {}
    rows = await session.execute(
        select(Reduction.staff_code, Reduction.hours).where(
            Reduction.staff_code.in_(staff_codes),
            Reduction.start_date <= on,
            or_(Reduction.end_date.is_(None), Reduction.end_date >= on),
        )
    )
    out: dict[str, list] = {}
    for code, hours in rows:
        out.setdefault(code, []).append(hours)
    return out


async def get_reduction(session: AsyncSession, staff_code: str, reduction_id: int) -> Reduction | None:
    row = await session.get(Reduction, reduction_id)
    return row if row is not None and row.staff_code == staff_code else None


async def add_staff(session: AsyncSession, staff: Staff) -> Staff:
    session.add(staff)
    await session.flush()
    return staff


async def save(session: AsyncSession) -> None:
    """Write pending changes now, so a response built next reads what was stored."""
    await session.flush()


async def add_reduction(session: AsyncSession, reduction: Reduction) -> Reduction:
    session.add(reduction)
    await session.flush()
    return reduction


async def delete_reduction(session: AsyncSession, reduction: Reduction) -> None:
    await session.delete(reduction)
