"""Through the real API, over generated organisations, contracts (prime + subcontractors), referral states,
categories, consents and overrides: the providers notified of an update are exactly the other
organisations whose timeline shows it; the author's organisation always sees its own; after a WITHHOLD
no other organisation does; after a RELEASE the release notification goes exactly to those who now see it.

Hypothesis draws the worlds (its examples are collected first, then played against one running service,
since each needs a dozen requests)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_shared.auth import Role

ORGS = [f"hy-org-{i}" for i in range(4)]
CATEGORIES = [
    "ATTENDANCE_ENGAGEMENT",
    "ACCOMMODATION_STATUS",
    "EMPLOYMENT_STATUS",
    "SAFEGUARDING_CONCERN",
    "HEALTH_DEPENDENCY",
    "GENERAL",
]
_serial = itertools.count(1)


@st.composite
def worlds(draw):
    contracts = []
    for _ in range(draw(st.integers(1, 3))):
        prime = draw(st.sampled_from(ORGS))
        subs = draw(st.lists(st.sampled_from([o for o in ORGS if o != prime]), max_size=2, unique=True))
        contracts.append([prime, *subs])
    referrals = [
        (draw(st.integers(0, len(contracts) - 1)), draw(st.booleans())) for _ in range(draw(st.integers(1, 3)))
    ]
    source = draw(st.integers(0, len(referrals) - 1))
    referrals[source] = (referrals[source][0], True)  # an update is posted on an active referral
    return {
        "contracts": contracts,
        "referrals": referrals,
        "source": source,
        "author": draw(st.sampled_from(contracts[referrals[source][0]])),
        "category": draw(st.sampled_from(CATEGORIES)),
        "consent": draw(st.sampled_from([None, True, False])),
        "override": draw(st.sampled_from([None, "RELEASE", "WITHHOLD"])),
    }


def collect(n: int) -> list[dict]:
    found: list[dict] = []

    @settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(worlds())
    def gather(world):
        found.append(world)

    gather()
    return found


async def _play(api, world) -> None:
    n = next(_serial)
    crn = f"Y{n:06d}"
    commissioner = api.tokens.headers(Role.COMMISSIONER)
    refs, interventions = [], []
    for i, (prime, *subs) in enumerate(world["contracts"]):
        ref = f"HY{n:04d}-C{i}"
        body = {
            "reference": ref,
            "contract_type": "ACC",
            "prime_provider_id": prime,
            "subcontractor_ids": subs,
            "region": "North East",
            "referral_start_date": "2024-01-01",
            "referral_end_date": "2030-12-31",
            "fixed_price_pence": 0,
            "volume_cap": 1000,
        }
        assert (await api.client.post("/contracts", json=body, headers=commissioner)).status_code == 201
        made = await api.client.post(
            "/interventions", json={"contract_reference": ref, "title": f"Hypothesis {ref}"}, headers=commissioner
        )
        refs.append(ref)
        interventions.append(made.json()["id"])
    holds = {org: [refs[i] for i, providers in enumerate(world["contracts"]) if org in providers] for org in ORGS}
    token = {
        org: api.tokens.headers(
            Role.PROVIDER_CASEWORKER, subject=f"cw@{org}", provider_id=org, contract_refs=holds[org]
        )
        for org in ORGS
    }
    api.upstream.add_person(crn)
    sent = [await api.sent(crn, interventions[c]) for c, _ in world["referrals"]]
    for (_, active), referral in zip(world["referrals"], sent, strict=True):
        if not active:
            assert (
                await api.client.post(
                    f"/referrals/{referral['id']}/withdraw", json={"code": "INE"}, headers=api.practitioner()
                )
            ).status_code == 200
    if world["consent"] is not None and world["category"] != "SAFEGUARDING_CONCERN":
        consent = await api.client.put(
            f"/people/{crn}/sharing-consent/{world['category']}",
            json={"granted": world["consent"]},
            headers=api.practitioner(),
        )
        assert consent.status_code == 200
    author = world["author"]
    posted = await api.client.post(
        f"/referrals/{sent[world['source']]['id']}/updates",
        json={"category": world["category"], "text": f"update {n}"},
        headers=token[author],
    )
    assert posted.status_code == 201, posted.text
    update_id = posted.json()["id"]

    async def sees() -> set[str]:
        found = set()
        for org in ORGS:
            response = await api.client.get(f"/people/{crn}/timeline", headers=token[org])
            if response.status_code == 200 and any(e.get("update_id") == update_id for e in response.json()["entries"]):
                found.add(org)
        return found

    async def notified(since: set[str]) -> tuple[list[str], set[str]]:
        """Providers notified of this update by notifications not in `since`, and every notification id so far."""
        rows = await api.outbox("partner-notifications")
        ours = [
            r
            for r in rows
            if r["event"].additionalInformation["notificationType"] == "intervention.provider-update.created"
            and r["event"].additionalInformation["payload"]["update"]["id"] == update_id
        ]
        return sorted(r["key"] for r in ours if str(r["event"].eventId) not in since), {
            str(r["event"].eventId) for r in rows
        }

    visible = await sees()
    assert author in visible, world
    at_post, seen = await notified(set())
    assert at_post == sorted(visible - {author}), world
    if world["override"] is not None:
        decided = await api.client.put(
            f"/provider-updates/{update_id}/sharing-override",
            json={"decision": world["override"], "reason": "test"},
            headers=api.practitioner(),
        )
        assert decided.status_code == 200
        after = await sees()
        assert author in after
        if world["override"] == "WITHHOLD":
            assert after == {author}, world
        else:
            assert (await notified(seen))[0] == sorted(after - {author}), world
    practitioner = await api.client.get(f"/people/{crn}/timeline", headers=api.practitioner())
    assert any(e.get("update_id") == update_id for e in practitioner.json()["entries"])
    assert (
        await api.client.get(f"/people/{crn}/timeline", headers=api.tokens.headers(Role.COMMISSIONER))
    ).status_code == 403


async def test_notified_providers_are_exactly_those_whose_timeline_shows_the_update(api, h):
    commissioner = api.tokens.headers(Role.COMMISSIONER)
    for org in ORGS:
        assert (
            await api.client.post("/providers", json={"id": org, "name": org}, headers=commissioner)
        ).status_code == 201
    for world in collect(12):
        await _play(api, world)
