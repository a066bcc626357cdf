"""Assessments, scores and tiers through the API on a real database (events checked in the outbox)."""

from datetime import UTC, datetime

from sqlalchemy import select

from probation_shared.auth import Role
from risk_assessment.db.models import PLATFORM
from risk_assessment.events import handlers

CRN = "X100001"


async def test_assessment_lifecycle_versions_and_as_it_stood(api):
    staff = api.staff()
    started = await api.client.post(f"/people/{CRN}/assessments", json={}, headers=staff)
    assert started.status_code == 201, started.text
    first = started.json()
    assert (first["version"], first["status"]) == (1, "DRAFT")
    assert (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).status_code == 409

    bad = await api.client.patch(
        f"/assessments/{first['id']}",
        headers=staff,
        json={
            "sections": {"ACCOMMODATION": {"answers": {"3.3": "SOME", "3.99": "NONE"}}, "GARDENING": {"answers": {}}}
        },
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in bad.json()["errors"]}
    assert fields == {"sections.ACCOMMODATION.answers.3.3", "sections.ACCOMMODATION.answers.3.99", "sections.GARDENING"}

    not_answered = await api.client.post(f"/assessments/{first['id']}/complete", headers=staff)
    assert not_answered.status_code == 422
    assert "sections.ATTITUDES.answers.12.1" in {e["field"] for e in not_answered.json()["errors"]}

    sections = api.answers_at(
        "NONE", ACCOMMODATION={"3.3": "YES", "3.4": "SIGNIFICANT", "3.5": "SIGNIFICANT", "3.6": "SOME"}
    )
    sections["ACCOMMODATION"]["linkedToHarm"] = True
    saved = await api.client.patch(f"/assessments/{first['id']}", headers=staff, json={"sections": sections})
    assert saved.status_code == 200, saved.text
    between = datetime.now(UTC)

    done = await api.client.post(f"/assessments/{first['id']}/complete", headers=staff)
    assert done.status_code == 200, done.text
    body = done.json()
    accommodation = next(s for s in body["sections"] if s["code"] == "ACCOMMODATION")
    assert (
        accommodation["score"],
        accommodation["severity"],
        accommodation["identifiedNeed"],
        accommodation["linkedToHarm"],
    ) == (7, "SEVERE", True, True)
    assert body["status"] == "COMPLETE" and body["completedBy"] == "practitioner-1"

    locked = await api.client.patch(
        f"/assessments/{first['id']}", headers=staff, json={"sections": {"ATTITUDES": {"answers": {"12.1": "SOME"}}}}
    )
    assert locked.status_code == 409

    summary = await api.outbox("assessment.summary.produced")
    assert summary[0]["additionalInformation"] == {"assessmentId": first["id"], "version": 1}
    assert summary[0]["detailUrl"] == f"http://risk-assessment.test/assessments/{first['id']}"
    assert (await api.client.get(summary[0]["detailUrl"], headers=staff)).status_code == 200

    # A later change is a new version, starting from the completed answers.
    second = (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    assert second["version"] == 2 and next(s for s in second["sections"] if s["code"] == "ACCOMMODATION")["score"] == 7
    await api.client.patch(
        f"/assessments/{second['id']}", headers=staff, json={"sections": {"ACCOMMODATION": {"answers": {"3.3": "NO"}}}}
    )

    as_it_stood = await api.client.get(f"/assessments/{first['id']}", params={"at": between.isoformat()}, headers=staff)
    assert as_it_stood.json()["status"] == "DRAFT"
    current = await api.client.get(
        f"/people/{CRN}/assessments", params={"at": datetime.now(UTC).isoformat()}, headers=staff
    )
    assert current.json()["version"] == 2
    assert next(s for s in current.json()["sections"] if s["code"] == "ACCOMMODATION")["score"] == 5
    listed = (await api.client.get(f"/people/{CRN}/assessments", headers=staff)).json()
    assert [(a["version"], a["status"]) for a in listed] == [(1, "COMPLETE"), (2, "DRAFT")]
    before_anything = await api.client.get(
        f"/people/{CRN}/assessments", params={"at": "2000-01-01T00:00:00Z"}, headers=staff
    )
    assert before_anything.status_code == 404


async def test_ogrs3_and_recorded_scores(api):
    staff = api.staff()
    acceptance = {
        "sex": "MALE",
        "dateOfBirth": "1980-01-01",
        "convictionDate": "2020-01-01",
        "followUpStart": "2040-01-01",
        "totalSanctions": 1,
        "ageAtFirstSanction": 40,
        "offenceCode": "027/00",
    }
    calculated = await api.client.post("/ogrs3/calculate", json=acceptance, headers=staff)
    assert calculated.status_code == 200
    assert (calculated.json()["oneYear"], calculated.json()["twoYear"], calculated.json()["band"]) == (7, 13, "LOW")

    for change, field in [
        ({"offenceCode": "088/00"}, "offenceCode"),
        ({"ageAtFirstSanction": 41}, "ageAtFirstSanction"),
        ({"totalSanctions": 0}, "totalSanctions"),
        ({"dateOfBirth": "2015-01-01"}, "convictionDate"),
        ({"sex": "X"}, "sex"),
        ({"dateOfBirth": "not a date"}, "dateOfBirth"),
    ]:
        refused = await api.client.post(f"/people/{CRN}/scores/ogrs3", json={**acceptance, **change}, headers=staff)
        assert refused.status_code == 422, (change, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in refused.json()["errors"]}, refused.json()
    assert await api.outbox("risk-assessment.scores.determined") == []  # nothing accepted, nothing published

    recorded = await api.client.post(f"/people/{CRN}/scores/ogrs3", json=acceptance, headers=staff)
    assert recorded.status_code == 201
    for bad, field in [
        ({"rsr": 100}, "rsr"),
        ({"rsr": -1}, "rsr"),
        ({"rsr": "1.234"}, "rsr"),
        ({"ospC": 5}, "ospCBand"),
        ({}, "rsr"),
    ]:
        refused = await api.client.post(f"/people/{CRN}/scores", json=bad, headers=staff)
        assert refused.status_code == 422 and field in {e["field"] for e in refused.json()["errors"]}, (
            bad,
            refused.text,
        )
    rsr = await api.client.post(
        f"/people/{CRN}/scores", json={"rsr": "6.9", "ospC": "1.5", "ospCBand": "LOW"}, headers=staff
    )
    assert rsr.status_code == 201, rsr.text
    assert (rsr.json()["rsr"]["value"], rsr.json()["rsr"]["band"]) == (6.9, "HIGH")
    assert rsr.json()["ogrs3"]["value"] == 13 and rsr.json()["ogrs3"]["oneYear"] == 7

    determined = await api.outbox("risk-assessment.scores.determined")
    assert [e["additionalInformation"] for e in determined] == [
        {"ogrs3TwoYear": 13, "ogrs3Band": "LOW", "rsrScore": None, "rsrBand": None},
        {"ogrs3TwoYear": 13, "ogrs3Band": "LOW", "rsrScore": 6.9, "rsrBand": "HIGH"},
    ]
    assert determined[0]["detailUrl"].endswith(f"/people/{CRN}/scores")
    assert (await api.client.get(determined[0]["detailUrl"], headers=staff)).status_code == 200
    # RSR 6.9 is a HIGH band but 10 tier points (7.00 is the tier's threshold): protect C.
    tier = (await api.client.get(f"/people/{CRN}/tier", headers=staff)).json()
    assert tier["protectPoints"] == 10 and tier["tier"] == "C0"


async def test_tier_acceptance_from_events_and_assessment(api):
    """RSR 23, MAPPA M2, custodial sentence, no assessment → A2; all eight scored sections severe → A3."""
    staff = api.staff()
    await api.handle(
        handlers.on_sentence_or_requirement,
        api.event(
            "probation-case.sentence.created",
            CRN,
            sentenceId="S1",
            sentenceType="CUSTODY",
            custodial=True,
            mandateForChange=True,
        ),
    )
    await api.handle(
        handlers.on_registration,
        api.event(
            "probation-case.registration.added",
            CRN,
            registrationId="R1",
            registerTypeCode="MAPP",
            registerLevel="M2",
            registerCategory="M1",
        ),
    )
    assert (await api.client.post(f"/people/{CRN}/scores", json={"rsr": 23}, headers=staff)).status_code == 201
    tier = (await api.client.get(f"/people/{CRN}/tier", headers=staff)).json()
    assert tier["tier"] == "A2"
    assert tier["breakdown"]["protect"]["rsrPoints"] == 20 and tier["breakdown"]["protect"]["mappaPoints"] == 150
    assert tier["inputs"]["mappaLevel"] == "M2" and tier["inputs"]["needs"] is None

    assessment = (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    await api.client.patch(
        f"/assessments/{assessment['id']}", json={"sections": api.answers_at("SIGNIFICANT")}, headers=staff
    )
    assert (await api.client.post(f"/assessments/{assessment['id']}/complete", headers=staff)).status_code == 200
    tier = (await api.client.get(f"/people/{CRN}/tier", headers=staff)).json()
    assert tier["tier"] == "A3" and tier["changePoints"] == 20 and tier["trigger"] == "assessment.completed"

    # Deregistering MAPPA drops protect to B (RSR 20 points only).
    await api.handle(
        handlers.on_registration,
        api.event("probation-case.registration.deregistered", CRN, registrationId="R1", registerTypeCode="MAPP"),
    )
    history = (await api.client.get(f"/people/{CRN}/tier/history", headers=staff)).json()["calculations"]
    assert [c["tier"] for c in history][:2] == ["B3", "A3"]
    assert history[0]["previousTier"] == "A3" and history[0]["changed"] is True

    complete = await api.outbox("tier.calculation.complete")
    changed = await api.outbox("tier.calculation.changed")
    assert [e["additionalInformation"]["tier"] for e in complete] == ["D2", "A2", "A2", "A3", "B3"]
    assert [e["additionalInformation"]["changed"] for e in complete] == [True, True, False, True, True]
    assert [(e["additionalInformation"]["tier"], e["additionalInformation"]["previousTier"]) for e in changed] == [
        ("D2", None),
        ("A2", "D2"),
        ("A3", "A2"),
        ("B3", "A3"),
    ]
    assert all(e["detailUrl"] == f"http://risk-assessment.test/people/{CRN}/tier" for e in complete + changed)


async def test_registration_rules_of_tier_inputs(api):
    """Complexity factors count once per distinct code; PRC adds S; IOM adds 2 change points; women's factors."""
    staff = api.staff()
    crn = "F200002"
    async with api.service.database.unit_of_work() as session:
        from risk_assessment.db import queries

        person = await queries.ensure_person(session, crn, datetime.now(UTC))
        person.sex = "FEMALE"
    for rid, code in [("C1", "RVLN"), ("C2", "RVLN"), ("C3", "STRG"), ("P1", "PRC"), ("I1", "IIOM"), ("H1", "RMRH")]:
        await api.handle(
            handlers.on_registration,
            api.event("probation-case.registration.added", crn, registrationId=rid, registerTypeCode=code),
        )
    await api.handle(
        handlers.on_sentence_or_requirement,
        api.event(
            "probation-case.requirement.created",
            crn,
            sentenceId="S1",
            requirementId="Q1",
            requirementType="RAR",
            mandateForChange=True,
        ),
    )
    await api.handle(handlers.on_breach, api.event("enforcement.breach.raised", crn, breachId="B1"))
    tier = (await api.client.get(f"/people/{crn}/tier", headers=staff)).json()
    # RoSH MEDIUM (registration) 10 + 2 distinct complexity factors 4 + previous enforcement (woman) 2 = 16 → C;
    # no assessment → 2
    assert tier["protectPoints"] == 16 and tier["tier"] == "C2S"
    assert tier["breakdown"]["protect"]["complexityFactors"] == ["RVLN", "STRG"]

    assessment = (await api.client.post(f"/people/{crn}/assessments", headers=staff)).json()
    sections = api.answers_at("NONE", RELATIONSHIPS={"6.9": "YES"}, THINKING_BEHAVIOUR={"11.4": "SOME"})
    await api.client.patch(f"/assessments/{assessment['id']}", json={"sections": sections}, headers=staff)
    await api.client.post(f"/assessments/{assessment['id']}/complete", headers=staff)
    tier = (await api.client.get(f"/people/{crn}/tier", headers=staff)).json()
    # + parenting 2 + temper 2 = 20 → B; relationships 2 (standard) → 1 point, IOM 2 → 3 → change 1
    assert tier["protectPoints"] == 20 and tier["changePoints"] == 3 and tier["tier"] == "B1S"

    # An assessed RoSH newer than the registration takes over.
    rated = await api.client.post(
        f"/people/{crn}/rosh",
        headers=staff,
        json={
            "community": {"children": "LOW", "public": "LOW", "knownAdult": "LOW", "staff": "LOW"},
            "reason": "reviewed",
        },
    )
    assert rated.status_code == 201
    tier = (await api.client.get(f"/people/{crn}/tier", headers=staff)).json()
    assert tier["breakdown"]["protect"]["roshPoints"] == 0 and tier["tier"] == "C1S"

    # Recalculating with nothing changed publishes complete only.
    before = len(await api.outbox("tier.calculation.changed"))
    again = await api.client.post(f"/people/{crn}/tier/recalculate", headers=staff)
    assert again.status_code == 201 and again.json()["changed"] is False
    assert len(await api.outbox("tier.calculation.changed")) == before
    assert (await api.outbox("tier.calculation.complete"))[-1]["additionalInformation"]["changed"] is False


async def test_reads_are_audited(api):
    staff = api.staff()
    await api.client.post(
        f"/people/{CRN}/rosh",
        headers=staff,
        json={
            "community": {"children": "LOW", "public": "MEDIUM", "knownAdult": "LOW", "staff": "LOW"},
            "reason": "initial",
        },
    )
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=staff)).status_code == 200
    assert (await api.client.get(f"/people/{CRN}/risk-summary", headers=api.headers(Role.SERVICE))).status_code == 200
    async with api.service.database.sessions() as session:
        rows = (await session.execute(select(PLATFORM.audit_log))).all()
    assert [(r.actor, r.subject_crn, r.action) for r in rows] == [("practitioner-1", CRN, "read-risk-summary-full")]
