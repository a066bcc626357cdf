"""Who may call what, and the audience a caller belongs to."""

from __future__ import annotations

import enum

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.audit import record_access
from probation_shared.auth import Principal, Role
from probation_shared.errors import not_found

from ..db import queries
from ..db.models import PLATFORM, PersonRecord

STAFF = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.PRISON_OFFENDER_MANAGER)
WRITE = STAFF
READ_FULL = (*STAFF, Role.SERVICE, Role.AUDITOR)
READ_SUMMARY = (*READ_FULL, Role.PROVIDER_CASEWORKER, Role.POLICE_PARTNER)
CALCULATE = (*STAFF, Role.SERVICE)

CRN_PATTERN = r"^[A-Z][0-9]{6}$"


class Audience(str, enum.Enum):
    FULL = "full"
    PROVIDER = "provider"
    POLICE = "police"


def audience_of(principal: Principal) -> Audience:
    """The most permissive view the caller's roles give."""
    if principal.has(*READ_FULL):
        return Audience.FULL
    if principal.has(Role.POLICE_PARTNER):
        return Audience.POLICE
    return Audience.PROVIDER


async def person_or_404(session: AsyncSession, crn: str) -> PersonRecord:
    person = await queries.get_person(session, crn)
    if person is None:
        raise not_found("person")
    return person


async def check_audience(session: AsyncSession, principal: Principal, audience: Audience, crn: str) -> None:
    """Providers need an active referral, police an IOM or MAPPA case; otherwise 404, so people cannot be probed."""
    if audience is Audience.PROVIDER and principal.is_provider and not principal.has(*READ_FULL, Role.POLICE_PARTNER):
        if not principal.provider_id or not await queries.has_active_referral(session, crn, principal.provider_id):
            raise not_found("person")
    if audience is Audience.POLICE and not principal.has(*READ_FULL):
        codes = {r.type_code for r in await queries.active_registrations(session, crn)}
        if not codes & {"IIOM", "MAPP"}:
            raise not_found("person")


async def audit(session: AsyncSession, principal: Principal, crn: str, action: str, resource: str) -> None:
    await record_access(session, PLATFORM.audit_log, principal, crn=crn, action=action, resource=resource)
