"""Over the real broker: resettlement's enhanced-support schedule is booked on the licence case once, however
often it is delivered, and the compliance view counts it as planned in the weeks after release."""

from __future__ import annotations

from sqlalchemy import func, select

from case_allocation.db.models import PLATFORM
from case_allocation.seed import seed_reference
from case_allocation.service import SPEC
from probation_shared.events import new_event
from probation_shared.events.kafka import make_producer
from probation_shared.events.topics import RESETTLEMENT
from probation_shared.testing.plugin import eventually

from .conftest import Api

SCHEDULE = {
    "releaseDate": "2026-11-20",
    "contacts": [
        {"date": "2026-11-24", "type": "ENHANCED_SUPPORT", "description": "Week 1 face to face at the office"},
        {"date": "2026-12-01", "type": "ENHANCED_SUPPORT", "description": "Week 2 home visit"},
    ],
}


async def _publish(service, events) -> None:
    producer = make_producer(service.settings)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                service.settings.topic(RESETTLEMENT),
                event.model_dump_json().encode(),
                key=event.crn.encode(),
                headers=[("eventType", event.eventType.encode())],
            )
    finally:
        await producer.stop()


async def test_the_schedule_is_booked_once_on_the_licence_case_and_counted_as_planned(start_service, tokens):
    service = await start_service(SPEC)
    api = Api(service, tokens)
    async with service.database.unit_of_work() as session:
        await seed_reference(session)
    crn = (await api.person())["crn"]
    await api.sentence(crn)  # a community order beside it: not where enhanced support is booked
    custody = await api.sentence(
        crn,
        sentence_type="CUSTODY",
        sentence_date="2025-11-20",
        length=(3, "YEARS"),
        custody={"conditional_release_date": "2027-05-19"},
    )
    released = await api.client.patch(
        f"/people/{crn}/sentences/{custody['id']}", json={"released_on": "2026-11-20"}, headers=api.h()
    )
    assert released.status_code == 200, released.text

    scheduled = new_event("resettlement.enhanced-support.scheduled", crn=crn, additional_information=SCHEDULE)
    # Redelivered (same event), then the same schedule sent again as a new event: still booked once.
    resent = new_event("resettlement.enhanced-support.scheduled", crn=crn, additional_information=SCHEDULE)
    marker = new_event(
        "resettlement.enhanced-support.scheduled",
        crn=crn,
        additional_information={
            "releaseDate": "2026-11-20",
            "contacts": [{"date": "2026-12-02", "type": "ENHANCED_SUPPORT", "description": "Extra"}],
        },
    )
    await _publish(service, [scheduled, scheduled, resent, marker])

    async def enhanced() -> list[dict]:
        response = await api.client.get(f"/people/{crn}/contacts", headers=api.h())
        assert response.status_code == 200, response.text
        return [c for c in response.json()["contacts"] if c["contact_type"] == "ENHANCED_SUPPORT"]

    async def marker_booked() -> bool:  # the last event on the partition: everything before it is handled
        return any(c["contact_date"] == "2026-12-02" for c in await enhanced())

    await eventually(marker_booked, timeout=30)
    booked = await enhanced()
    assert sorted(c["contact_date"] for c in booked) == ["2026-11-24", "2026-12-01", "2026-12-02"]
    assert {c["sentence_id"] for c in booked} == {custody["id"]}
    assert all(c["face_to_face"] and c["outcome"] is None for c in booked)

    report = (await api.client.get(f"/people/{crn}/compliance?on=2026-11-27", headers=api.h())).json()
    (licence,) = [c for c in report["cases"] if c["sentence_id"] == custody["id"]]
    weeks = [p for p in licence["periods"] if p["kind"] == "WEEKLY_AFTER_RELEASE"]
    assert [(p["start"], p["planned"], p["contacts"]) for p in weeks] == [
        ("2026-11-20", 1, 0),
        ("2026-11-27", 2, 0),
    ]
    assert [p["status"] for p in weeks] == ["NOT_MET", "IN_PROGRESS"]  # planned is not met until attended


async def test_a_schedule_for_someone_with_no_custodial_case_books_nothing(start_service, tokens):
    service = await start_service(SPEC)
    api = Api(service, tokens)
    async with service.database.unit_of_work() as session:
        await seed_reference(session)
    crn = (await api.person())["crn"]
    await api.sentence(crn)
    await _publish(
        service, [new_event("resettlement.enhanced-support.scheduled", crn=crn, additional_information=SCHEDULE)]
    )

    async def handled() -> bool:
        async with service.database.unit_of_work() as session:
            return bool(await session.scalar(select(func.count()).select_from(PLATFORM.inbox)))

    await eventually(handled, timeout=30)
    assert (await api.client.get(f"/people/{crn}/contacts", headers=api.h())).json()["contacts"] == []
