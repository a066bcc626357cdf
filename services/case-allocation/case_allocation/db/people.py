"""Persistence of people on probation, their addresses and limited-access rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, and_, bindparam, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.db import stage_write

from .models import Address, LimitedAccess, Person


async def crns_in_use(session: AsyncSession, crns: list[str]) -> set[str]:
    """Which of these CRNs already belong to someone: one query for a batch of candidates."""
    return set(await session.scalars(select(Person.crn).where(Person.crn.in_(crns))))


async def noms_taken(session: AsyncSession, noms: str, other_than: str | None = None) -> bool:
    query = select(Person.crn).where(Person.noms_number == noms)
    if other_than:
        query = query.where(Person.crn != other_than)
    return await session.scalar(query) is not None


async def get(session: AsyncSession, crn: str) -> Person | None:
    return await session.get(Person, crn)


def add(session: AsyncSession, person: Person) -> None:
    """Queue a new person's row with the unit of work, as a Core insert staged ahead of the outbox row the
    registration queues: on the hottest write an ORM flush of one new object cost more than the insert.
    The object stays outside the session (it is only rendered afterwards)."""
    stage_write(session, _PERSON, {column.key: getattr(person, column.key) for column in _PERSON.columns})


_PERSON: Table = Person.__table__  # type: ignore[assignment]  # a mapped class's table is a Table


async def limits(session: AsyncSession, crn: str) -> list[tuple[str, str]]:
    rows = await session.execute(select(LimitedAccess.kind, LimitedAccess.staff_code).where(LimitedAccess.crn == crn))
    return [(k, s) for k, s in rows]


async def restricted_among(session: AsyncSession, crns: list[str]) -> set[str]:
    """Which of these people are on a restriction."""
    if not crns:
        return set()
    return set(
        await session.scalars(
            select(LimitedAccess.crn).where(LimitedAccess.crn.in_(crns), LimitedAccess.kind == "RESTRICTION").distinct()
        )
    )


async def limit_rows(session: AsyncSession, crn: str) -> list[LimitedAccess]:
    return list(await session.scalars(select(LimitedAccess).where(LimitedAccess.crn == crn).order_by(LimitedAccess.id)))


async def get_limit(session: AsyncSession, crn: str, limit_id: int) -> LimitedAccess | None:
    row = await session.get(LimitedAccess, limit_id)
    return row if row is not None and row.crn == crn else None


LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` matched literally inside a LIKE pattern: the escape character, % and _ are escaped."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def visible_to(staff_code: str | None):
    """SQL condition: the person is neither restricted away from nor excluding `staff_code`."""
    restricted = exists().where(LimitedAccess.crn == Person.crn, LimitedAccess.kind == "RESTRICTION")
    named = exists().where(
        LimitedAccess.crn == Person.crn, LimitedAccess.kind == "RESTRICTION", LimitedAccess.staff_code == staff_code
    )
    excluded = exists().where(
        LimitedAccess.crn == Person.crn, LimitedAccess.kind == "EXCLUSION", LimitedAccess.staff_code == staff_code
    )
    if staff_code is None:
        return or_(not_(Person.limited_access), not_(restricted))
    return or_(not_(Person.limited_access), and_(or_(not_(restricted), named), not_(excluded)))


async def search(
    session: AsyncSession,
    *,
    name: str | None,
    crn: str | None,
    date_of_birth: date | None,
    staff_code: str | None,
    everyone: bool,
    page: int,
    size: int,
) -> tuple[list[Person], int]:
    conditions = []
    if crn:
        conditions.append(Person.crn == crn)
    if date_of_birth:
        conditions.append(Person.date_of_birth == date_of_birth)
    if name:
        for word in name.lower().split():
            like = f"{escape_like(word)}%"
            conditions.append(
                or_(
                    func.lower(Person.first_name).like(like, escape=LIKE_ESCAPE),
                    func.lower(Person.last_name).like(like, escape=LIKE_ESCAPE),
                )
            )
    if not everyone:
        conditions.append(visible_to(staff_code))
    total = await session.scalar(select(func.count()).select_from(Person).where(*conditions))
    rows = await session.scalars(
        select(Person)
        .where(*conditions)
        .order_by(Person.last_name, Person.first_name, Person.crn)
        .offset(page * size)
        .limit(size)
    )
    return list(rows), int(total or 0)


async def addresses(session: AsyncSession, crn: str, include_deleted: bool = False) -> list[Address]:
    query = select(Address).where(Address.crn == crn)
    if not include_deleted:
        query = query.where(Address.deleted.is_(False))
    return list(await session.scalars(query.order_by(Address.start_date.desc(), Address.id.desc())))


async def main_address(session: AsyncSession, crn: str) -> Address | None:
    return await session.scalar(
        select(Address)
        .where(Address.crn == crn, Address.status == "MAIN", Address.deleted.is_(False))
        .order_by(Address.id.desc())
        .limit(1)
    )


# Built once: the hottest read (GET /people/{crn}) then skips constructing the statement and its cache key.
_WITH_MAIN_ADDRESS = (
    select(Person, Address)
    .outerjoin(Address, and_(Address.crn == Person.crn, Address.status == "MAIN", Address.deleted.is_(False)))
    .where(Person.crn == bindparam("crn"))
    .order_by(Address.id.desc())
    .limit(1)
)


async def with_main_address(session: AsyncSession, crn: str) -> tuple[Person, Address | None] | None:
    """The person and their current main address in one round trip."""
    row = (await session.execute(_WITH_MAIN_ADDRESS, {"crn": crn})).first()
    return (row[0], row[1]) if row else None


async def get_address(session: AsyncSession, crn: str, address_id: int) -> Address | None:
    address = await session.get(Address, address_id)
    return address if address is not None and address.crn == crn else None
