"""RoSH versions: from a full assessment or a practitioner's re-rating; every change is a new version."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ..db import queries
from ..db.models import PersonRecord, RoshVersion, RoshVictim
from ..domain import rosh as rules
from ..domain.errors import ErrorCollector
from ..events import publish
from . import tiers

NARRATIVE_FIELDS = ("whoIsAtRisk", "natureOfRisk", "imminence", "increasingFactors", "mitigatingFactors")


async def new_version(
    session: AsyncSession,
    person: PersonRecord,
    data: dict,
    author: str,
    *,
    source: str,
    assessment_id: str | None = None,
    reason: str | None = None,
    recalculate: bool = True,
) -> RoshVersion:
    """`data`: community / custody levels per group, narrative, riskToSelf, victims. Anything left out of
    a re-rating is carried over from the previous version; a first version needs every community group."""
    previous = await queries.latest_rosh(session, person.crn)
    community = dict(previous.community) if previous else {}
    community.update(data.get("community") or {})
    custody = dict(previous.custody or {}) if previous else {}
    custody.update(data.get("custody") or {})
    errors = ErrorCollector()
    for group in rules.COMMUNITY_GROUPS:
        if group not in community:
            errors.add(f"community.{group}", "A level is required for every group in the community.", "missing-level")
    errors.raise_if_any("rosh-incomplete", "The risk of serious harm needs a level for each group")

    narrative = dict(previous.narrative) if previous else {}
    narrative.update({k: v for k, v in (data.get("narrative") or {}).items() if v is not None})
    risk_to_self = dict(previous.risk_to_self) if previous else {}
    risk_to_self.update(data.get("riskToSelf") or {})
    overall = rules.overall(rules.RiskLevel(v) for v in [*community.values(), *custody.values()])
    assert overall is not None

    version = RoshVersion(
        id=str(uuid.uuid4()),
        crn=person.crn,
        version=(previous.version + 1) if previous else 1,
        source=source,
        assessment_id=assessment_id,
        community=community,
        custody=custody or None,
        overall=overall.value,
        narrative=narrative,
        risk_to_self=risk_to_self,
        reason=reason,
        author=author,
        created_at=datetime.now(UTC),
    )
    session.add(version)
    await session.flush()
    victims = data.get("victims")
    if victims is None and previous is not None:
        victims = [{"name": v.name, "address": v.address, "relationship": v.relationship} for v in await queries.victims_of(session, previous.id)]
    for victim in victims or []:
        session.add(RoshVictim(rosh_version_id=version.id, name=victim["name"], address=victim.get("address"), relationship=victim.get("relationship")))
    await publish.rosh_changed(session, person.crn, overall=overall.value, previous=previous.overall if previous else None, version=version.version)
    if recalculate:
        await tiers.recalculate(session, person, "risk-assessment.rosh.changed")
    return version
