"""Court events, sentences and requirements; each new sentence opens an unallocated case."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError, FieldError

from ..db import cases as cases_db
from ..db import org as org_db
from ..db import people as people_db
from ..db import sentences as sentences_db
from ..db.models import Case, Conviction, HandoverState, Offence, Person, Requirement, Sentence
from ..domain import omic
from ..domain.calendar import allocation_due_date
from ..domain.sentences import (
    PROGRESS_UNITS,
    REQUIREMENT_UNITS,
    SentenceFacts,
    case_type,
    check_progress,
    is_custodial,
    mandate_for_change,
    progress_total,
    upw_only,
)
from ..domain.sentencing import CUSTODY_DATES
from ..domain.workload import case_points
from ..events import publish


async def person_mandate_for_change(session: AsyncSession, crn: str) -> bool:
    sentences = await sentences_db.of_person(session, crn)
    requirements = await sentences_db.requirements_of(session, [s.id for s in sentences])
    facts = [
        SentenceFacts(
            s.sentence_type,
            s.status == "ACTIVE",
            tuple(r.requirement_type for r in requirements if r.sentence_id == s.id and r.status == "ACTIVE"),
        )
        for s in sentences
    ]
    return mandate_for_change(facts)


async def _publish_sentence(session: AsyncSession, person: Person, sentence: Sentence, change: str) -> None:
    await publish.sentence_changed(
        session,
        person,
        sentence_id=sentence.id,
        sentence_type=sentence.sentence_type,
        custodial=is_custodial(sentence.sentence_type),
        mandate_for_change=await person_mandate_for_change(session, person.crn),
        change=change,
    )


async def create_sentence(session: AsyncSession, person: Person, data: dict[str, Any], today: date) -> Sentence:
    if await org_db.get_pdu(session, data["pdu_code"]) is None:
        raise DomainError(
            "unknown-pdu", f"There is no PDU {data['pdu_code']}.", [FieldError("pdu_code", "unknown PDU")], status=422
        )
    custodial = is_custodial(data["sentence_type"])
    if custodial and data.get("requirements"):
        raise DomainError(
            "requirements-not-allowed",
            "A custodial sentence has licence conditions, not requirements.",
            [FieldError("requirements", "not allowed on a custodial sentence")],
            status=422,
        )
    conviction = Conviction(crn=person.crn, conviction_date=data["conviction_date"], court=data.get("court"))
    session.add(conviction)
    await session.flush()
    for i, offence in enumerate(data["offences"]):
        session.add(
            Offence(
                conviction_id=conviction.id,
                code=offence["code"],
                description=offence.get("description"),
                main=offence.get("main", i == 0),
            )
        )
    length = data["length"]
    sentence = Sentence(
        crn=person.crn,
        conviction_id=conviction.id,
        sentence_type=data["sentence_type"],
        length_value=length["value"],
        length_unit=length["unit"],
        sentence_date=data["sentence_date"],
        expected_end_date=data.get("expected_end_date")
        or omic.sentence_end(data["sentence_date"], length["value"], length["unit"]),
        status="ACTIVE",
        **{k: (data.get("custody") or {}).get(k) for k in CUSTODY_DATES},
    )
    session.add(sentence)
    await session.flush()
    requirements = []
    for r in data.get("requirements") or []:
        requirements.append(_new_requirement(sentence, r))
    session.add_all(requirements)
    await session.flush()

    kind = case_type(sentence.sentence_type, released=bool(sentence.released_on))
    session.add(
        Case(
            crn=person.crn,
            sentence_id=sentence.id,
            pdu_code=data["pdu_code"],
            case_type=kind,
            points=case_points(person.tier, kind),
            upw_only=upw_only(sentence.sentence_type, [r.requirement_type for r in requirements]),
            status="UNALLOCATED",
            sentence_date=sentence.sentence_date,
            due_date=allocation_due_date(sentence.sentence_date),
        )
    )
    await session.flush()
    await _publish_sentence(session, person, sentence, "created")
    mandate = await person_mandate_for_change(session, person.crn)
    for r in requirements:
        await publish.requirement_changed(
            session,
            person,
            sentence_id=sentence.id,
            requirement_id=r.id,
            requirement_type=r.requirement_type,
            mandate_for_change=mandate,
            change="created",
        )
    if custodial:
        await refresh_handover(session, person, today)
    return sentence


def _new_requirement(sentence: Sentence, r: dict[str, Any]) -> Requirement:
    return Requirement(
        sentence_id=sentence.id,
        requirement_type=r["requirement_type"],
        length=r["length"],
        unit=REQUIREMENT_UNITS[r["requirement_type"]],
        completed=0,
        start_date=r.get("start_date") or sentence.sentence_date,
        status="ACTIVE",
        monitoring=r.get("monitoring"),
    )


async def amend_sentence(
    session: AsyncSession, person: Person, sentence: Sentence, changes: dict[str, Any], today: date
) -> Sentence:
    if sentence.status != "ACTIVE":
        raise DomainError("sentence-terminated", "A terminated sentence cannot be amended.", status=409)
    if not is_custodial(sentence.sentence_type) and any(k in changes for k in CUSTODY_DATES):
        raise DomainError(
            "not-custodial",
            "Release dates belong to custodial sentences.",
            [FieldError(k, "custodial sentences only") for k in CUSTODY_DATES if k in changes],
            status=422,
        )
    for field, value in changes.items():
        setattr(sentence, field, value)
    case = await cases_db.for_sentence(session, sentence.id)
    if case is not None and case.status != "CLOSED":
        kind = case_type(sentence.sentence_type, released=bool(sentence.released_on))
        if kind != case.case_type:
            case.case_type = kind
            case.points = case_points(person.tier, kind)
    await session.flush()
    await _publish_sentence(session, person, sentence, "amended")
    if is_custodial(sentence.sentence_type):
        await refresh_handover(session, person, today)
    return sentence


async def terminate_sentence(
    session: AsyncSession, person: Person, sentence: Sentence, *, on: date, reason: str, today: date
) -> Sentence:
    if sentence.status != "ACTIVE":
        raise DomainError("sentence-terminated", "The sentence is already terminated.", status=409)
    if on < sentence.sentence_date:
        raise DomainError(
            "invalid-dates",
            "Termination cannot precede the sentence.",
            [FieldError("date", "before sentence date")],
            status=422,
        )
    sentence.status, sentence.terminated_on, sentence.termination_reason = "TERMINATED", on, reason
    ended = []
    for r in await sentences_db.requirements(session, sentence.id):
        if r.status == "ACTIVE":
            r.status, r.terminated_on, r.termination_reason = "TERMINATED", on, "Sentence terminated"
            ended.append(r)
    case = await cases_db.for_sentence(session, sentence.id)
    if case is not None and case.status != "CLOSED":
        case.status, case.closed_on = "CLOSED", on
    await session.flush()
    await _publish_sentence(session, person, sentence, "terminated")
    mandate = await person_mandate_for_change(session, person.crn)
    for r in ended:
        await publish.requirement_changed(
            session,
            person,
            sentence_id=sentence.id,
            requirement_id=r.id,
            requirement_type=r.requirement_type,
            mandate_for_change=mandate,
            change="terminated",
        )
    if is_custodial(sentence.sentence_type):
        await refresh_handover(session, person, today)
    return sentence


async def _refresh_upw_only(session: AsyncSession, sentence: Sentence) -> None:
    case = await cases_db.for_sentence(session, sentence.id)
    if case is not None:
        active = [
            r.requirement_type for r in await sentences_db.requirements(session, sentence.id) if r.status == "ACTIVE"
        ]
        case.upw_only = upw_only(sentence.sentence_type, active)


async def add_requirement(
    session: AsyncSession, person: Person, sentence: Sentence, data: dict[str, Any]
) -> Requirement:
    if sentence.status != "ACTIVE":
        raise DomainError("sentence-terminated", "Requirements cannot be added to a terminated sentence.", status=409)
    if is_custodial(sentence.sentence_type):
        raise DomainError(
            "custodial-sentence", "A custodial sentence has licence conditions, not requirements.", status=409
        )
    requirement = _new_requirement(sentence, data)
    session.add(requirement)
    await session.flush()
    await _refresh_upw_only(session, sentence)
    await publish.requirement_changed(
        session,
        person,
        sentence_id=sentence.id,
        requirement_id=requirement.id,
        requirement_type=requirement.requirement_type,
        mandate_for_change=await person_mandate_for_change(session, person.crn),
        change="created",
    )
    return requirement


async def record_progress(session: AsyncSession, requirement: Requirement, completed: int) -> Requirement:
    if requirement.status != "ACTIVE":
        raise DomainError("requirement-terminated", "The requirement is terminated.", status=409)
    check_progress(
        requirement.completed or 0,
        completed,
        progress_total(requirement.requirement_type, requirement.length, requirement.start_date),
        PROGRESS_UNITS[requirement.requirement_type],
    )
    requirement.completed = completed
    await session.flush()
    return requirement


async def terminate_requirement(
    session: AsyncSession, person: Person, sentence: Sentence, requirement: Requirement, *, on: date, reason: str
) -> Requirement:
    if requirement.status != "ACTIVE":
        raise DomainError("requirement-terminated", "The requirement is already terminated.", status=409)
    requirement.status, requirement.terminated_on, requirement.termination_reason = "TERMINATED", on, reason
    await session.flush()
    await _refresh_upw_only(session, sentence)
    await publish.requirement_changed(
        session,
        person,
        sentence_id=sentence.id,
        requirement_id=requirement.id,
        requirement_type=requirement.requirement_type,
        mandate_for_change=await person_mandate_for_change(session, person.crn),
        change="terminated",
    )
    return requirement


# --- OMiC --------------------------------------------------------------------------------------


async def refresh_handover(session: AsyncSession, person: Person, today: date) -> HandoverState | None:
    """Recompute who is responsible for the person's current custodial sentence; publish when it changes."""
    current = next(
        (
            s
            for s in await sentences_db.of_person(session, person.crn)
            if s.status == "ACTIVE" and is_custodial(s.sentence_type)
        ),
        None,
    )
    state = await sentences_db.handover(session, person.crn)
    if current is None:
        if state is not None:
            await session.delete(state)
        return None
    if current.released_on and current.released_on <= today:
        verdict = omic.Handover("COM", state.handover_date if state else current.released_on)
    elif state is not None and state.sentence_id == current.id and state.responsible == "COM":
        # Handover is one way: once the COM holds the sentence, a later amendment (a release date moved
        # out, say) does not hand it back to the prison.
        verdict = omic.Handover("COM", state.handover_date)
    else:
        release = omic.release_date({k: getattr(current, k) for k in omic.RELEASE_DATE_PRECEDENCE})
        verdict = omic.responsibility(
            start=current.sentence_date,
            length_value=current.length_value,
            length_unit=current.length_unit,
            release=release,
            on=today,
        )
    if state is None:
        state = HandoverState(
            crn=person.crn,
            sentence_id=current.id,
            responsible=verdict.responsible,
            handover_date=verdict.handover_date,
            updated_at=clock.now(),
        )
        session.add(state)
        await session.flush()
    elif (state.sentence_id, state.responsible, state.handover_date) != (
        current.id,
        verdict.responsible,
        verdict.handover_date,
    ):
        state.sentence_id, state.responsible, state.handover_date = (
            current.id,
            verdict.responsible,
            verdict.handover_date,
        )
        state.updated_at = clock.now()
    else:
        return state
    await publish.handover_changed(session, person, responsible=state.responsible, handover=state.handover_date)
    return state


async def run_handover_job(session: AsyncSession, on: date, today: date | None = None) -> list[str]:
    """The daily job: every POM-held case whose handover date has come passes to the COM. Returns the CRNs
    moved. A day after `today` is refused: running ahead would hand cases over early, for good."""
    if on > (today or clock.today()):
        raise DomainError(
            "future-date",
            f"The handover job runs for today or a past day, not {on.isoformat()}.",
            [FieldError("on", "must not be after today")],
            status=422,
        )
    moved = []
    for state in await sentences_db.handovers_due(session, on):
        person = await people_db.get(session, state.crn)
        assert person is not None  # handover.crn is a foreign key to person
        state.responsible = "COM"
        state.updated_at = clock.now()
        await publish.handover_changed(session, person, responsible="COM", handover=state.handover_date)
        moved.append(state.crn)
    return moved
