"""Over the real broker: case-allocation and refer-monitor events in, risk-assessment events out."""

import asyncio
import tempfile
from pathlib import Path

from probation_shared.auth import Role
from probation_shared.events.topics import CASE_ALLOCATION, REFER_MONITOR
from probation_shared.migrations import schema_drift, upgrade
from probation_shared.testing.plugin import eventually
from risk_assessment.db.models import Base
from risk_assessment.service import SPEC

CRN = "B400004"


async def test_tier_moves_b1_to_b2_and_a_recalculation_without_change_publishes_only_complete(live):
    staff = live.staff()
    await live.produce(
        CASE_ALLOCATION,
        live.event(
            "probation-case.sentence.created",
            CRN,
            sentenceId="S1",
            sentenceType="COMMUNITY_ORDER",
            custodial=False,
            mandateForChange=True,
        ),
    )

    async def tiered() -> bool:
        return (await live.client.get(f"/people/{CRN}/tier", headers=staff)).status_code == 200

    await eventually(tiered, timeout=30)
    rated = await live.client.post(
        f"/people/{CRN}/rosh",
        headers=staff,
        json={
            "community": {"children": "LOW", "public": "HIGH", "knownAdult": "LOW", "staff": "LOW"},
            "reason": "initial",
        },
    )
    assert rated.status_code == 201
    v1 = (await live.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    await live.client.patch(f"/assessments/{v1['id']}", json={"sections": live.answers_at("NONE")}, headers=staff)
    await live.client.post(f"/assessments/{v1['id']}/complete", headers=staff)
    assert (await live.client.get(f"/people/{CRN}/tier", headers=staff)).json()["tier"] == "B1"

    v2 = (await live.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    # thinking & behaviour severe (2 × 2) + attitudes severe (2 × 2) + accommodation severe (1 × 2) = 10
    # → change level 2
    severe = live.answers_at(
        "NONE",
        THINKING_BEHAVIOUR={"11.2": "SIGNIFICANT", "11.3": "SIGNIFICANT", "11.4": "SIGNIFICANT", "11.6": "SOME"},
        ATTITUDES={"12.1": "SIGNIFICANT", "12.3": "SIGNIFICANT", "12.4": "SIGNIFICANT", "12.5": "SOME"},
        ACCOMMODATION={"3.3": "YES", "3.4": "SIGNIFICANT", "3.5": "SIGNIFICANT", "3.6": "SOME"},
    )
    await live.client.patch(f"/assessments/{v2['id']}", json={"sections": severe}, headers=staff)
    completed = await live.client.post(f"/assessments/{v2['id']}/complete", headers=staff)
    assert completed.status_code == 200
    moved = (await live.client.get(f"/people/{CRN}/tier", headers=staff)).json()
    assert (moved["tier"], moved["previousTier"], moved["changePoints"]) == ("B2", "B1", 10)
    again = (await live.client.post(f"/people/{CRN}/tier/recalculate", headers=staff)).json()
    assert again["tier"] == "B2" and again["changed"] is False

    async def published_all() -> bool:
        events = await live.published(timeout_ms=300)
        return any(
            e["eventType"] == "tier.calculation.complete"
            and e["additionalInformation"]["calculationId"] == again["calculationId"]
            for e in events
        )

    await eventually(published_all, timeout=30)
    events = await live.published(timeout_ms=300)
    for_move = [e for e in events if e["additionalInformation"].get("calculationId") == moved["calculationId"]]
    # Version 1 (A–D × 0–3, with .changed) and version 2 (A–G) of the same calculation.
    assert sorted((e["eventType"], e["version"]) for e in for_move) == [
        ("tier.calculation.changed", 1),
        ("tier.calculation.complete", 1),
        ("tier.calculation.complete", 2),
    ]
    ag = next(e for e in for_move if e["version"] == 2)
    assert set(ag["additionalInformation"]) == {
        "calculationId",
        "tierScore",
        "provisional",
        "changed",
        "previousTierScore",
        "tier",
    }
    assert ag["additionalInformation"]["tierScore"] == moved["tierAG"] and ag["additionalInformation"]["tier"] == "B2"
    changed = next(e for e in for_move if e["eventType"] == "tier.calculation.changed")
    assert changed["additionalInformation"] == {
        "calculationId": moved["calculationId"],
        "tier": "B2",
        "previousTier": "B1",
    }
    assert changed["personReference"]["identifiers"] == [{"type": "CRN", "value": CRN}]
    for_recalculation = [e for e in events if e["additionalInformation"].get("calculationId") == again["calculationId"]]
    assert [(e["eventType"], e["version"]) for e in for_recalculation] == [
        ("tier.calculation.complete", 1),
        ("tier.calculation.complete", 2),
    ]
    assert for_recalculation[0]["additionalInformation"]["changed"] is False
    assert "assessment.summary.produced" in {e["eventType"] for e in events}


async def test_referral_projection_and_rosh_rerating_over_the_bus(live):
    staff = live.staff()
    provider = live.headers(Role.PROVIDER_CASEWORKER, provider_id="PRV-1")
    victim = {"name": "Quentin Blorp", "address": "9 Zed Street, Farfield", "relationship": "neighbour-xq"}
    first = await live.client.post(
        f"/people/{CRN}/rosh",
        headers=staff,
        json={
            "community": {"children": "LOW", "public": "MEDIUM", "knownAdult": "MEDIUM", "staff": "LOW"},
            "narrative": {
                "natureOfRisk": "Threats of violence to Quentin Blorp",
                "providerSummary": "Threats of violence to a known adult",
            },
            "victims": [victim],
            "reason": "initial",
        },
    )
    assert first.status_code == 201
    assert (await live.client.get(f"/people/{CRN}/risk-summary", headers=provider)).status_code == 404

    await live.produce(
        REFER_MONITOR,
        live.event(
            "intervention.referral.sent",
            CRN,
            referralId="RF-1",
            providerId="PRV-1",
            referralReference="AB1234AC",
            contractReference="C-1",
        ),
    )

    async def provider_sees() -> bool:
        return (await live.client.get(f"/people/{CRN}/risk-summary", headers=provider)).status_code == 200

    await eventually(provider_sees, timeout=30)
    rerated = await live.client.post(
        f"/people/{CRN}/rosh", headers=staff, json={"community": {"knownAdult": "HIGH"}, "reason": "threats escalated"}
    )
    assert rerated.status_code == 201
    view = (await live.client.get(f"/people/{CRN}/risk-summary", headers=provider)).json()
    assert (
        view["overall"] == "HIGH"
        and view["summary"] == "Threats of violence to a known adult"
        and "Quentin" not in str(view)
    )

    async def rosh_changed_published() -> bool:
        return any(
            e["eventType"] == "risk-assessment.rosh.changed" and e["additionalInformation"]["version"] == 2
            for e in await live.published(timeout_ms=300)
        )

    await eventually(rosh_changed_published, timeout=30)
    events = await live.published(timeout_ms=300)
    change = next(
        e
        for e in events
        if e["eventType"] == "risk-assessment.rosh.changed" and e["additionalInformation"]["version"] == 2
    )
    assert change["additionalInformation"] == {"overallLevel": "HIGH", "previousLevel": "MEDIUM", "version": 2}
    everything = str(events).lower()
    assert not any(
        s.lower() in everything for s in (victim["name"], "quentin", "blorp", "zed street", "farfield", "neighbour-xq")
    )

    await live.produce(
        REFER_MONITOR, live.event("intervention.referral.withdrawn", CRN, referralId="RF-1", providerId="PRV-1")
    )

    async def provider_loses_sight() -> bool:
        return (await live.client.get(f"/people/{CRN}/risk-summary", headers=provider)).status_code == 404

    await eventually(provider_loses_sight, timeout=30)


async def test_models_and_migrations_agree():
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'drift.db'}"
        await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
        assert await schema_drift(url, Base.metadata) == []
