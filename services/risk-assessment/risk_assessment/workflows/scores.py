"""Predictor scores: OGRS3 computed here from its inputs; RSR and OSP recorded with their bands."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import queries
from ..db.models import PersonRecord, Score
from ..domain import ogrs3
from ..domain.rosh import rsr_band
from ..events import publish
from . import tiers


def _hundredths(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


async def _announce(session: AsyncSession, person: PersonRecord) -> None:
    ogrs = await queries.latest_score(session, person.crn, "OGRS3")
    rsr = await queries.latest_score(session, person.crn, "RSR")
    await publish.scores_determined(
        session,
        person.crn,
        ogrs3_two_year=ogrs.value if ogrs else None,
        ogrs3_band=ogrs.band if ogrs else None,
        rsr_score=rsr.value / 100 if rsr else None,
        rsr_band=rsr.band if rsr else None,
    )
    await tiers.recalculate(session, person, "risk-assessment.scores.determined")


async def record_ogrs3(
    session: AsyncSession, person: PersonRecord, inputs: ogrs3.Ogrs3Input, raw_inputs: dict, author: str
) -> tuple[Score, ogrs3.Ogrs3Result]:
    result = ogrs3.calculate(inputs)  # DomainError → 422 naming the field
    score = Score(
        id=str(uuid.uuid4()),
        crn=person.crn,
        kind="OGRS3",
        inputs=raw_inputs,
        value=result.two_year,
        one_year=result.one_year,
        band=result.band,
        recorded_by=author,
        recorded_at=clock.now(),
    )
    session.add(score)
    if person.sex is None:
        person.sex = inputs.sex
    if person.date_of_birth is None:
        person.date_of_birth = inputs.date_of_birth
    await session.flush()
    await _announce(session, person)
    return score, result


async def record_scores(
    session: AsyncSession,
    person: PersonRecord,
    *,
    rsr: Decimal | None,
    osp_c: tuple[Decimal, str] | None,
    osp_i: tuple[Decimal, str] | None,
    author: str,
) -> list[Score]:
    now = clock.now()
    recorded = []
    if rsr is not None:
        recorded.append(
            Score(
                id=str(uuid.uuid4()),
                crn=person.crn,
                kind="RSR",
                inputs={"rsr": str(rsr)},
                value=_hundredths(rsr),
                band=rsr_band(rsr),
                recorded_by=author,
                recorded_at=now,
            )
        )
    for kind, pair in (("OSP_C", osp_c), ("OSP_I", osp_i)):
        if pair is not None:
            recorded.append(
                Score(
                    id=str(uuid.uuid4()),
                    crn=person.crn,
                    kind=kind,
                    inputs={"score": str(pair[0])},
                    value=_hundredths(pair[0]),
                    band=pair[1],
                    recorded_by=author,
                    recorded_at=now,
                )
            )
    session.add_all(recorded)
    await session.flush()
    await _announce(session, person)
    return recorded
