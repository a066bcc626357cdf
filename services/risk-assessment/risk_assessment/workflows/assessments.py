"""Assessments: draft → complete (locked); a later change starts a new version."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError, ErrorCollector

from ..db import queries
from ..db.models import Assessment, AssessmentRevision, PersonRecord
from ..domain import needs
from ..events import publish
from . import rosh as rosh_workflow
from . import tiers


async def _revise(session: AsyncSession, assessment: Assessment, subject: str, now: datetime) -> None:
    session.add(
        AssessmentRevision(
            assessment_id=assessment.id,
            revision=await queries.next_revision(session, assessment.id),
            status=assessment.status,
            sections=copy.deepcopy(assessment.sections),
            saved_by=subject,
            saved_at=now,
        )
    )


async def start(session: AsyncSession, person: PersonRecord, subject: str) -> Assessment:
    if await queries.open_draft(session, person.crn) is not None:
        raise DomainError(
            "draft-exists", f"{person.crn} already has a draft assessment; update or complete it.", status=409
        )
    previous = await queries.latest_complete_assessment(session, person.crn)
    now = clock.now()
    assessment = Assessment(
        id=str(uuid.uuid4()),
        crn=person.crn,
        version=await queries.latest_version(session, person.crn) + 1,
        status="DRAFT",
        sections=copy.deepcopy(previous.sections) if previous else {},
        created_by=subject,
        created_at=now,
        updated_at=now,
    )
    session.add(assessment)
    await session.flush()
    await _revise(session, assessment, subject, now)
    return assessment


def validate_sections(sections: dict[str, dict]) -> None:
    errors = ErrorCollector()
    for code, part in sections.items():
        needs.validate_answers(code, part.get("answers") or {}, f"sections.{code}", errors)
    errors.raise_if_any("invalid-answers", "Invalid assessment answers")


async def update(session: AsyncSession, assessment: Assessment, sections: dict[str, dict], subject: str) -> Assessment:
    if assessment.status != "DRAFT":
        raise DomainError(
            "assessment-locked", "A completed assessment is locked; start a new version to change it.", status=409
        )
    validate_sections(sections)
    merged = copy.deepcopy(assessment.sections)
    for code, part in sections.items():
        current = merged.setdefault(code, {"answers": {}, "linkedToHarm": False, "linkedToReoffending": False})
        current["answers"].update(part.get("answers") or {})
        for flag in ("linkedToHarm", "linkedToReoffending"):
            if part.get(flag) is not None:
                current[flag] = bool(part[flag])
    assessment.sections = merged
    assessment.updated_at = clock.now()
    await _revise(session, assessment, subject, assessment.updated_at)
    return assessment


def results(sections: dict) -> list[needs.SectionResult]:
    out = []
    for section in needs.SECTIONS:
        part = sections.get(section.code, {})
        out.append(
            needs.score_section(
                section,
                part.get("answers", {}),
                part.get("linkedToHarm", False),
                part.get("linkedToReoffending", False),
            )
        )
    return out


async def complete(
    session: AsyncSession, assessment: Assessment, person: PersonRecord, subject: str, rosh_input: dict | None
) -> Assessment:
    if assessment.status != "DRAFT":
        raise DomainError("assessment-locked", "This assessment is already complete.", status=409)
    errors = ErrorCollector()
    for section in needs.SCORED_SECTIONS:
        answers = assessment.sections.get(section.code, {}).get("answers", {})
        for question in section.questions:
            if question.id not in answers:
                errors.add(
                    f"sections.{section.code}.answers.{question.id}",
                    "An answer is required to complete the assessment.",
                    "missing-answer",
                )
    errors.raise_if_any("assessment-incomplete", "Every question of the scored sections needs an answer")
    now = clock.now()
    assessment.status = "COMPLETE"
    assessment.completed_at = assessment.updated_at = now
    assessment.completed_by = subject
    await _revise(session, assessment, subject, now)
    await publish.assessment_summary_produced(session, assessment)
    if rosh_input is not None:
        await rosh_workflow.new_version(
            session, person, rosh_input, subject, source="ASSESSMENT", assessment_id=assessment.id, recalculate=False
        )
    await tiers.recalculate(session, person, "assessment.completed")
    return assessment


__all__ = ["start", "update", "complete", "results", "DomainError"]
