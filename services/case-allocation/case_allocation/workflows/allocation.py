"""Allocation: recommendations by grade, capacity and continuity; allocate and transfer within a PDU."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError, FieldError
from probation_shared.limited_access import VISIBLE, access_verdict

from ..db import cases as cases_db
from ..db import org as org_db
from ..db import people as people_db
from ..db.models import Allocation, Case, Person, Staff, Team
from ..domain.workload import (
    ACTIVE_RISK_CASE_LIMIT,
    available_points,
    capacity_percent,
    over_case_limit,
    suitable_grades,
)
from ..events import publish


class OverCaseLimit(DomainError):
    """409 over-case-limit; the edge adds `activeRiskCases` to the problem body."""

    def __init__(self, staff_code: str, active_risk_cases: int) -> None:
        super().__init__(
            "over-case-limit",
            f"{staff_code} already holds {active_risk_cases} cases needing active risk management (limit "
            f"{ACTIVE_RISK_CASE_LIMIT}); "
            "give an override_reason to allocate anyway.",
            status=409,
        )
        self.active_risk_cases = active_risk_cases


@dataclass(frozen=True)
class Workload:
    staff: Staff
    team: Team
    points: int
    cases: int
    active_risk_cases: int
    available: Decimal
    capacity: Decimal | None


async def workloads(session: AsyncSession, pairs: list[tuple[Staff, Team]], on: date) -> list[Workload]:
    codes = [s.code for s, _ in pairs]
    totals = await cases_db.workload(session, codes)
    reductions = await org_db.active_reduction_hours(session, codes, on)
    out = []
    for staff, team in pairs:
        points, count, active = totals.get(staff.code, (0, 0, 0))
        available = available_points(staff.contracted_hours, reductions.get(staff.code, ()))
        out.append(Workload(staff, team, points, count, active, available, capacity_percent(points, available)))
    return out


@dataclass(frozen=True)
class Recommendation:
    workload: Workload
    projected: Decimal | None
    previous_practitioner: bool
    over_case_limit: bool


async def permitted_staff(session: AsyncSession, person: Person):
    """A test for staff codes: may this member of staff hold the person's case? Everyone may, unless the
    person is on a restriction (then only the staff named on it) or excludes them."""
    if not person.limited_access:
        return lambda code: True
    limits = await people_db.limits(session, person.crn)
    return lambda code: access_verdict(code, False, limits) == VISIBLE


async def recommend(
    session: AsyncSession, person: Person, case: Case, on: date
) -> tuple[tuple[str, ...], list[Recommendation]]:
    """Practitioners of the PDU of a suitable grade, best first; for a limited-access person only those
    permitted to hold the case."""
    grades = suitable_grades(await cases_db.active_register_codes(session, case.crn))
    permitted = await permitted_staff(session, person)
    pairs = [
        (s, t) for s, t in await org_db.staff_in_pdu(session, case.pdu_code) if s.grade in grades and permitted(s.code)
    ]
    previous = await cases_db.previous_practitioners(session, case.crn)
    recommendations = []
    for w in await workloads(session, pairs, on):
        holds_it = case.staff_code == w.staff.code and case.status == "ALLOCATED"
        projected = w.capacity if holds_it else capacity_percent(w.points + case.points, w.available)
        recommendations.append(
            Recommendation(
                w,
                projected,
                w.staff.code in previous,
                not holds_it and over_case_limit(w.active_risk_cases, not case.upw_only),
            )
        )
    recommendations.sort(
        key=lambda r: (
            not r.previous_practitioner,
            r.over_case_limit,
            r.workload.capacity is None,
            r.workload.capacity or 0,
            r.workload.staff.code,
        )
    )
    return grades, recommendations


async def allocate(
    session: AsyncSession,
    person: Person,
    case: Case,
    *,
    staff_code: str,
    reason: str | None,
    override_reason: str | None,
    actor: str,
    on: date,
) -> Allocation:
    if case.status == "CLOSED":
        raise DomainError("case-closed", "The case is closed.", status=409)
    found = await org_db.staff_with_team(session, staff_code)
    if found is None:
        raise DomainError(
            "unknown-practitioner",
            f"There is no practitioner {staff_code}.",
            [FieldError("staff_code", "unknown staff code")],
            status=422,
        )
    staff, team = found
    if not (await permitted_staff(session, person))(staff_code):
        raise DomainError(
            "limited-access",
            f"{staff_code} may not hold this case: the person's limited access names who may.",
            [FieldError("staff_code", "not permitted by the person's limited access")],
            status=422,
        )
    if team.pdu_code != case.pdu_code:
        raise DomainError(
            "practitioner-in-another-pdu", f"{staff_code} works in {team.pdu_code}, not {case.pdu_code}.", status=409
        )
    if not staff.active:
        raise DomainError("practitioner-inactive", f"{staff_code} is not active.", status=409)
    grades = suitable_grades(await cases_db.active_register_codes(session, case.crn))
    if staff.grade not in grades:
        raise DomainError(
            "grade-unsuitable",
            f"This case needs a practitioner of grade {' or '.join(grades)}; {staff_code} is {staff.grade}.",
            status=409,
        )
    transfer = case.status == "ALLOCATED"
    if transfer and case.staff_code == staff_code:
        raise DomainError("already-allocated", f"The case is already allocated to {staff_code}.", status=409)
    if transfer and not reason:
        raise DomainError(
            "reason-required",
            "A reallocation needs a reason.",
            [FieldError("reason", "required to reallocate")],
            status=422,
        )
    (w,) = await workloads(session, [(staff, team)], on)
    if over_case_limit(w.active_risk_cases, not case.upw_only) and not override_reason:
        raise OverCaseLimit(staff_code, w.active_risk_cases)
    previous = case.staff_code
    case.staff_code, case.team_code, case.status, case.allocated_at = staff.code, team.code, "ALLOCATED", clock.now()
    allocation = Allocation(
        case_id=case.id,
        crn=case.crn,
        kind="TRANSFERRED" if transfer else "ALLOCATED",
        staff_code=staff.code,
        team_code=team.code,
        pdu_code=team.pdu_code,
        previous_staff_code=previous,
        reason=reason,
        override_reason=override_reason if over_case_limit(w.active_risk_cases, not case.upw_only) else None,
        allocated_by=actor,
        at=clock.now(),
    )
    session.add(allocation)
    await session.flush()
    await publish.manager_changed(
        session, person, staff_code=staff.code, team_code=team.code, pdu_code=team.pdu_code, transferred=transfer
    )
    return allocation
