"""Cases, allocations and the workload aggregates behind capacity."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.workload import HeldCase
from .models import Allocation, Case, CourtReport, Person, Registration, Staff, Team


async def get(session: AsyncSession, case_id: int) -> Case | None:
    return await session.get(Case, case_id)


async def for_sentence(session: AsyncSession, sentence_id: int) -> Case | None:
    return await session.scalar(select(Case).where(Case.sentence_id == sentence_id))


async def open_cases_of(session: AsyncSession, crn: str) -> list[Case]:
    return list(await session.scalars(select(Case).where(Case.crn == crn, Case.status != "CLOSED")))


async def held_cases(session: AsyncSession, staff_codes: list[str]) -> dict[str, list[HeldCase]]:
    """Per staff code, the open cases they hold (the domain counts them per person)."""
    if not staff_codes:
        return {}
    rows = await session.execute(
        select(Case.staff_code, Case.crn, Case.points, Case.upw_only).where(
            Case.staff_code.in_(staff_codes), Case.status == "ALLOCATED"
        )
    )
    out: dict[str, list[HeldCase]] = {}
    for code, crn, points, upw_only in rows:
        out.setdefault(str(code), []).append(HeldCase(crn, int(points), bool(upw_only)))
    return out


async def open_court_reports(session: AsyncSession, staff_codes: list[str]) -> dict[str, list[str]]:
    """Per staff code, the kinds of the court reports they are writing (not yet completed)."""
    if not staff_codes:
        return {}
    rows = await session.execute(
        select(CourtReport.staff_code, CourtReport.kind).where(
            CourtReport.staff_code.in_(staff_codes), CourtReport.completed_on.is_(None)
        )
    )
    out: dict[str, list[str]] = {}
    for code, kind in rows:
        out.setdefault(code, []).append(kind)
    return out


def add_court_report(session: AsyncSession, report: CourtReport) -> None:
    session.add(report)


async def court_reports(session: AsyncSession, staff_code: str) -> list[CourtReport]:
    return list(
        await session.scalars(select(CourtReport).where(CourtReport.staff_code == staff_code).order_by(CourtReport.id))
    )


async def get_court_report(session: AsyncSession, staff_code: str, report_id: int) -> CourtReport | None:
    row = await session.get(CourtReport, report_id)
    return row if row is not None and row.staff_code == staff_code else None


async def last_holder(session: AsyncSession, crn: str, other_than_case: int) -> str | None:
    """Who was last allocated one of the person's other cases: continuity for a new one."""
    return await session.scalar(
        select(Allocation.staff_code)
        .where(Allocation.crn == crn, Allocation.case_id != other_than_case)
        .order_by(Allocation.at.desc(), Allocation.id.desc())
        .limit(1)
    )


def add_allocation(session: AsyncSession, allocation: Allocation) -> None:
    session.add(allocation)


async def queue(
    session: AsyncSession, pdu_code: str, limit: int, offset: int, visible=None
) -> tuple[list[tuple[Case, Person]], int, int]:
    """A page of the PDU's unallocated cases that satisfy `visible` (an SQL condition on Person), the number
    of those, and the number of all the PDU's unallocated cases."""
    conditions = (Case.pdu_code == pdu_code, Case.status == "UNALLOCATED")
    shown = (*conditions, visible) if visible is not None else conditions
    everything = await session.scalar(select(func.count()).select_from(Case).where(*conditions))
    total = everything
    if visible is not None:
        total = await session.scalar(
            select(func.count()).select_from(Case).join(Person, Person.crn == Case.crn).where(*shown)
        )
    rows = await session.execute(
        select(Case, Person)
        .join(Person, Person.crn == Case.crn)
        .where(*shown)
        .order_by(Case.due_date, Case.id)
        .offset(offset)
        .limit(limit)
    )
    return [(c, p) for c, p in rows], int(total or 0), int(everything or 0)


async def previous_practitioners(session: AsyncSession, crn: str) -> set[str]:
    return set(await session.scalars(select(Allocation.staff_code).where(Allocation.crn == crn).distinct()))


async def allocations_of(session: AsyncSession, case_id: int) -> list[Allocation]:
    return list(await session.scalars(select(Allocation).where(Allocation.case_id == case_id).order_by(Allocation.id)))


async def current_manager(session: AsyncSession, crn: str) -> tuple[Case, Staff, Team] | None:
    """The practitioner of the person's most recently allocated open case."""
    row = (
        await session.execute(
            select(Case, Staff, Team)
            .join(Staff, Staff.code == Case.staff_code)
            .join(Team, Team.code == Staff.team_code)
            .where(Case.crn == crn, Case.status == "ALLOCATED")
            .order_by(Case.allocated_at.desc(), Case.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def active_register_codes(session: AsyncSession, crn: str) -> set[str]:
    return set(
        await session.scalars(
            select(Registration.type_code).where(Registration.crn == crn, Registration.status == "ACTIVE")
        )
    )


async def set_points_for_person(session: AsyncSession, crn: str, points_by_type: dict[str, int]) -> None:
    for case_type, points in points_by_type.items():
        await session.execute(
            update(Case)
            .where(Case.crn == crn, Case.case_type == case_type, Case.status != "CLOSED")
            .values(points=points)
        )
