"""Tier recalculation: gather the inputs this service holds, apply the model, store and publish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import queries
from ..db.models import Assessment, PersonRecord, Registration, RoshVersion, Score, TierCalculation
from ..domain import needs, tiering
from ..domain.rosh import ROSH_REGISTRATIONS, RiskLevel
from ..events import publish

MAPPA_RANK = {"M1": 1, "M2": 2, "M3": 3}


def as_aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored in UTC); PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def gather_inputs(session: AsyncSession, person: PersonRecord, now: datetime) -> tiering.TierInputs:
    return (await gather_inputs_of(session, [person], now))[person.crn]


async def gather_inputs_of(session: AsyncSession, people: Sequence[PersonRecord], now: datetime) -> dict[str, tiering.TierInputs]:
    """Every person's tier inputs, loaded with one query per kind of input (however many people)."""
    crns = sorted({p.crn for p in people})
    if not crns:
        return {}
    registrations = await queries.active_registrations_of(session, crns)
    rosh_versions = await queries.latest_rosh_of(session, crns)
    assessments = await queries.latest_complete_assessments(session, crns, now - timedelta(weeks=tiering.ASSESSMENT_VALID_WEEKS))
    scores = await queries.latest_scores(session, crns, ("RSR", "OGRS3"))
    return {
        p.crn: _inputs(
            p, registrations.get(p.crn, []), rosh_versions.get(p.crn), assessments.get(p.crn), scores.get((p.crn, "RSR")), scores.get((p.crn, "OGRS3"))
        )
        for p in people
    }


def _inputs(
    person: PersonRecord,
    registrations: Sequence[Registration],
    rosh_version: RoshVersion | None,
    assessment: Assessment | None,
    rsr: Score | None,
    ogrs: Score | None,
) -> tiering.TierInputs:
    codes = {r.type_code for r in registrations}
    mappa_levels = [r.level for r in registrations if r.type_code == "MAPP" and r.level in MAPPA_RANK]
    mappa = max(mappa_levels, key=MAPPA_RANK.__getitem__) if mappa_levels else None

    # RoSH: the most recent of this service's RoSH version and an active RoSH registration.
    rosh_registrations = [r for r in registrations if r.type_code in ROSH_REGISTRATIONS]
    rosh: RiskLevel | None = None
    rosh_at: datetime | None = None
    if rosh_version is not None:
        rosh, rosh_at = RiskLevel(rosh_version.overall), as_aware(rosh_version.created_at)
    if rosh_registrations:
        latest_registration = rosh_registrations[-1]
        if rosh_at is None or as_aware(latest_registration.registered_at) > rosh_at:
            rosh = ROSH_REGISTRATIONS[latest_registration.type_code]

    severities = None
    womens = needs.WomensFactors(False, False)
    if assessment is not None:
        answers = {code: part.get("answers", {}) for code, part in assessment.sections.items()}
        severities = {s.code: needs.score_section(s, answers.get(s.code, {})).severity for s in needs.SCORED_SECTIONS}
        womens = needs.womens_factors(answers)

    female = person.sex == "FEMALE"
    return tiering.TierInputs(
        rsr=None if rsr is None else Decimal(rsr.value) / 100,
        rosh=rosh,
        mappa_level=mappa,
        complexity_factors=frozenset(codes & tiering.COMPLEXITY_FACTORS),
        female=female,
        parenting_concern=female and womens.parenting_concern,
        impulsivity_or_temper_concern=female and womens.impulsivity_or_temper_concern,
        previous_enforcement=female and person.previous_enforcement,
        mandate_for_change=person.mandate_for_change,
        needs=severities,
        ogrs=None if ogrs is None else ogrs.value,
        iom="IIOM" in codes,
        unsupervised="PRC" in codes,
    )


async def recalculate(session: AsyncSession, person: PersonRecord, trigger: str) -> TierCalculation:
    """Calculate, store with inputs and breakdown, and queue `tier.calculation.complete` (+ `.changed`)."""
    return TierCalculation(**(await recalculate_many(session, [(person, trigger)]))[0])


async def recalculate_many(session: AsyncSession, requests: Sequence[tuple[PersonRecord, str]]) -> list[dict]:
    """`recalculate` for several different people at once: inputs loaded in bulk, calculations
    stored with one insert, events queued in the order of `requests`. Returns the stored rows."""
    people = [person for person, _ in requests]
    if len({p.crn for p in people}) != len(people):
        raise ValueError("recalculate_many takes each person at most once")
    now = datetime.now(UTC)
    inputs_by_crn = await gather_inputs_of(session, people, now)
    rows = []
    for person, trigger in requests:
        inputs = inputs_by_crn[person.crn]
        result = tiering.calculate(inputs)
        previous = person.current_tier
        rows.append(
            dict(
                id=str(uuid.uuid4()),
                crn=person.crn,
                tier=result.tier,
                previous_tier=previous,
                changed=result.tier != previous,
                protect_level=result.protect_level,
                protect_points=result.protect_points,
                change_level=result.change_level,
                change_points=result.change_points,
                inputs=inputs.to_json(),
                breakdown=result.breakdown,
                trigger=trigger,
                calculated_at=now,
            )
        )
        person.current_tier = result.tier
    await queries.add_tier_calculations(session, rows)
    for row in rows:
        await publish.tier_calculated(session, row)
    return rows
