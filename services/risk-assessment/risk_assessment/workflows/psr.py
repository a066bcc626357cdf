"""Pre-sentence report proposals from the person's current risk and needs, and overrides."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError

from ..db import queries
from ..db.models import PersonRecord, PsrProposal
from ..domain import needs, ogrs3, psr
from ..domain.rosh import RiskLevel


async def propose(
    session: AsyncSession, person: PersonRecord, offence_code: str, offence_description: str, author: str
) -> PsrProposal:
    match = ogrs3.OFFENCE_CODE.match(offence_code.strip())
    if not match or (int(match.group(1)), int(match.group(2))) not in ogrs3.offence_weights():
        raise DomainError.on(
            "offenceCode",
            "unknown-offence-code",
            f"{offence_code!r} is not a known Home Office offence code like 027/00.",
        )
    assessment = await queries.latest_complete_assessment(session, person.crn)
    severities: dict[str, needs.Severity] = {}
    psychological = False
    if assessment is not None:
        answers = {code: part.get("answers", {}) for code, part in assessment.sections.items()}
        for section in needs.SCORED_SECTIONS:
            severities[section.code] = (
                needs.score_section(section, answers.get(section.code, {})).severity or needs.Severity.NO_NEED
            )
        psychological = answers.get("EMOTIONAL_WELLBEING", {}).get("10.2") == "SIGNIFICANT"
    rosh = await queries.latest_rosh(session, person.crn)
    ogrs = await queries.latest_score(session, person.crn, "OGRS3")
    inputs = psr.PsrInputs(
        offence_code=offence_code,
        offence_description=offence_description,
        needs=severities if assessment is not None else None,
        rosh=RiskLevel(rosh.overall) if rosh else None,
        ogrs_band=ogrs.band if ogrs else None,
        psychological_problems=psychological,
    )
    options = psr.propose(inputs)
    proposal = PsrProposal(
        id=str(uuid.uuid4()),
        crn=person.crn,
        offence_code=offence_code,
        offence_description=offence_description,
        inputs={
            "assessmentId": assessment.id if assessment else None,
            "needs": {k: v.value for k, v in severities.items()},
            "rosh": inputs.rosh.value if inputs.rosh else None,
            "ogrs3Band": inputs.ogrs_band,
            "psychologicalProblems": psychological,
        },
        options=[o.to_json() for o in options],
        override=None,
        created_by=author,
        created_at=clock.now(),
    )
    session.add(proposal)
    return proposal


def record_override(
    proposal: PsrProposal, sentence_type: str, requirements: list[str], reason: str, author: str
) -> None:
    psr.check_override(sentence_type, requirements)  # DomainError → 422 naming `requirements`
    proposal.override = {
        "sentenceType": sentence_type,
        "requirements": requirements,
        "reason": reason,
        "by": author,
        "at": clock.now().isoformat(),
    }
