"""RoSH versions: from a full assessment or a practitioner's re-rating; every change is a new version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import ErrorCollector

from ..db import queries
from ..db.models import PersonRecord, RoshVersion, RoshVictim
from ..domain import rosh as rules
from ..domain import victim_identifiers
from ..events import publish
from . import tiers

NARRATIVE_FIELDS = (
    "whoIsAtRisk",
    "natureOfRisk",
    "imminence",
    "increasingFactors",
    "mitigatingFactors",
    "providerSummary",
)
# Narrative written for providers: the only free text a provider is shown.
PROVIDER_BOUND = ("providerSummary",)


def _as_victim(v: RoshVictim | Mapping[str, Any]) -> victim_identifiers.Victim:
    """A recorded victim (row) or one in the input (dict; its name is required by the schema)."""
    if isinstance(v, RoshVictim):
        return victim_identifiers.Victim(name=v.name, address=v.address, phone=v.phone, email=v.email)
    return victim_identifiers.Victim(
        name=v["name"], address=v.get("address"), phone=v.get("phone"), email=v.get("email")
    )


async def victim_identifiers_in(
    session: AsyncSession,
    crn: str,
    texts: Mapping[str, str | None],
    extra_victims: Iterable[Mapping[str, Any]] = (),
) -> list[tuple[str, victim_identifiers.Match]]:
    """(field, match) for every identifier of a victim ever recorded for the person found in `texts`."""
    victims = [_as_victim(v) for v in await queries.victims_ever(session, crn)] + [_as_victim(v) for v in extra_victims]
    return [(name, match) for name, text in texts.items() for match in victim_identifiers.find(text, victims)]


def refuse_victim_identifiers(matches: list[tuple[str, victim_identifiers.Match]], prefix: str = "narrative.") -> None:
    errors = ErrorCollector()
    for name, match in matches:
        errors.add(
            f"{prefix}{name}",
            f"Matches a victim's {match.kind} ({match.matched!r}): provider text must not identify a victim.",
            "victim-identifier",
        )
    errors.raise_if_any("victim-identifier-in-provider-text", "Text written for providers names a victim")


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
    a re-rating is carried over from the previous version; a first version needs every community group.
    `custody` present and None clears the custody ratings; a custody group set to None clears that group.
    `risk-assessment.rosh.changed` is queued only when the overall level changes."""
    previous = await queries.latest_rosh(session, person.crn)
    community = dict(previous.community) if previous else {}
    community.update(data.get("community") or {})
    custody = dict(previous.custody or {}) if previous else {}
    if "custody" in data:  # given: None clears every custody rating, a group set to None clears that one
        given = data["custody"]
        if given is None:
            custody = {}
        else:
            for group, level in given.items():
                if level is None:
                    custody.pop(group, None)
                else:
                    custody[group] = level
    errors = ErrorCollector()
    for group in rules.COMMUNITY_GROUPS:
        if group not in community:
            errors.add(f"community.{group}", "A level is required for every group in the community.", "missing-level")
    errors.raise_if_any("rosh-incomplete", "The risk of serious harm needs a level for each group")

    narrative = dict(previous.narrative) if previous else {}
    narrative.update({k: v for k, v in (data.get("narrative") or {}).items() if v is not None})
    victims = data.get("victims")
    if victims is None and previous is not None:
        victims = [
            {"name": v.name, "address": v.address, "relationship": v.relationship, "phone": v.phone, "email": v.email}
            for v in await queries.victims_of(session, previous.id)
        ]
    # Text carried over from the previous version is checked too: a new victim list can make it identifying.
    refuse_victim_identifiers(
        await victim_identifiers_in(
            session, person.crn, {k: narrative.get(k) for k in PROVIDER_BOUND}, extra_victims=victims or []
        )
    )
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
        created_at=clock.now(),
    )
    session.add(version)
    await session.flush()
    for victim in victims or []:
        session.add(
            RoshVictim(
                rosh_version_id=version.id,
                name=victim["name"],
                address=victim.get("address"),
                relationship=victim.get("relationship"),
                phone=victim.get("phone"),
                email=victim.get("email"),
            )
        )
    # Published only when the overall level changes (a first version changes it from none).
    if previous is None or previous.overall != overall.value:
        await publish.rosh_changed(
            session,
            person.crn,
            overall=overall.value,
            previous=previous.overall if previous else None,
            version=version.version,
        )
    if recalculate:
        await tiers.recalculate(session, person, "risk-assessment.rosh.changed")
    return version
