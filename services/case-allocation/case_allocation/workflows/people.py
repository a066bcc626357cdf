"""People on probation: registration, personal details, addresses with history, limited access."""

from __future__ import annotations

import weakref
from datetime import date
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError, FieldError

from ..db import people as people_db
from ..db.models import Address, LimitedAccess, Person
from ..domain.addresses import PREVIOUS, place_main
from ..domain.identifiers import random_crn
from ..events import publish


class CrnSpaceExhausted(RuntimeError):
    pass


def _noms_conflict(noms: str) -> DomainError:
    return DomainError(
        "noms-number-in-use",
        f"NOMS number {noms} already belongs to another person.",
        [FieldError("noms_number", "already in use")],
        status=409,
    )


async def register_person(
    session: AsyncSession,
    *,
    first_name: str,
    last_name: str,
    date_of_birth,
    sex: str,
    noms_number: str | None,
    phone: str | None = None,
    email: str | None = None,
) -> Person:
    if noms_number and await people_db.noms_taken(session, noms_number):
        raise _noms_conflict(noms_number)
    crn = await _unused_crn(session)
    person = Person(
        crn=crn,
        noms_number=noms_number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        created_at=clock.now(),
        phone=phone,
        email=email,
        limited_access=False,
    )
    people_db.add(session, person)
    await publish.engagement_created(session, person)
    return person


async def update_personal_details(session: AsyncSession, person: Person, changes: dict[str, Any]) -> Person:
    if changes.get("noms_number") and await people_db.noms_taken(
        session, changes["noms_number"], other_than=person.crn
    ):
        raise _noms_conflict(changes["noms_number"])
    changed = False
    for field, value in changes.items():
        if getattr(person, field) != value:
            setattr(person, field, value)
            changed = True
    if changed:
        await publish.personal_details_updated(session, person)
    return person


async def _end_current_main(
    session: AsyncSession, person: Person, new_start: date, except_id: int | None = None
) -> None:
    for other in await people_db.addresses(session, person.crn):
        if other.status == "MAIN" and other.id != except_id:
            other.status = "PREVIOUS"
            other.end_date = other.end_date or new_start
            other.updated_at = clock.now()
            await session.flush()
            await publish.address_changed(session, person, other.id, "updated")


async def _current_main(session: AsyncSession, person: Person, except_id: int | None = None) -> Address | None:
    mains = [a for a in await people_db.addresses(session, person.crn) if a.status == "MAIN" and a.id != except_id]
    return mains[0] if mains else None


async def add_address(session: AsyncSession, person: Person, fields: dict[str, Any]) -> Address:
    if fields.get("end_date") and fields["end_date"] < fields["start_date"]:
        raise _bad_dates()
    if fields["status"] == "MAIN":
        current = await _current_main(session, person)
        placed = place_main(fields["start_date"], fields.get("end_date"), current.start_date if current else None)
        if placed == PREVIOUS:
            fields = {**fields, "status": "PREVIOUS"}
        elif not fields.get("end_date"):
            await _end_current_main(session, person, fields["start_date"])
    address = Address(crn=person.crn, deleted=False, updated_at=clock.now(), **fields)
    session.add(address)
    await session.flush()
    await publish.address_changed(session, person, address.id, "created")
    return address


async def update_address(session: AsyncSession, person: Person, address: Address, changes: dict[str, Any]) -> Address:
    start = changes.get("start_date", address.start_date)
    end = changes.get("end_date", address.end_date)
    if end and end < start:
        raise _bad_dates()
    if changes.get("status") == "MAIN" and address.status != "MAIN":
        current = await _current_main(session, person, except_id=address.id)
        if place_main(start, end, current.start_date if current else None) == PREVIOUS:
            changes = {**changes, "status": "PREVIOUS"}
        else:
            await _end_current_main(session, person, start, except_id=address.id)
    for field, value in changes.items():
        setattr(address, field, value)
    if address.end_date and address.end_date <= clock.today() and address.status == "MAIN":
        address.status = "PREVIOUS"
    address.updated_at = clock.now()
    await publish.address_changed(session, person, address.id, "updated")
    return address


async def delete_address(session: AsyncSession, person: Person, address: Address) -> None:
    address.deleted = True
    address.updated_at = clock.now()
    await publish.address_changed(session, person, address.id, "deleted")


def _bad_dates() -> DomainError:
    return DomainError(
        "invalid-dates",
        "The end date is before the start date.",
        [FieldError("end_date", "must not be before start_date")],
        status=422,
    )


async def add_limit(
    session: AsyncSession,
    person: Person,
    *,
    kind: Literal["RESTRICTION", "EXCLUSION"],
    staff_code: str,
    reason: str | None,
) -> LimitedAccess:
    row = LimitedAccess(crn=person.crn, kind=kind, staff_code=staff_code, reason=reason, created_at=clock.now())
    session.add(row)
    person.limited_access = True
    await session.flush()
    await publish.limited_access_changed(
        session, person, limit_id=row.id, kind=kind, staff_code=staff_code, change="added"
    )
    return row


async def remove_limit(session: AsyncSession, person: Person, row: LimitedAccess) -> None:
    limit_id, kind, staff_code = row.id, row.kind, row.staff_code
    await session.delete(row)
    await session.flush()
    person.limited_access = bool(await people_db.limits(session, person.crn))
    await publish.limited_access_changed(
        session, person, limit_id=limit_id, kind=kind, staff_code=staff_code, change="removed"
    )


# CRNs are drawn CRN_BATCH at a time and checked unused in one query; registrations then take one each, so
# the uniqueness check costs a round trip per CRN_BATCH registrations, not per registration. Pools are per
# database (engine). As before, the primary key refuses a CRN another process took after the check.
CRN_BATCH = 32
_crn_pools: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


async def _unused_crn(session: AsyncSession, attempts: int = 20) -> str:
    bind = getattr(session, "bind", None)
    pool = _crn_pools.setdefault(bind, []) if bind is not None else []
    for _ in range(attempts):
        if pool:
            return pool.pop()
        candidates = list(dict.fromkeys(random_crn() for _ in range(CRN_BATCH)))
        taken = await people_db.crns_in_use(session, candidates)
        pool.extend(crn for crn in reversed(candidates) if crn not in taken)
    raise CrnSpaceExhausted("no unused CRN found")
