"""The A–G tier computed beside A–D × 0–3 on every recalculation: from consumed events (single and batch
handlers), recorded scores and RoSH; stored with its inputs, their sources and breakdown; published as
`tier.calculation.complete` version 2; explained by GET /people/{crn}/tier.

The inputs are mapped from what risk-assessment holds (docs/domain.md, "Tiering A–G"): ARP ← OGRS3 two-year %
(static), CSRP ← RSR (dynamic with a complete assessment in the last 55 weeks), DC-SRP ← OSP/C.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from risk_assessment.db.models import Score
from risk_assessment.events import handlers

from .conftest import case_event

CRN = "X200001"


async def _score(api, crn: str, kind: str, value: int, band: str = "LOW", inputs: dict | None = None) -> None:
    """Store a score row as recorded (OGRS3: the two-year %; RSR/OSP: hundredths)."""
    async with api.service.database.unit_of_work() as session:
        session.add(
            Score(
                id=str(uuid.uuid4()),
                crn=crn,
                kind=kind,
                inputs=inputs or {},
                value=value,
                band=band,
                recorded_by="test",
                recorded_at=datetime.now(UTC),
            )
        )


async def _sentenced(api, crn: str = CRN, sentence_id: str = "S1") -> None:
    await api.handle(
        handlers.on_sentence_or_requirement,
        case_event(
            "probation-case.sentence.created",
            crn,
            sentenceId=sentence_id,
            sentenceType="COMMUNITY_ORDER",
            custodial=False,
            mandateForChange=True,
        ),
    )


async def _tier(api, crn: str = CRN) -> dict:
    response = await api.client.get(f"/people/{crn}/tier", headers=api.staff())
    assert response.status_code == 200, response.text
    return response.json()


async def test_arp_75_csrp_1_is_c_and_provisional_as_ogrs3_is_static(api):
    """hmpps-tier TierCalculationV3Test: ARP 75 / CSRP 1.0 → C. Here ARP is OGRS3 (static), so provisional."""
    await _sentenced(api)
    await _score(api, CRN, "OGRS3", 75, "HIGH")
    await _score(api, CRN, "RSR", 100, "LOW")
    recalculated = await api.client.post(f"/people/{CRN}/tier/recalculate", headers=api.staff())
    assert recalculated.status_code == 201
    tier = await _tier(api)
    assert (tier["tierAG"], tier["tierAGProvisional"]) == ("C", True)
    assert tier["tierAGInputs"]["arp"] == {"score": "75", "type": "STATIC"}
    assert tier["tierAGInputs"]["csrp"] == {"score": "1", "type": "STATIC"}  # no assessment: RSR taken as static
    assert tier["tierAGInputs"]["sources"]["arp"].startswith("OGRS3")
    assert tier["tierAGBreakdown"]["steps"]["REOFFENDING"] == "C"
    assert tier["tierAGBreakdown"]["provisionalReasons"]
    assert tier["tier"] == "D2"  # the A–D × 0–3 tier is still there, unchanged

    complete_v2 = await api.outbox("tier.calculation.complete", version=2)
    last = complete_v2[-1]["additionalInformation"]
    assert last == {
        "calculationId": tier["calculationId"],
        "tierScore": "C",
        "provisional": True,
        "changed": True,
        "previousTierScore": "MISSING",
        "tier": "D2",
    }


async def test_mappa_m2_with_very_high_rosh_is_a_from_the_batch_registration_handler(api):
    """hmpps-tier TierCalculationV3Test: MAPPA M2 + very high RoSH registration, zero predictors → A (not provisional:
    the MAPPA/RoSH step reaches A whatever the static predictors could give)."""
    await _sentenced(api)
    await _score(api, CRN, "OGRS3", 0)
    await _score(api, CRN, "RSR", 0)
    async with api.service.database.unit_of_work() as session:
        await handlers.on_registrations(
            session,
            [
                case_event(
                    "probation-case.registration.added",
                    CRN,
                    registrationId="R1",
                    registerTypeCode="MAPP",
                    registerLevel="M2",
                    registerCategory="M2",
                ),
                case_event("probation-case.registration.added", CRN, registrationId="R2", registerTypeCode="RVHR"),
            ],
        )
    tier = await _tier(api)
    assert (tier["tierAG"], tier["tierAGProvisional"]) == ("A", False)
    assert tier["tierAGInputs"]["mappaCategory"] == "M2" and tier["tierAGInputs"]["rosh"] == "VERY_HIGH"
    assert tier["tierAGBreakdown"]["decidedBy"] == ["MAPPA_ROSH"]


async def test_registration_flags_and_sexual_offence_history(api):
    """hmpps-tier TierCalculatorTest flags: child protection → F, stalking → F, domestic abuse (ADVP) → E;
    a sexual offence (here: the OGRS3 offence 016/00, "Sexual (not against child)") → E."""
    await _sentenced(api)
    await _score(api, CRN, "OGRS3", 0)
    await _score(api, CRN, "RSR", 0)
    await api.handle(
        handlers.on_registration,
        case_event("probation-case.registration.added", CRN, registrationId="R1", registerTypeCode="RCPR"),
    )
    assert (await _tier(api))["tierAG"] == "F"
    await api.handle(
        handlers.on_registration,
        case_event("probation-case.registration.added", CRN, registrationId="R2", registerTypeCode="ADVP"),
    )
    tier = await _tier(api)
    assert tier["tierAG"] == "E" and tier["tierAGInputs"]["domesticAbuse"] and tier["tierAGInputs"]["childProtection"]
    await api.handle(
        handlers.on_registration,
        case_event("probation-case.registration.deregistered", CRN, registrationId="R2", registerTypeCode="ADVP"),
    )
    assert (await _tier(api))["tierAG"] == "F"
    await _score(api, CRN, "OGRS3", 0, inputs={"offenceCode": "016/00"})
    await api.client.post(f"/people/{CRN}/tier/recalculate", headers=api.staff())
    tier = await _tier(api)
    assert tier["tierAG"] == "E" and tier["tierAGInputs"]["sexualOffenceHistory"] is True


async def test_dc_srp_from_osp_c_and_an_unplaceable_score_is_left_out_not_failed(api):
    """DC-SRP ← OSP/C: HIGH → B (TierCalculatorTest 2.11 HIGH → B). A MEDIUM OSP/C below 0.60 (which hmpps-tier
    refuses) is left out and the reason stored, so a consumed event never fails on it."""
    await _sentenced(api)
    await _score(api, CRN, "OGRS3", 0)
    await _score(api, CRN, "RSR", 0)
    await _score(api, CRN, "OSP_C", 211, "HIGH")
    await api.client.post(f"/people/{CRN}/tier/recalculate", headers=api.staff())
    tier = await _tier(api)
    assert tier["tierAG"] == "B" and tier["tierAGInputs"]["dcSrp"] == {"score": "2.11", "band": "HIGH"}
    await _score(api, CRN, "OSP_C", 30, "MEDIUM")
    await api.handle(
        handlers.on_registration,
        case_event("probation-case.registration.added", CRN, registrationId="R1", registerTypeCode="RCPR"),
    )
    tier = await _tier(api)
    assert tier["tierAG"] == "E"  # sexual offence history (an OSP/C score above 0) still counts
    assert tier["tierAGInputs"]["dcSrp"] is None and "left out" in tier["tierAGInputs"]["sources"]["dcSrp"]


async def test_missing_predictors_and_not_supervised(api):
    """hmpps-tier: no ARP/CSRP → MISSING; no active event → NOT_SUPERVISED. A terminated (only) sentence ends it."""
    await _sentenced(api)
    tier = await _tier(api)
    assert tier["tierAG"] == "MISSING" and tier["tierAGBreakdown"]["missing"] == ["arp", "csrp"]
    await _score(api, CRN, "OGRS3", 50)
    await _score(api, CRN, "RSR", 690)
    await api.handle(
        handlers.on_sentence_or_requirement,
        case_event("probation-case.sentence.terminated", CRN, sentenceId="S1", mandateForChange=False),
    )
    tier = await _tier(api)
    assert tier["tierAG"] == "NOT_SUPERVISED" and tier["tierAGInputs"]["hasActiveEvent"] is False
    await _sentenced(api, sentence_id="S2")
    tier = await _tier(api)
    assert tier["tierAG"] == "B" and tier["previousTierAG"] == "NOT_SUPERVISED" and tier["tierAGChanged"] is True


async def test_csrp_is_dynamic_with_a_complete_assessment(api):
    """With a complete assessment the RSR counts as dynamic: ARP (OGRS3) static, CSRP 0.5 dynamic → F, provisional
    (TierCalculatorTest: static ARP 0 / dynamic CSRP 0.5, RoSH medium → F provisional)."""
    staff = api.staff()
    await _sentenced(api)
    await _score(api, CRN, "OGRS3", 0)
    await _score(api, CRN, "RSR", 50)
    rated = await api.client.post(
        f"/people/{CRN}/rosh",
        headers=staff,
        json={"community": {"children": "LOW", "public": "MEDIUM", "knownAdult": "LOW", "staff": "LOW"}, "reason": "r"},
    )
    assert rated.status_code == 201
    assessment = (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    await api.client.patch(f"/assessments/{assessment['id']}", json={"sections": api.answers_at("NONE")}, headers=staff)
    assert (await api.client.post(f"/assessments/{assessment['id']}/complete", headers=staff)).status_code == 200
    tier = await _tier(api)
    assert tier["tierAGInputs"]["csrp"] == {"score": "0.5", "type": "DYNAMIC"}
    assert (tier["tierAG"], tier["tierAGProvisional"]) == ("F", True)


async def test_auditor_sees_the_a_g_fields_masked_like_the_existing_ones(api):
    from probation_shared.auth import Role

    await _sentenced(api)
    body = (await api.client.get(f"/people/{CRN}/tier", headers=api.headers(Role.AUDITOR))).json()
    assert body["tier"] == body["tierAG"] == body["tierAGProvisional"] == "***"
    assert body["tierAGInputs"] == {k: "***" for k in body["tierAGInputs"]} and body["tierAGInputs"]
    assert body["tierAGBreakdown"] == {k: "***" for k in body["tierAGBreakdown"]}


async def test_tier_inputs_name_the_records_they_were_computed_from(api):
    """Issue 13 "decisions explained": the tier names the assessment, RoSH version, registrations and scores it read."""
    await _sentenced(api)
    await _score(api, CRN, "RSR", 2300)
    await api.handle(
        handlers.on_registration,
        case_event(
            "probation-case.registration.added",
            CRN,
            registrationId="R1",
            registerTypeCode="MAPP",
            registerLevel="M2",
            registerCategory="M1",
        ),
    )
    tier = await _tier(api)
    records = tier["inputs"]["records"]
    assert records["scores"]["RSR"]["value"] == 2300 and records["scores"]["OGRS3"] is None
    assert [(r["id"], r["type"], r["level"], r["category"]) for r in records["registrations"]] == [
        ("R1", "MAPP", "M2", "M1")
    ]
    assert records["assessment"] is None and records["roshVersion"] is None
    assert tier["inputs"]["rsr"] == "23" and tier["inputs"]["mappaLevel"] == "M2"


async def test_ogrs3_responses_carry_their_inputs_and_terms(api):
    """Issue 13 "decisions explained": OGRS3 returns the inputs and the terms of x, on calculation and on reading."""
    import math

    staff = api.staff()
    body = {
        "sex": "MALE",
        "dateOfBirth": "1980-01-01",
        "convictionDate": "2020-01-01",
        "followUpStart": "2020-01-01",
        "totalSanctions": 1,
        "ageAtFirstSanction": 40,
        "offenceCode": "027/00",
    }
    calculated = (await api.client.post("/ogrs3/calculate", json=body, headers=staff)).json()
    assert calculated["inputs"] == body
    terms = calculated["terms"]
    assert terms["x"] == terms["ageGenderWeight"] + terms["statusWeight"] + terms["copas"] + terms["offenceWeight"]
    assert terms["statusWeight"] == 0.12614 and terms["ageGenderWeight"] == -1.4997  # male 40–49, first sanction
    assert round(100 / (1 + math.exp(-(terms["twoYearIntercept"] + terms["x"])))) == calculated["twoYear"]
    assert (await api.client.post(f"/people/{CRN}/scores/ogrs3", json=body, headers=staff)).status_code == 201
    read = (await api.client.get(f"/people/{CRN}/scores", headers=staff)).json()["ogrs3"]
    assert read["inputs"] == body and read["terms"] == terms
