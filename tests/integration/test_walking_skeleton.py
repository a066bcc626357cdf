"""A person registered in case-allocation reaches risk-assessment over the real broker."""

from case_allocation.service import SPEC as CASE_ALLOCATION
from probation_shared.auth import Role
from probation_shared.testing.plugin import eventually
from risk_assessment.service import SPEC as RISK_ASSESSMENT

PERSON = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10", "sex": "FEMALE"}


async def test_person_created_in_case_allocation_is_known_to_risk_assessment(start_service, tokens):
    cases = await start_service(CASE_ALLOCATION)
    risk = await start_service(RISK_ASSESSMENT)
    headers = tokens.headers(Role.PRACTITIONER)

    created = await cases.client.post("/people", json=PERSON, headers=headers)
    assert created.status_code == 201, created.text
    crn = created.json()["crn"]

    async def known_to_risk() -> bool:
        return (await risk.client.get(f"/people/{crn}", headers=headers)).status_code == 200

    await eventually(known_to_risk, timeout=20)
