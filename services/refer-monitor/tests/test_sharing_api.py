"""Provider updates and the person-level timeline: each viewer sees exactly what the policy allows."""

from probation_shared.auth import Role


async def _two_providers(api, h, crn):
    acc = await api.sent(crn)
    ete = await api.sent(crn, h.ETE_INTERVENTION)
    return acc, ete, api.provider("harbour-housing", h.ACC), api.provider("northern-works", h.ETE)


def _updates(timeline):
    return {(e["category"], e["text"]) for e in timeline["entries"] if e["kind"] == "provider-update"}


async def test_cross_provider_sharing_acceptance(api, h):
    crn = "X300001"
    acc, ete, acc_hdr, ete_hdr = await _two_providers(api, h, crn)
    employment = await api.client.post(
        f"/referrals/{ete['id']}/updates",
        json={"category": "EMPLOYMENT_STATUS", "text": "Started a job"},
        headers=ete_hdr,
    )
    assert employment.status_code == 201, employment.text
    health = await api.client.post(
        f"/referrals/{ete['id']}/updates",
        json={"category": "HEALTH_DEPENDENCY", "text": "Relapse reported"},
        headers=ete_hdr,
    )
    assert health.status_code == 201
    seen = (await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()
    assert _updates(seen) == {("EMPLOYMENT_STATUS", "Started a job")}
    # The referral milestones shown are only the viewer's own referrals.
    assert {e["referral_id"] for e in seen["entries"] if e["kind"].startswith("referral.")} == {acc["id"]}
    # The notification about the employment update went to the accommodation provider; the health one did not.
    created = [
        n
        for n in await api.outbox("partner-notifications")
        if n["event"].additionalInformation["notificationType"] == "intervention.provider-update.created"
    ]
    assert [(n["key"], n["event"].additionalInformation["payload"]["update"]["category"]) for n in created] == [
        ("bridge-wellbeing", "EMPLOYMENT_STATUS"),
        ("harbour-housing", "EMPLOYMENT_STATUS"),
    ]
    # Consent recorded → the health update becomes visible to the other provider.
    consent = await api.client.put(
        f"/people/{crn}/sharing-consent/HEALTH_DEPENDENCY",
        json={"granted": True, "note": "signed form"},
        headers=api.practitioner(),
    )
    assert consent.status_code == 200
    assert _updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()) == {
        ("EMPLOYMENT_STATUS", "Started a job"),
        ("HEALTH_DEPENDENCY", "Relapse reported"),
    }
    # A third provider with no referral for the person sees nothing.
    third = api.provider("keystone-finance", "FBD-LDN-001")
    assert (await api.client.get(f"/people/{crn}/timeline", headers=third)).status_code == 404
    # The author sees its own; the practitioner sees everything.
    assert len(_updates((await api.client.get(f"/people/{crn}/timeline", headers=ete_hdr)).json())) == 2
    assert len(_updates((await api.client.get(f"/people/{crn}/timeline", headers=api.practitioner())).json())) == 2
    assert (
        await api.client.get(f"/people/{crn}/timeline", headers=api.tokens.headers(Role.COMMISSIONER))
    ).status_code == 403


async def test_safeguarding_goes_to_the_practitioner_and_another_provider_only_when_released(api, h):
    crn = "X300002"
    acc, ete, acc_hdr, ete_hdr = await _two_providers(api, h, crn)
    posted = (
        await api.client.post(
            f"/referrals/{ete['id']}/updates",
            json={"category": "SAFEGUARDING_CONCERN", "text": "Child at risk"},
            headers=ete_hdr,
        )
    ).json()
    assert _updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()) == set()
    assert ("SAFEGUARDING_CONCERN", "Child at risk") in _updates(
        (await api.client.get(f"/people/{crn}/timeline", headers=api.practitioner())).json()
    )
    # Consent cannot open safeguarding; only a practitioner's release, with a reason, does.
    assert (
        await api.client.put(
            f"/people/{crn}/sharing-consent/SAFEGUARDING_CONCERN", json={"granted": True}, headers=api.practitioner()
        )
    ).status_code == 422
    no_reason = await api.client.put(
        f"/provider-updates/{posted['id']}/sharing-override",
        json={"decision": "RELEASE", "reason": ""},
        headers=api.practitioner(),
    )
    assert no_reason.status_code == 422
    released = await api.client.put(
        f"/provider-updates/{posted['id']}/sharing-override",
        json={"decision": "RELEASE", "reason": "Accommodation provider hosts the child"},
        headers=api.practitioner(),
    )
    assert released.status_code == 200 and released.json()["author"] == "pp-1"
    entries = (await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()["entries"]
    shared = [e for e in entries if e["kind"] == "provider-update"]
    assert [(e["text"], e["shared_because"]) for e in shared] == [("Child at risk", "released-by-practitioner")]


async def test_withheld_update_and_ended_referral_stop_sharing(api, h):
    crn = "X300003"
    acc, ete, acc_hdr, ete_hdr = await _two_providers(api, h, crn)
    posted = (
        await api.client.post(
            f"/referrals/{ete['id']}/updates",
            json={"category": "ACCOMMODATION_STATUS", "text": "Sofa surfing"},
            headers=ete_hdr,
        )
    ).json()
    assert len(_updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json())) == 1
    await api.client.put(
        f"/provider-updates/{posted['id']}/sharing-override",
        json={"decision": "WITHHOLD", "reason": "Disputed"},
        headers=api.practitioner(),
    )
    assert _updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()) == set()
    await api.client.put(
        f"/provider-updates/{posted['id']}/sharing-override",
        json={"decision": "RELEASE", "reason": "Confirmed"},
        headers=api.practitioner(),
    )
    assert len(_updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json())) == 1
    # Once the viewer's own referral is no longer active, it no longer shares in other providers' updates.
    await api.client.post(f"/referrals/{acc['id']}/withdraw", json={"code": "NEE"}, headers=api.practitioner())
    assert _updates((await api.client.get(f"/people/{crn}/timeline", headers=acc_hdr)).json()) == set()
