"""Provider-bound text is checked against every victim ever recorded, and refused on a match; previews say
what each audience would see; auditors see levels masked. Each test is a regression of the privacy issue."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_shared.auth import Role

CRN = "T100001"
LEVELS = {"children": "LOW", "public": "HIGH", "knownAdult": "MEDIUM", "staff": "LOW"}


async def rate(api, **body):
    return await api.client.post(
        f"/people/{CRN}/rosh", json={"community": LEVELS, "reason": "review", **body}, headers=api.staff()
    )


async def test_provider_summary_naming_a_victim_is_refused_naming_the_match(api):
    refused = await rate(
        api,
        narrative={"providerSummary": "Keep him away from Jo (his ex) on the High Street near LS1 1AA"},
        victims=[{"name": "Jo Brennan", "address": "14 High Street, Leeds LS1 1AA"}],
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["code"] == "victim-identifier-in-provider-text"
    messages = " ".join(e["message"] for e in problem["errors"])
    assert {e["field"] for e in problem["errors"]} == {"narrative.providerSummary"}
    assert "'jo'" in messages and "postcode" in messages and "high street" in messages
    assert (await api.client.get(f"/people/{CRN}/rosh", headers=api.staff())).status_code == 404  # nothing was written


async def test_a_rerating_that_replaces_the_victims_is_checked_against_the_old_ones_too(api):
    """Found: a re-rating replacing the victim list kept the narrative, and the old victim's name reached
    the provider, because the scrub list came from the current version only."""
    assert (
        await rate(api, narrative={"providerSummary": "Risk to a former partner"}, victims=[{"name": "Priya Shah"}])
    ).status_code == 201
    assert (await rate(api, victims=[{"name": "Tom Reed"}])).status_code == 201
    refused = await rate(api, narrative={"providerSummary": "Risk to Priya when drinking"})
    assert refused.status_code == 422 and "'priya'" in refused.json()["errors"][0]["message"]
    # A new victim list that makes the carried-over summary identifying is refused too.
    assert (await rate(api, victims=[{"name": "Former Partner"}])).status_code == 422


async def test_the_text_check_endpoint_serves_other_services_and_refuses_providers(api):
    await rate(api, victims=[{"name": "Zoë Łukasz", "phone": "07700 900123", "email": "zl@example.org"}])
    check = await api.client.post(
        f"/people/{CRN}/provider-text-check",
        json={"texts": {"additionalRiskInformation": "Call ZOE on 07700900123", "notes": "Attends well"}},
        headers=api.headers(Role.SERVICE),
    )
    assert check.status_code == 200
    assert {(m["field"], m["kind"]) for m in check.json()["matches"]} == {
        ("additionalRiskInformation", "name"),
        ("additionalRiskInformation", "phone"),
    }
    denied = await api.client.post(
        f"/people/{CRN}/provider-text-check",
        json={"texts": {}},
        headers=api.headers(Role.PROVIDER_CASEWORKER, provider_id="P1"),
    )
    assert denied.status_code == 403


async def test_preview_says_what_each_audience_would_see_and_why(api):
    await rate(
        api,
        narrative={"natureOfRisk": "Violence", "providerSummary": "Daytime sessions only"},
        riskToSelf={"selfHarm": {"current": True, "details": "medication review"}},
        victims=[{"name": "Ann Smith"}],
    )
    provider = (
        await api.client.get(
            f"/people/{CRN}/risk-summary/preview", params={"audience": "provider"}, headers=api.staff()
        )
    ).json()
    assert provider["shown"]["summary"] == "Daytime sessions only" and "riskToSelf" not in provider["shown"]
    assert {"field": "riskToSelf", "dataClass": "health", "reason": "consent-missing"} in provider["withheld"]
    consented = (
        await api.client.get(
            f"/people/{CRN}/risk-summary/preview",
            params={"audience": "provider-with-health-consent"},
            headers=api.staff(),
        )
    ).json()
    assert consented["shown"]["riskToSelf"] == [{"kind": "selfHarm", "current": True, "previous": False}]
    auditor = (
        await api.client.get(f"/people/{CRN}/risk-summary/preview", params={"audience": "auditor"}, headers=api.staff())
    ).json()
    assert {"field": "rosh.victims", "dataClass": "victim_details", "reason": "masked"} in auditor["withheld"]
    assert "Ann Smith" not in json.dumps(provider) + json.dumps(auditor)
    # Only probation staff may ask.
    refused = await api.client.get(
        f"/people/{CRN}/risk-summary/preview",
        params={"audience": "provider"},
        headers=api.headers(Role.PROVIDER_CASEWORKER, provider_id="P1"),
    )
    assert refused.status_code == 403


async def test_an_auditor_sees_the_tier_masked(api):
    """Found: GET /people/{crn} showed current_tier to an AUDITOR although the policy masks risk levels."""
    await rate(api)
    staff_view = (await api.client.get(f"/people/{CRN}", headers=api.staff())).json()
    assert staff_view["current_tier"] is not None
    auditor = (await api.client.get(f"/people/{CRN}", headers=api.headers(Role.AUDITOR))).json()
    assert auditor["crn"] == CRN and auditor["current_tier"] == "***"


# Hypothesis over the API: victims and provider text built from them, across re-ratings that replace the list.
syllables = st.sampled_from(["jo", "an", "zo", "ka", "mi", "ra", "lu", "be", "sa", "ni", "el"])
name = st.builds(lambda a, b: (a + b).capitalize(), syllables, syllables)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=name, last=name, replacement=name, use_old=st.booleans())
async def test_no_victim_ever_recorded_reaches_the_provider_view(api, first, last, replacement, use_old):
    crn = f"H{abs(hash((first, last, replacement, use_old))) % 10**6:06d}"
    staff = api.staff()
    base = {"community": LEVELS, "reason": "review"}
    await api.client.post(f"/people/{crn}/rosh", json={**base, "victims": [{"name": f"{first} {last}"}]}, headers=staff)
    await api.client.post(
        f"/people/{crn}/rosh", json={**base, "victims": [{"name": f"{replacement} Q"}]}, headers=staff
    )
    named = first if use_old else replacement
    refused = await api.client.post(
        f"/people/{crn}/rosh",
        json={**base, "narrative": {"providerSummary": f"Avoid {named} at all times"}},
        headers=staff,
    )
    assert refused.status_code == 422, refused.text
    assert named.lower() in refused.text.lower()
    view = await api.client.get(
        f"/people/{crn}/risk-summary", params={"view": "provider"}, headers=api.headers(Role.SERVICE)
    )
    assert not [v for v in _strings(view.json()) if first.lower() in v.lower() or replacement.lower() in v.lower()]


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
