"""Police partners end to end, four real services on the real broker and real HTTP receivers: a MAPPA
case's drug-test result and RoSH rise reach the webhook of the force covering the person's PDU, signed
and rendered for the police (no substances, no victim, no narrative); a person with neither IOM nor MAPPA
reaches no force; another force hears nothing; a provider endpoint under the same name hears nothing."""

from __future__ import annotations

import json

from sqlalchemy import select
from standardwebhooks import Webhook

from case_allocation.db.models import PLATFORM as CASE_PLATFORM
from case_allocation.service import SPEC as CASE_ALLOCATION
from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from probation_shared.testing.receiver import Receiver
from refer_monitor.db.models import PLATFORM as REFER_PLATFORM
from refer_monitor.service import SPEC as REFER_MONITOR
from risk_assessment.service import SPEC as RISK_ASSESSMENT
from webhooks.service import SPEC as WEBHOOKS

FORCE, OTHER_FORCE = "met-police", "kent-police"
PDU, SPO, PRACTITIONER = "LON01", "LON01T1S01", "LON01T1S02"
VICTIM = {"name": "Jordan Victimson", "address": "9 Hidden Close, Durham DH9 9ZZ", "relationship": "former partner"}
NARRATIVE = "Violence towards a former partner when drinking"


def rosh(level: str, reason: str) -> dict:
    return {
        "community": {"public": level, "knownAdult": level, "children": "LOW", "staff": "LOW"},
        "narrative": {"natureOfRisk": NARRATIVE, "whoIsAtRisk": "Known adults"},
        "victims": [VICTIM],
        "reason": reason,
    }


async def test_a_mappa_cases_drug_test_and_rosh_rise_reach_only_the_covering_forces_webhook(start_service, tokens):
    cases = await start_service(CASE_ALLOCATION)
    await CASE_ALLOCATION.seed(cases.database, cases.settings)
    risk = await start_service(RISK_ASSESSMENT)
    referrals = await start_service(
        REFER_MONITOR,
        case_allocation_url=cases.settings.public_base_url,
        risk_assessment_url=risk.settings.public_base_url,
        police_force_areas={FORCE: [PDU], OTHER_FORCE: ["KSS01"]},
    )
    hooks = await start_service(
        WEBHOOKS,
        allow_insecure_endpoints=True,
        endpoint_allowlist=["127.0.0.1/32"],
        delivery_poll_seconds=0.1,
        retry_schedule_seconds=[0.2],
    )
    practitioner = tokens.headers(Role.PRACTITIONER, staff_code=PRACTITIONER)
    spo = tokens.headers(Role.SENIOR_PROBATION_OFFICER, staff_code=SPO, pdu=PDU)
    police, other_police, provider = Receiver([]), Receiver([]), Receiver([])
    try:
        created = await hooks.client.post(
            f"/police/{FORCE}/endpoints",
            json={"url": police.url},
            headers=tokens.headers(Role.POLICE_PARTNER, force_id=FORCE),
        )
        assert created.status_code == 201, created.text
        assert created.json()["partner_kind"] == "POLICE"
        secret = created.json()["secret"]
        other = await hooks.client.post(
            f"/police/{OTHER_FORCE}/endpoints",
            json={"url": other_police.url},
            headers=tokens.headers(Role.POLICE_PARTNER, force_id=OTHER_FORCE),
        )
        assert other.status_code == 201, other.text
        # A provider whose id is spelt like the force: the kinds never mix, whatever the names.
        same_name = await hooks.client.post(
            f"/providers/{FORCE}/endpoints",
            json={"url": provider.url},
            headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=FORCE),
        )
        assert same_name.status_code == 201, same_name.text

        async def person_on_a_drug_rehabilitation_requirement(last_name: str) -> tuple[str, int]:
            person = await cases.client.post(
                "/people",
                json={"first_name": "Sam", "last_name": last_name, "date_of_birth": "1990-04-01", "sex": "MALE"},
                headers=practitioner,
            )
            assert person.status_code == 201, person.text
            crn = person.json()["crn"]
            sentence = await cases.client.post(
                f"/people/{crn}/sentences",
                json={
                    "conviction_date": "2025-12-18",
                    "court": "Highbury Corner Magistrates' Court",
                    "offences": [{"code": "02801", "description": "Burglary in a dwelling", "main": True}],
                    "sentence_type": "COMMUNITY_ORDER",
                    "sentence_date": "2025-12-18",
                    "length": {"value": 12, "unit": "MONTHS"},
                    "pdu_code": PDU,
                    "requirements": [{"requirement_type": "DRR", "length": 6}],
                },
                headers=practitioner,
            )
            assert sentence.status_code == 201, sentence.text
            allocated = await cases.client.post(
                f"/cases/{sentence.json()['case_id']}/allocation", json={"staff_code": PRACTITIONER}, headers=spo
            )
            assert allocated.status_code == 200, allocated.text
            return crn, sentence.json()["requirements"][0]["id"]

        async def drug_test(crn: str, requirement_id: int) -> int:
            recorded = await cases.client.post(
                f"/people/{crn}/drug-tests",
                json={
                    "requirement_id": requirement_id,
                    "test_date": "2026-11-01",
                    "result": "POSITIVE",
                    "substances": ["cocaine"],
                },
                headers=practitioner,
            )
            assert recorded.status_code == 201, recorded.text
            return recorded.json()["id"]

        mappa, mappa_drr = await person_on_a_drug_rehabilitation_requirement("Mappa")
        plain, plain_drr = await person_on_a_drug_rehabilitation_requirement("Plain")
        registered = await cases.client.post(
            f"/people/{mappa}/registrations",
            json={"type_code": "MAPP", "level": "M2", "category": "M1", "registered_on": "2026-01-01"},
            headers=practitioner,
        )
        assert registered.status_code == 201, registered.text

        plain_test = await drug_test(plain, plain_drr)
        await drug_test(mappa, mappa_drr)

        async def risk_knows(crn: str) -> bool:
            return (
                await risk.client.post(f"/people/{crn}/rosh", json=rosh("MEDIUM", "initial"), headers=practitioner)
            ).status_code == 201

        await eventually(lambda: risk_knows(mappa), timeout=30)
        raised = await risk.client.post(
            f"/people/{mappa}/rosh", json=rosh("HIGH", "new intelligence"), headers=practitioner
        )
        assert raised.status_code == 201, raised.text

        def bodies() -> list[dict]:
            return [json.loads(body) for _, body in police.received]

        async def drug_test_and_rise_arrived() -> bool:
            types = [b["type"] for b in bodies()]
            rises = [b for b in bodies() if (b["data"].get("riskChange") or {}).get("direction") == "RAISED"]
            return "probation-case.drug-test.recorded" in types and bool(rises)

        await eventually(drug_test_and_rise_arrived, timeout=60)

        for headers, body in police.received:
            Webhook(secret).verify(body, headers)  # signed with the force's own secret
            for secret_text in (*VICTIM.values(), NARRATIVE, "cocaine"):
                assert secret_text.encode() not in body, f"the police were sent {secret_text!r}"
        assert {b["data"]["crn"] for b in bodies()} == {mappa}
        (test_body,) = [b for b in bodies() if b["type"] == "probation-case.drug-test.recorded"]
        assert test_body["data"]["drugTest"]["result"] == "POSITIVE"
        assert "substances" not in test_body["data"]["drugTest"]  # HEALTH: removed for POLICE_PARTNER
        assert test_body["data"]["registrations"] == [{"type": "MAPP", "category": "M1", "level": "M2"}]
        assert test_body["data"]["offenderManager"]["pduCode"] == PDU
        (rise,) = [b for b in bodies() if (b["data"].get("riskChange") or {}).get("direction") == "RAISED"]
        assert rise["type"] == "risk-assessment.rosh.changed"
        assert rise["data"]["riskChange"]["overallLevel"] == "HIGH"

        # The plain person's drug test was handled by the police consumer, and told no one.
        async with cases.database.unit_of_work(read_only=True) as session:
            rows = (
                await session.execute(
                    select(CASE_PLATFORM.outbox.c.event_id, CASE_PLATFORM.outbox.c.payload).where(
                        CASE_PLATFORM.outbox.c.event_type == "probation-case.drug-test.recorded"
                    )
                )
            ).all()
        (plain_event_id,) = [
            e for e, payload in rows if json.loads(payload)["additionalInformation"]["testId"] == plain_test
        ]

        async def plain_handled() -> bool:
            async with referrals.database.unit_of_work(read_only=True) as session:
                return bool(
                    (
                        await session.scalars(
                            select(REFER_PLATFORM.inbox.c.event_id).where(
                                REFER_PLATFORM.inbox.c.event_id == plain_event_id
                            )
                        )
                    ).all()
                )

        await eventually(plain_handled, timeout=30)
        async with referrals.database.unit_of_work(read_only=True) as session:
            police_rows = (
                await session.execute(
                    select(REFER_PLATFORM.outbox.c.message_key, REFER_PLATFORM.outbox.c.payload).where(
                        REFER_PLATFORM.outbox.c.event_type == "police.partner-notification.created"
                    )
                )
            ).all()
        assert police_rows and {key for key, _ in police_rows} == {FORCE}  # never the other force
        assert plain not in json.dumps([json.loads(p) for _, p in police_rows])
        assert other_police.received == [] and provider.received == []
        messages = await hooks.client.get(f"/police/{OTHER_FORCE}/messages", headers=tokens.headers(Role.OPERATOR))
        assert messages.status_code == 200 and messages.json() == []
    finally:
        for receiver in (police, other_police, provider):
            receiver.close()
