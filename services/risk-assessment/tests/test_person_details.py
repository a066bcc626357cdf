"""Sex and date of birth come from case-allocation's /people/{crn}, followed from the event's detailUrl."""

from case_allocation.service import SPEC as CASE_ALLOCATION
from probation_shared.auth import Role
from probation_shared.events import new_event
from risk_assessment.events import handlers
from risk_assessment.service import SPEC as RISK_ASSESSMENT


async def test_engagement_event_fetches_sex_and_date_of_birth_through_the_detail_url(start_service, tokens):
    cases = await start_service(CASE_ALLOCATION, run_workers=False)
    risk = await start_service(RISK_ASSESSMENT, run_workers=False)
    staff = tokens.headers(Role.PRACTITIONER)
    created = await cases.client.post(
        "/people",
        json={"first_name": "Ada", "last_name": "Example", "date_of_birth": "1985-12-10", "sex": "FEMALE"},
        headers=staff,
    )
    assert created.status_code == 201, created.text
    crn = created.json()["crn"]
    event = new_event(
        "probation-case.engagement.created", crn=crn, detail_url=f"{cases.settings.public_base_url}/people/{crn}"
    )
    async with risk.database.unit_of_work() as session:
        await handlers.on_person_details(session, event)
    person = (await risk.client.get(f"/people/{crn}", headers=staff)).json()
    assert (person["sex"], person["date_of_birth"]) == ("FEMALE", "1985-12-10")

    # A person case-allocation no longer has (404) leaves what is known untouched.
    gone = new_event(
        "probation-case.personal-details.updated",
        crn=crn,
        detail_url=f"{cases.settings.public_base_url}/people/Z999999",
    )
    async with risk.database.unit_of_work() as session:
        await handlers.on_person_details(session, gone)
    assert (await risk.client.get(f"/people/{crn}", headers=staff)).json()["sex"] == "FEMALE"
