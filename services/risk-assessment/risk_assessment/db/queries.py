"""Queries over risk-assessment's tables (the only module that builds SQL)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import (
    Assessment,
    AssessmentRevision,
    Base,
    PersonRecord,
    PsrProposal,
    Referral,
    Registration,
    RoshVersion,
    RoshVictim,
    Score,
    Sentence,
    TierCalculation,
)


def _table(model: type[Base]) -> Table:
    """A model's table, for Core bulk inserts (SQLAlchemy types `__table__` as any FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def get_person(session: AsyncSession, crn: str) -> PersonRecord | None:
    return await session.get(PersonRecord, crn)


async def ensure_person(
    session: AsyncSession, crn: str, registered_at: datetime, noms_number: str | None = None
) -> PersonRecord:
    return (await ensure_people(session, [(crn, registered_at, noms_number)]))[crn]


async def ensure_people(
    session: AsyncSession, sightings: Sequence[tuple[str, datetime, str | None]]
) -> dict[str, PersonRecord]:
    """The record of each (crn, registered_at, noms_number) seen, in order: created at its first
    sighting if unknown (one insert for all), its NOMS number kept up to date."""
    people = await people_by_crn(session, {crn for crn, _, _ in sightings})
    missing: dict[str, dict] = {}
    for crn, registered_at, noms_number in sightings:
        record = people.get(crn)
        if record is not None:
            if noms_number and record.noms_number != noms_number:
                record.noms_number = noms_number
        elif crn in missing:
            if noms_number:
                missing[crn]["noms_number"] = noms_number
        else:
            missing[crn] = dict(
                crn=crn,
                noms_number=noms_number,
                registered_at=registered_at,
                sex=None,
                date_of_birth=None,
                mandate_for_change=False,
                previous_enforcement=False,
                current_tier=None,
            )
    if missing:
        await session.execute(insert(_table(PersonRecord)), list(missing.values()))
        people.update(await people_by_crn(session, list(missing)))
    return people


async def people_by_crn(session: AsyncSession, crns: Collection[str]) -> dict[str, PersonRecord]:
    if not crns:
        return {}
    return {p.crn: p for p in (await session.scalars(select(PersonRecord).where(PersonRecord.crn.in_(crns)))).all()}


def _latest_of_each(model, partition_by, order_by, *criteria):
    """`select(model)` keeping, per partition, only the first row in `order_by` (one query for many people)."""
    ranked = (
        select(model.id.label("id"), func.row_number().over(partition_by=partition_by, order_by=order_by).label("rank"))
        .where(*criteria)
        .subquery()
    )
    return select(model).join(ranked, model.id == ranked.c.id).where(ranked.c.rank == 1)


# Registrations


async def get_registration(session: AsyncSession, registration_id: str) -> Registration | None:
    return await session.get(Registration, registration_id)


async def registrations_by_id(session: AsyncSession, registration_ids: Collection[str]) -> dict[str, Registration]:
    if not registration_ids:
        return {}
    found = await session.scalars(select(Registration).where(Registration.registration_id.in_(registration_ids)))
    return {r.registration_id: r for r in found.all()}


async def add_registrations(session: AsyncSession, rows: Sequence[dict]) -> None:
    """Store new registrations (column values of `Registration`) with one statement."""
    if rows:
        await session.execute(insert(_table(Registration)), list(rows))


async def active_registrations(session: AsyncSession, crn: str) -> Sequence[Registration]:
    return (await active_registrations_of(session, [crn])).get(crn, [])


async def active_registrations_of(session: AsyncSession, crns: Collection[str]) -> dict[str, list[Registration]]:
    """Each person's active registrations, oldest first."""
    result = await session.scalars(
        select(Registration)
        .where(Registration.crn.in_(crns), Registration.active.is_(True))
        .order_by(Registration.registered_at, Registration.registration_id)
    )
    by_crn: dict[str, list[Registration]] = {}
    for registration in result.all():
        by_crn.setdefault(registration.crn, []).append(registration)
    return by_crn


# Sentences


async def sentences_by_id(session: AsyncSession, sentence_ids: Collection[str]) -> dict[str, Sentence]:
    if not sentence_ids:
        return {}
    return {
        s.sentence_id: s
        for s in (await session.scalars(select(Sentence).where(Sentence.sentence_id.in_(sentence_ids)))).all()
    }


async def with_active_sentence(session: AsyncSession, crns: Collection[str]) -> set[str]:
    """Which of these people have at least one active sentence (an active event)."""
    if not crns:
        return set()
    return set(
        (
            await session.scalars(
                select(Sentence.crn).where(Sentence.crn.in_(crns), Sentence.active.is_(True)).distinct()
            )
        ).all()
    )


# Assessments


async def get_assessment(session: AsyncSession, assessment_id: str) -> Assessment | None:
    return await session.get(Assessment, assessment_id)


async def assessments_of(session: AsyncSession, crn: str) -> Sequence[Assessment]:
    return (await session.scalars(select(Assessment).where(Assessment.crn == crn).order_by(Assessment.version))).all()


async def latest_version(session: AsyncSession, crn: str) -> int:
    return (
        await session.scalar(select(func.coalesce(func.max(Assessment.version), 0)).where(Assessment.crn == crn)) or 0
    )


async def open_draft(session: AsyncSession, crn: str) -> Assessment | None:
    return await session.scalar(select(Assessment).where(Assessment.crn == crn, Assessment.status == "DRAFT"))


async def latest_complete_assessment(
    session: AsyncSession, crn: str, completed_since: datetime | None = None
) -> Assessment | None:
    query = select(Assessment).where(Assessment.crn == crn, Assessment.status == "COMPLETE")
    if completed_since is not None:
        query = query.where(Assessment.completed_at >= completed_since)
    return await session.scalar(query.order_by(Assessment.version.desc()).limit(1))


async def latest_complete_assessments(
    session: AsyncSession, crns: Collection[str], completed_since: datetime
) -> dict[str, Assessment]:
    """Per person, the latest complete assessment completed since `completed_since`."""
    query = _latest_of_each(
        Assessment,
        Assessment.crn,
        Assessment.version.desc(),
        Assessment.crn.in_(crns),
        Assessment.status == "COMPLETE",
        Assessment.completed_at >= completed_since,
    )
    return {a.crn: a for a in (await session.scalars(query)).all()}


async def next_revision(session: AsyncSession, assessment_id: str) -> int:
    current = await session.scalar(
        select(func.max(AssessmentRevision.revision)).where(AssessmentRevision.assessment_id == assessment_id)
    )
    return (current or 0) + 1


async def revision_at(session: AsyncSession, assessment_id: str, at: datetime) -> AssessmentRevision | None:
    return await session.scalar(
        select(AssessmentRevision)
        .where(AssessmentRevision.assessment_id == assessment_id, AssessmentRevision.saved_at <= at)
        .order_by(AssessmentRevision.revision.desc())
        .limit(1)
    )


async def assessment_existing_at(session: AsyncSession, crn: str, at: datetime) -> Assessment | None:
    return await session.scalar(
        select(Assessment)
        .where(Assessment.crn == crn, Assessment.created_at <= at)
        .order_by(Assessment.version.desc())
        .limit(1)
    )


# RoSH


async def latest_rosh(session: AsyncSession, crn: str) -> RoshVersion | None:
    return await session.scalar(
        select(RoshVersion).where(RoshVersion.crn == crn).order_by(RoshVersion.version.desc()).limit(1)
    )


async def latest_rosh_of(session: AsyncSession, crns: Collection[str]) -> dict[str, RoshVersion]:
    query = _latest_of_each(RoshVersion, RoshVersion.crn, RoshVersion.version.desc(), RoshVersion.crn.in_(crns))
    return {r.crn: r for r in (await session.scalars(query)).all()}


async def rosh_history(session: AsyncSession, crn: str) -> Sequence[RoshVersion]:
    return (
        await session.scalars(select(RoshVersion).where(RoshVersion.crn == crn).order_by(RoshVersion.version))
    ).all()


async def victims_of(session: AsyncSession, rosh_version_id: str) -> Sequence[RoshVictim]:
    return (
        await session.scalars(
            select(RoshVictim).where(RoshVictim.rosh_version_id == rosh_version_id).order_by(RoshVictim.id)
        )
    ).all()


async def victims_ever(session: AsyncSession, crn: str) -> Sequence[RoshVictim]:
    """Every victim recorded on any RoSH version of the person: provider-bound text is checked against all."""
    query = (
        select(RoshVictim)
        .join(RoshVersion, RoshVersion.id == RoshVictim.rosh_version_id)
        .where(RoshVersion.crn == crn)
        .order_by(RoshVictim.id)
    )
    return (await session.scalars(query)).all()


# Scores


async def latest_score(session: AsyncSession, crn: str, kind: str) -> Score | None:
    return await session.scalar(
        select(Score)
        .where(Score.crn == crn, Score.kind == kind)
        .order_by(Score.recorded_at.desc(), Score.id.desc())
        .limit(1)
    )


async def latest_scores(
    session: AsyncSession, crns: Collection[str], kinds: Collection[str]
) -> dict[tuple[str, str], Score]:
    """Per (crn, kind), the latest recorded score."""
    query = _latest_of_each(
        Score,
        (Score.crn, Score.kind),
        (Score.recorded_at.desc(), Score.id.desc()),
        Score.crn.in_(crns),
        Score.kind.in_(kinds),
    )
    return {(s.crn, s.kind): s for s in (await session.scalars(query)).all()}


# Tiers


async def add_tier_calculations(session: AsyncSession, rows: Sequence[dict]) -> None:
    """Store calculations (column values of `TierCalculation`) with one statement."""
    if rows:
        await session.execute(insert(_table(TierCalculation)), list(rows))


async def latest_tier(session: AsyncSession, crn: str) -> TierCalculation | None:
    return await session.scalar(
        select(TierCalculation)
        .where(TierCalculation.crn == crn)
        .order_by(TierCalculation.calculated_at.desc(), TierCalculation.id.desc())
        .limit(1)
    )


async def tier_history(session: AsyncSession, crn: str, limit: int = 100) -> Sequence[TierCalculation]:
    return (
        await session.scalars(
            select(TierCalculation)
            .where(TierCalculation.crn == crn)
            .order_by(TierCalculation.calculated_at.desc())
            .limit(limit)
        )
    ).all()


async def tier_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(PersonRecord.current_tier, func.count())
        .where(PersonRecord.current_tier.is_not(None))
        .group_by(PersonRecord.current_tier)
    )
    return {tier: count for tier, count in rows.all() if tier is not None}  # none are: the query excludes them


# Referrals


async def get_referral(session: AsyncSession, referral_id: str) -> Referral | None:
    return await session.get(Referral, referral_id)


async def has_active_referral(session: AsyncSession, crn: str, provider_id: str) -> bool:
    found = await session.scalar(
        select(Referral.referral_id)
        .where(Referral.crn == crn, Referral.provider_id == provider_id, Referral.active.is_(True))
        .limit(1)
    )
    return found is not None


# PSR


async def get_psr(session: AsyncSession, proposal_id: str) -> PsrProposal | None:
    return await session.get(PsrProposal, proposal_id)
