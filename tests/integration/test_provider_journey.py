"""The platform's promise end to end, four real services on the real broker: a practitioner refers a
person to two providers; risk rises in risk-assessment; both providers' referral views show it, and
each provider's webhook receives a signed notification that names no victim."""

from __future__ import annotations

import json

from standardwebhooks import Webhook

from case_allocation.service import SPEC as CASE_ALLOCATION
from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from probation_shared.testing.receiver import Receiver
from refer_monitor.db import queries as referral_queries
from refer_monitor.service import SPEC as REFER_MONITOR
from risk_assessment.service import SPEC as RISK_ASSESSMENT
from webhooks.service import SPEC as WEBHOOKS

VICTIM = {"name": "Jordan Victimson", "address": "9 Hidden Close, Durham DH9 9ZZ", "relationship": "former partner"}
# provider → (contract it holds, intervention it delivers), as refer-monitor's seed data has them
PROVIDERS = {
    "harbour-housing": ("ACC-NE-001", "7b0c6f0e-0000-4000-8000-000000000001"),
    "northern-works": ("ETE-NE-001", "7b0c6f0e-0000-4000-8000-000000000002"),
}


def rosh(level: str, reason: str) -> dict:
    return {
        "community": {"public": level, "knownAdult": level, "children": "LOW", "staff": "LOW"},
        "narrative": {"natureOfRisk": "Violence towards a former partner when drinking", "whoIsAtRisk": "Known adults"},
        "victims": [VICTIM],
        "reason": reason,
    }


async def test_risk_rising_reaches_both_providers_views_and_webhooks_without_victim_details(start_service, tokens):
    cases = await start_service(CASE_ALLOCATION)
    risk = await start_service(RISK_ASSESSMENT)
    referrals = await start_service(
        REFER_MONITOR,
        case_allocation_url=cases.settings.public_base_url,
        risk_assessment_url=risk.settings.public_base_url,
    )
    hooks = await start_service(
        WEBHOOKS,
        allow_insecure_endpoints=True,
        endpoint_allowlist=["127.0.0.1/32"],
        delivery_poll_seconds=0.1,
        retry_schedule_seconds=[0.2],
    )
    await REFER_MONITOR.seed(referrals.database, referrals.settings)
    practitioner = tokens.headers(Role.PRACTITIONER, staff_code="N07A001")
    receivers = {provider: Receiver([]) for provider in PROVIDERS}
    try:
        secrets = {}
        for provider, receiver in receivers.items():
            created = await hooks.client.post(
                f"/providers/{provider}/endpoints",
                json={"url": receiver.url},
                headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=provider),
            )
            assert created.status_code == 201, created.text
            secrets[provider] = created.json()["secret"]

        person = await cases.client.post(
            "/people",
            json={"first_name": "Sam", "last_name": "Taylor", "date_of_birth": "1990-04-01", "sex": "MALE"},
            headers=practitioner,
        )
        assert person.status_code == 201, person.text
        crn = person.json()["crn"]
        address = {
            "status": "MAIN",
            "line1": "12 High Street",
            "town": "Durham",
            "postcode": "DH1 1AA",
            "start_date": "2024-01-01",
        }
        assert (
            await cases.client.post(f"/people/{crn}/addresses", json=address, headers=practitioner)
        ).status_code == 201

        async def risk_knows_person() -> bool:
            return (
                await risk.client.post(f"/people/{crn}/rosh", json=rosh("MEDIUM", "initial"), headers=practitioner)
            ).status_code == 201

        await eventually(risk_knows_person, timeout=30)

        async def referrals_know_address() -> bool:
            async with referrals.database.unit_of_work(read_only=True) as session:
                found = await referral_queries.get_person(session, crn)
                return found is not None and (found.address or {}).get("postcode") == "DH1 1AA"

        await eventually(referrals_know_address, timeout=30)
        async with referrals.database.unit_of_work() as session:  # allocation is case-allocation's own journey
            (await referral_queries.person_for_update(session, crn)).practitioner = {
                "staff_code": "N07A001",
                "name": "Pat Jones",
                "email": "pat.jones@probation.example",
                "phone": "0191 000 0000",
            }

        sent = {}
        for provider, (_, intervention) in PROVIDERS.items():
            draft = await referrals.client.post(
                "/referrals",
                json={"crn": crn, "intervention_id": intervention, "desired_outcomes": ["Settled"]},
                headers=practitioner,
            )
            assert draft.status_code == 201, draft.text
            response = await referrals.client.post(f"/referrals/{draft.json()['id']}/send", headers=practitioner)
            assert response.status_code == 200, response.text
            sent[provider] = response.json()["id"]

        raised = await risk.client.post(
            f"/people/{crn}/rosh", json=rosh("HIGH", "new intelligence from police"), headers=practitioner
        )
        assert raised.status_code == 201, raised.text

        async def both_views_high() -> bool:
            for provider, referral_id in sent.items():
                headers = tokens.headers(
                    Role.PROVIDER_CASEWORKER, provider_id=provider, contract_refs=[PROVIDERS[provider][0]]
                )
                view = (await referrals.client.get(f"/referrals/{referral_id}", headers=headers)).json()[
                    "provider_view"
                ]
                if "HIGH" not in json.dumps(view.get("risk")):
                    return False
            return True

        await eventually(both_views_high, timeout=30)

        def rosh_notifications(provider: str) -> list:
            return [(h, b) for h, b in receivers[provider].received if b"risk-assessment.rosh.changed" in b]

        async def both_notified() -> bool:
            return all(rosh_notifications(provider) for provider in PROVIDERS)

        await eventually(both_notified, timeout=30)
        for provider in PROVIDERS:
            for headers, body in receivers[provider].received:
                Webhook(secrets[provider]).verify(body, headers)  # signed with this provider's own secret
                for secret in VICTIM.values():
                    assert secret.encode() not in body, f"{provider} was sent a victim detail"
            ((_, body),) = rosh_notifications(provider)  # exactly one for the rise
            assert b"HIGH" in body
        full = (await risk.client.get(f"/people/{crn}/risk-summary", headers=practitioner)).json()
        assert VICTIM["name"] in json.dumps(full)  # probation staff still see the victim record
    finally:
        for receiver in receivers.values():
            receiver.close()
