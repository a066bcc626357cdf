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
from ..domain.recommend import Candidate, rank, reasons
from ..domain.workload import (
    ACTIVE_RISK_CASE_LIMIT,
    HeldCase,
    available_points,
    capacity_percent,
    caseload,
    court_report_points,
    over_case_limit,
    po_required_because,
    suitable_grades,
)
from ..events import publish


class OverCaseLimit(DomainError):
    """409 over-case-limit; the edge adds `activeRiskCases` to the problem body."""

    def __init__(self, staff_code: str, active_risk_cases: int) -> None:
        super().__init__(
            "over-case-limit",
            f"{staff_code} already holds {active_risk_cases} people needing active risk management "
            f"(limit {ACTIVE_RISK_CASE_LIMIT}); give an override_reason to allocate anyway.",
            status=409,
        )
        self.active_risk_cases = active_risk_cases


@dataclass(frozen=True)
class Workload:
    staff: Staff
    team: Team
    points: int  # case points (per person) + court report points
    cases: int  # people held
    active_risk_cases: int  # people held who need active risk management
    available: Decimal
    capacity: Decimal | None
    held: tuple[HeldCase, ...] = ()
    court_report_points: int = 0
    reduction_hours: Decimal = Decimal(0)

    def with_case(self, case: HeldCase) -> tuple[Decimal | None, int]:
        """Projected capacity and active-risk people if this practitioner also took `case`."""
        after = caseload((*self.held, case))
        return capacity_percent(after.points + self.court_report_points, self.available), after.active_risk_people


async def workloads(session: AsyncSession, pairs: list[tuple[Staff, Team]], on: date) -> list[Workload]:
    codes = [s.code for s, _ in pairs]
    held = await cases_db.held_cases(session, codes)
    reports = await cases_db.open_court_reports(session, codes)
    reductions = await org_db.active_reduction_hours(session, codes, on)
    out = []
    for staff, team in pairs:
        mine = tuple(held.get(staff.code, ()))
        load = caseload(mine)
        report_points = court_report_points(reports.get(staff.code, ()))
        points = load.points + report_points
        cut = reductions.get(staff.code, ())
        available = available_points(staff.contracted_hours, cut)
        out.append(
            Workload(
                staff,
                team,
                points,
                load.people,
                load.active_risk_people,
                available,
                capacity_percent(points, available),
                mine,
                report_points,
                sum((Decimal(str(h)) for h in cut), Decimal(0)),
            )
        )
    return out


@dataclass(frozen=True)
class Recommendation:
    workload: Workload
    candidate: Candidate
    reasons: list[str]

    @property
    def projected(self) -> Decimal | None:
        return self.candidate.projected

    @property
    def previous_practitioner(self) -> bool:
        return self.candidate.continuity

    @property
    def over_case_limit(self) -> bool:
        return self.candidate.over_case_limit


async def permitted_staff(session: AsyncSession, person: Person):
    """A test for staff codes: may this member of staff hold the person's case? Everyone may, unless the
    person is on a restriction (then only the staff named on it) or excludes them."""
    if not person.limited_access:
        return lambda code: True
    limits = await people_db.limits(session, person.crn)
    return lambda code: access_verdict(code, False, limits) == VISIBLE


def _would_exceed(w: Workload, case: Case) -> bool:
    """Over the cap only if taking the case adds a person needing active risk management."""
    _, after = w.with_case(HeldCase(case.crn, case.points, case.upw_only))
    return after > w.active_risk_cases and over_case_limit(w.active_risk_cases, True)


async def recommend(
    session: AsyncSession, person: Person, case: Case, on: date
) -> tuple[tuple[str, ...], list[Recommendation]]:
    """Practitioners of the PDU of a suitable grade, best first (docs/domain.md, "Allocation and caseload"), each
    with the reasons for their place; for a limited-access person only those permitted to hold the case."""
    codes = await cases_db.active_register_codes(session, case.crn)
    grades = suitable_grades(codes)
    po_required = po_required_because(codes)
    permitted = await permitted_staff(session, person)
    pairs = [
        (s, t) for s, t in await org_db.staff_in_pdu(session, case.pdu_code) if s.grade in grades and permitted(s.code)
    ]
    last = await cases_db.last_holder(session, case.crn, case.id)
    recommendations = []
    for w in await workloads(session, pairs, on):
        holds_it = case.staff_code == w.staff.code and case.status == "ALLOCATED"
        projected = w.capacity if holds_it else w.with_case(HeldCase(case.crn, case.points, case.upw_only))[0]
        candidate = Candidate(
            staff_code=w.staff.code,
            grade=w.staff.grade,
            capacity=w.capacity,
            projected=projected,
            over_case_limit=not holds_it and _would_exceed(w, case),
            continuity=w.staff.code == last,
            current_holder=holds_it,
        )
        recommendations.append(Recommendation(w, candidate, reasons(candidate, person.tier, po_required)))
    order = {c.staff_code: i for i, c in enumerate(rank([r.candidate for r in recommendations], person.tier))}
    recommendations.sort(key=lambda r: order[r.candidate.staff_code])
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
    # One responsible manager per person: the person's other open cases go to the same practitioner, so a
    # transfer is any move of a case someone else holds (docs/domain.md, "Allocation and caseload").
    if case.status == "ALLOCATED" and case.staff_code == staff_code:
        raise DomainError("already-allocated", f"The case is already allocated to {staff_code}.", status=409)
    moving = [c for c in await cases_db.open_cases_of(session, case.crn) if c.id != case.id]
    moving = [case, *(c for c in moving if c.staff_code != staff_code or c.status != "ALLOCATED")]
    transfer = any(c.status == "ALLOCATED" for c in moving)
    if transfer and not reason:
        raise DomainError(
            "reason-required",
            "A reallocation needs a reason.",
            [FieldError("reason", "required to reallocate")],
            status=422,
        )
    (w,) = await workloads(session, [(staff, team)], on)
    over = _would_exceed(w, case)
    if over and not override_reason:
        raise OverCaseLimit(staff_code, w.active_risk_cases)
    allocations = []
    for c in moving:
        moved = c.status == "ALLOCATED"
        previous = c.staff_code if moved else None
        c.staff_code, c.team_code, c.status, c.allocated_at = staff.code, team.code, "ALLOCATED", clock.now()
        c.pdu_code = team.pdu_code
        allocation = Allocation(
            case_id=c.id,
            crn=c.crn,
            kind="TRANSFERRED" if moved else "ALLOCATED",
            staff_code=staff.code,
            team_code=team.code,
            pdu_code=team.pdu_code,
            previous_staff_code=previous,
            reason=reason if c is case else (reason or f"With case {case.id}: one manager per person"),
            override_reason=override_reason if over and c is case else None,
            allocated_by=actor,
            at=clock.now(),
        )
        cases_db.add_allocation(session, allocation)
        allocations.append(allocation)
    await session.flush()
    await publish.manager_changed(
        session, person, staff_code=staff.code, team_code=team.code, pdu_code=team.pdu_code, transferred=transfer
    )
    return allocations[0]
