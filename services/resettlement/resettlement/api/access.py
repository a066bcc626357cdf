"""Who may see whose resettlement records: the POM of the prison holding the person, their COM, a senior
probation officer of the release region, and the person themself (their own pack only). Anyone else — a
provider included — is told nothing exists (404)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.audit import record_access
from probation_shared.auth import Principal, Role
from probation_shared.errors import Problem, not_found

from ..db import queries
from ..db.models import PLATFORM, Prisoner

CRN_PATTERN = r"^[A-Z][0-9]{6}$"
STAFF = (Role.PRISON_OFFENDER_MANAGER, Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER)
READERS = (*STAFF, Role.PERSON_ON_PROBATION)
# Roles that may know a person is in custody at all; anyone else gets 404 for any person.
_KNOWS = frozenset(READERS)


async def prisoner_for(session: AsyncSession, principal: Principal, crn: str, *, person_may: bool = False) -> Prisoner:
    """The person's record if `principal` may work with it (403 for staff with no part in it, 404 otherwise)."""
    if not principal.roles & _KNOWS:
        raise not_found("person")
    prisoner = await queries.prisoner(session, crn)
    if principal.has(Role.PERSON_ON_PROBATION) and not principal.has(*STAFF):
        if not person_may or principal.crn != crn or prisoner is None:
            raise not_found("person")
        return prisoner
    if prisoner is None:
        raise not_found("person")
    if principal.has(Role.PRISON_OFFENDER_MANAGER) and principal.prison and principal.prison == prisoner.prison_code:
        return prisoner
    if principal.has(Role.PRACTITIONER) and principal.staff_code and principal.staff_code == prisoner.com_staff_code:
        return prisoner
    if principal.has(Role.SENIOR_PROBATION_OFFICER) and principal.region and principal.region == prisoner.region_code:
        return prisoner
    raise Problem(403, "forbidden", "You do not work with this person's resettlement.")


async def audit(session: AsyncSession, principal: Principal, crn: str, action: str, resource: str) -> None:
    await record_access(session, PLATFORM.audit_log, principal, crn=crn, action=action, resource=resource)
