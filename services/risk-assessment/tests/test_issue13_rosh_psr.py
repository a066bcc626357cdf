"""Issue 13, risk-assessment RoSH and PSR items: each test failed before its fix."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from sqlalchemy import select

from risk_assessment.db.models import AssessmentRevision
from risk_assessment.domain import psr
from risk_assessment.domain.needs import Severity

CRN = "X300001"
COMMUNITY = {"children": "LOW", "public": "MEDIUM", "knownAdult": "LOW", "staff": "LOW"}


async def _rate(api, **body):
    return await api.client.post(
        f"/people/{CRN}/rosh", json={"community": COMMUNITY, "reason": "r", **body}, headers=api.staff()
    )


async def test_custody_ratings_can_be_cleared_explicitly_and_are_kept_when_omitted(api):
    assert (await _rate(api, custody={"prisoners": "VERY_HIGH", "staff": "HIGH"})).json()["custody"] == {
        "prisoners": "VERY_HIGH",
        "staff": "HIGH",
    }
    kept = (await _rate(api)).json()  # omitted: carried over
    assert kept["custody"] == {"prisoners": "VERY_HIGH", "staff": "HIGH"} and kept["overall"] == "VERY_HIGH"
    one_cleared = (await _rate(api, custody={"prisoners": None})).json()
    assert one_cleared["custody"] == {"staff": "HIGH"} and one_cleared["overall"] == "HIGH"
    cleared = await _rate(api, custody=None)
    assert cleared.status_code == 201, cleared.text
    assert cleared.json()["custody"] is None and cleared.json()["overall"] == "MEDIUM"
    summary = (await api.client.get(f"/people/{CRN}/risk-summary", headers=api.staff())).json()
    assert summary["rosh"]["overall"] == "MEDIUM"


async def test_a_whitespace_reason_is_refused_naming_reason(api):
    refused = await api.client.post(
        f"/people/{CRN}/rosh", json={"community": COMMUNITY, "reason": "  \t\n "}, headers=api.staff()
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"].endswith("reason") for e in refused.json()["errors"]), refused.json()
    assert await api.outbox("risk-assessment.rosh.changed") == []


async def test_rosh_changed_is_published_only_when_the_overall_level_changes(api):
    await _rate(api)  # MEDIUM, first version
    await _rate(api, community={**COMMUNITY, "children": "MEDIUM"})  # still MEDIUM
    await _rate(api, community={**COMMUNITY, "public": "HIGH"})  # HIGH
    history = (await api.client.get(f"/people/{CRN}/rosh", headers=api.staff())).json()
    assert [v["version"] for v in history] == [1, 2, 3]
    changed = [e["additionalInformation"] for e in await api.outbox("risk-assessment.rosh.changed")]
    assert changed == [
        {"overallLevel": "MEDIUM", "previousLevel": None, "version": 1},
        {"overallLevel": "HIGH", "previousLevel": "MEDIUM", "version": 3},
    ]


async def test_as_at_reads_with_a_non_utc_offset(api):
    staff = api.staff()
    assessment = (await api.client.post(f"/people/{CRN}/assessments", headers=staff)).json()
    async with api.service.database.sessions() as session:
        saved = (
            await session.scalars(
                select(AssessmentRevision.saved_at).where(AssessmentRevision.assessment_id == assessment["id"])
            )
        ).first()
    saved = saved if saved.tzinfo else saved.replace(tzinfo=UTC)
    plus_one, minus_five = timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))

    # 30 minutes before it existed, written at +01:00 (its digits read later than the saved time)
    before = (saved - timedelta(minutes=30)).astimezone(plus_one).isoformat()
    assert (
        await api.client.get(f"/assessments/{assessment['id']}", params={"at": before}, headers=staff)
    ).status_code == 404
    assert (await api.client.get(f"/people/{CRN}/assessments", params={"at": before}, headers=staff)).status_code == 404
    # 30 minutes after, written at -05:00 (its digits read earlier than the saved time)
    after = (saved + timedelta(minutes=30)).astimezone(minus_five).isoformat()
    found = await api.client.get(f"/assessments/{assessment['id']}", params={"at": after}, headers=staff)
    assert found.status_code == 200, found.text
    assert (await api.client.get(f"/people/{CRN}/assessments", params={"at": after}, headers=staff)).json()[
        "id"
    ] == assessment["id"]


async def test_without_any_assessment_the_proposal_says_no_assessment_exists(api):
    made = await api.client.post(
        f"/people/{CRN}/psr-proposals",
        json={"offenceCode": "038/00", "offenceDescription": "Theft from a shop"},
        headers=api.staff(),
    )
    assert made.status_code == 201, made.text
    reasons = " ".join(r for option in made.json()["options"] for r in option["reasons"])
    assert "no assessment exists" in reasons and "no identified criminogenic need" not in reasons
    assert made.json()["inputs"]["assessmentId"] is None


def test_an_assessed_person_without_needs_still_has_no_identified_need():
    inputs = psr.PsrInputs("038/00", "Theft", {"ACCOMMODATION": Severity.NO_NEED}, None, None)
    assert psr.propose(inputs)[0].reasons[0].startswith("no identified criminogenic need")


async def test_a_fine_with_community_requirements_is_refused(api):
    staff = api.staff()
    made = (
        await api.client.post(
            f"/people/{CRN}/psr-proposals", json={"offenceCode": "038/00", "offenceDescription": "Theft"}, headers=staff
        )
    ).json()
    refused = await api.client.post(
        f"/psr-proposals/{made['id']}/override",
        json={"sentenceType": "FINE", "requirements": ["RAR", "UPW", "CURFEW"], "reason": "x"},
        headers=staff,
    )
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "requirements"
    assert (await api.client.get(f"/psr-proposals/{made['id']}", headers=staff)).json()["override"] is None
    blank = await api.client.post(
        f"/psr-proposals/{made['id']}/override", json={"sentenceType": "FINE", "reason": "   "}, headers=staff
    )
    assert blank.status_code == 422 and any(e["field"].endswith("reason") for e in blank.json()["errors"])
    fine = await api.client.post(
        f"/psr-proposals/{made['id']}/override", json={"sentenceType": "FINE", "reason": "Means"}, headers=staff
    )
    assert fine.status_code == 200
