"""Who may see a person: limited access (exclusion → 403, restriction → 404), IOM/MAPPA scope for police."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.audit import access_reason, record_access
from probation_shared.auth import PROBATION_STAFF, CurrentPrincipal, Principal, Role
from probation_shared.db import SAFE_METHODS, Session
from probation_shared.errors import Problem, not_found
from probation_shared.limited_access import EXCLUDED, HIDDEN, access_verdict

from ..db import cases as cases_db
from ..db import people as people_db
from ..db.models import PLATFORM, Person
from ..domain.identifiers import CRN_PATTERN

CrnPath = Path(pattern=CRN_PATTERN.pattern, description="Case reference number, e.g. X123456")

CAN_WRITE = (Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.SERVICE)
CAN_READ = (*sorted(PROBATION_STAFF), Role.SERVICE, Role.POLICE_PARTNER, Role.AUDITOR)
POLICE_SCOPE = frozenset({"IIOM", "MAPP"})


def police_only(principal: Principal) -> bool:
    return Role.POLICE_PARTNER in principal.roles and not (
        principal.roles & (PROBATION_STAFF | {Role.SERVICE, Role.AUDITOR})
    )


async def person_for(session: AsyncSession, principal: Principal, crn: str) -> Person:
    """The person, if this caller may see them: 404 when absent or restricted away, 403 when excluded."""
    person = await people_db.get(session, crn)
    if person is None:
        raise not_found("person")
    await check_access(session, principal, person)
    return person


async def check_access(session: AsyncSession, principal: Principal, person: Person) -> None:
    crn = person.crn
    if person.limited_access:
        verdict = access_verdict(
            principal.staff_code, Role.SERVICE in principal.roles, await people_db.limits(session, crn)
        )
        if verdict == HIDDEN:
            raise not_found("person")
        if verdict == EXCLUDED:
            raise Problem(403, "excluded", "You are excluded from this person's record.")
    if police_only(principal) and not (await cases_db.active_register_codes(session, crn)) & POLICE_SCOPE:
        raise not_found("person")  # police partners see IOM and MAPPA cases only


async def audit_read(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    crn: str | None,
    action: str = "read",
    *,
    crns: Iterable[str] | None = None,
) -> None:
    """One audit row for `crn`, or one per person in `crns` (a list shown); the reason is the bounded
    `X-Access-Reason` header (400 when it is too long or not printable)."""
    await record_access(
        session,
        PLATFORM.audit_log,
        principal,
        crn=crn,
        crns=crns,
        action=action,
        resource=request.url.path,
        reason=access_reason(request),
    )


async def _audit_change(request: Request, session: Session, principal: CurrentPrincipal) -> None:
    # A change answers with the changed record: written like a read, as action "write" (rolled back with
    # the change when the request fails, as nothing was shown).
    crn = request.path_params.get("crn")
    if request.method not in SAFE_METHODS and crn:
        await audit_read(session, request, principal, crn, action="write")


AuditChanges = Depends(_audit_change)
