"""Builders of the events risk-assessment publishes (docs/events.md), written to the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.events import add_event, detail_url, new_event
from probation_shared.events.contracts import contract, info
from probation_shared.events.topics import RISK_ASSESSMENT
from probation_shared.redaction import Classified, DataClass, Outbound

from ..db.models import PLATFORM, Assessment

Ref = Annotated[str | int | None, Classified(DataClass.REFERENCE)]
Level = Annotated[str | int | float | None, Classified(DataClass.RISK_LEVELS)]


@contract("risk-assessment.scores.determined", description="Risk predictor scores determined")
class ScoresDetermined(Outbound):
    ogrs3TwoYear: Level
    ogrs3Band: Level
    rsrScore: Level
    rsrBand: Level


@contract("risk-assessment.rosh.changed", description="Risk of serious harm changed")
class RoshChanged(Outbound):
    overallLevel: Level
    previousLevel: Level
    version: Ref


@contract("assessment.summary.produced", description="Assessment completed")
class AssessmentSummaryProduced(Outbound):
    assessmentId: Ref
    version: Ref


@contract("tier.calculation.complete", description="Tier calculated")
class TierCalculationComplete(Outbound):
    calculationId: Ref
    tier: Level
    changed: Annotated[bool, Classified(DataClass.RISK_LEVELS)]


@contract("tier.calculation.complete", version=2, description="Tier calculated (A–G)")
class TierCalculationCompleteAG(Outbound):
    """The A–G tier of the calculation. `tier` repeats the A–D × 0–3 tier of version 1 under its version-1
    meaning, so that a consumer that does not look at `version` reads this event exactly as version 1."""

    calculationId: Ref
    tierScore: Level
    provisional: Annotated[bool, Classified(DataClass.RISK_LEVELS)]
    changed: Annotated[bool, Classified(DataClass.RISK_LEVELS)]
    previousTierScore: Level
    tier: Level


@contract("tier.calculation.changed", description="Tier changed")
class TierCalculationChanged(Outbound):
    calculationId: Ref
    tier: Level
    previousTier: Level


async def _publish(
    session: AsyncSession, event_type: str, crn: str, description: str, path: str, payload: Outbound, version: int = 1
) -> None:
    event = new_event(
        event_type,
        crn=crn,
        description=description,
        detail_url=detail_url(session, path),
        additional_information=info(payload),
        version=version,
    )
    await add_event(session, PLATFORM.outbox, RISK_ASSESSMENT, event)


async def scores_determined(
    session: AsyncSession,
    crn: str,
    *,
    ogrs3_two_year: int | None,
    ogrs3_band: str | None,
    rsr_score: float | None,
    rsr_band: str | None,
) -> None:
    await _publish(
        session,
        "risk-assessment.scores.determined",
        crn,
        "Risk predictor scores determined",
        f"/people/{crn}/scores",
        ScoresDetermined(ogrs3TwoYear=ogrs3_two_year, ogrs3Band=ogrs3_band, rsrScore=rsr_score, rsrBand=rsr_band),
    )


async def rosh_changed(session: AsyncSession, crn: str, *, overall: str, previous: str | None, version: int) -> None:
    await _publish(
        session,
        "risk-assessment.rosh.changed",
        crn,
        "Risk of serious harm changed",
        f"/people/{crn}/risk-summary",
        RoshChanged(overallLevel=overall, previousLevel=previous, version=version),
    )


async def assessment_summary_produced(session: AsyncSession, assessment: Assessment) -> None:
    await _publish(
        session,
        "assessment.summary.produced",
        assessment.crn,
        "Assessment completed",
        f"/assessments/{assessment.id}",
        AssessmentSummaryProduced(assessmentId=assessment.id, version=assessment.version),
    )


async def tier_calculated(session: AsyncSession, c: Mapping) -> None:
    """`tier.calculation.complete` for every calculation (version 1: A–D × 0–3; version 2: A–G);
    `tier.calculation.changed` (A–D × 0–3) only when that tier changed.

    `c`: the stored calculation's column values (`TierCalculation`)."""
    path = f"/people/{c['crn']}/tier"
    await _publish(
        session,
        "tier.calculation.complete",
        c["crn"],
        "Tier calculated",
        path,
        TierCalculationComplete(calculationId=c["id"], tier=c["tier"], changed=c["changed"]),
    )
    if c.get("tier_ag") is not None:
        await _publish(
            session,
            "tier.calculation.complete",
            c["crn"],
            "Tier calculated (A–G)",
            path,
            TierCalculationCompleteAG(
                calculationId=c["id"],
                tierScore=c["tier_ag"],
                provisional=bool(c["tier_ag_provisional"]),
                changed=bool(c["tier_ag_changed"]),
                previousTierScore=c["previous_tier_ag"],
                tier=c["tier"],
            ),
            version=2,
        )
    if c["changed"]:
        await _publish(
            session,
            "tier.calculation.changed",
            c["crn"],
            "Tier changed",
            path,
            TierCalculationChanged(calculationId=c["id"], tier=c["tier"], previousTier=c["previous_tier"]),
        )
