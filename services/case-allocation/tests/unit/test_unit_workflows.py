"""Workflows run against in-memory fakes of their repositories, unit of work and publisher (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from case_allocation.db.models import Breach, Contact, Person, Registration, RegistrationHistory
from case_allocation.workflows import contacts as contacts_workflow
from case_allocation.workflows import people as people_workflow
from case_allocation.workflows import registrations as registrations_workflow
from probation_shared.domain_error import DomainError
from probation_shared.testing.fakes import FakePublisher, FakeSession, repository


def _person(crn: str = "X123456") -> Person:
    return Person(crn=crn, first_name="Ann", last_name="Example", limited_access=False)


@pytest.fixture
def publisher(monkeypatch) -> FakePublisher:
    fake = FakePublisher()
    for module in (registrations_workflow, people_workflow, contacts_workflow):
        monkeypatch.setattr(module, "publish", fake)
    return fake


async def test_a_new_rosh_registration_deregisters_the_old_level_then_is_added(monkeypatch, publisher):
    old = Registration(
        id=7, crn="X123456", type_code="RLRH", category="ROSH", registered_on=date(2025, 1, 1), status="ACTIVE"
    )
    mappa = Registration(
        id=8,
        crn="X123456",
        type_code="MAPP",
        category="MAPPA",
        registered_on=date(2025, 1, 1),
        status="ACTIVE",
        level="M1",
    )
    monkeypatch.setattr(
        registrations_workflow, "registrations_db", repository(active=lambda session, crn: [old, mappa])
    )
    session = FakeSession()

    new = await registrations_workflow.add(
        session, _person(), {"type_code": "RVHR", "registered_on": date(2026, 2, 1)}, actor="tester"
    )

    assert (old.status, old.deregistered_on, old.notes) == (
        "DEREGISTERED",
        date(2026, 2, 1),
        "Replaced by a new registration",
    )
    assert mappa.status == "ACTIVE"
    assert (new.status, new.category, new.id is not None) == ("ACTIVE", "ROSH", True)
    assert [h.action for h in session.of(RegistrationHistory)] == ["DEREGISTERED", "ADDED"]
    assert [(name, e["change"]) for name, e in publisher.events] == [
        ("registration_changed", "deregistered"),
        ("registration_changed", "added"),
    ]


async def test_an_invalid_registration_is_refused_before_anything_is_written(monkeypatch, publisher):
    monkeypatch.setattr(registrations_workflow, "registrations_db", repository(active=lambda session, crn: []))
    session = FakeSession()
    with pytest.raises(DomainError) as refused:
        await registrations_workflow.add(
            session, _person(), {"type_code": "MAPP", "registered_on": date(2026, 2, 1)}, actor="tester"
        )
    assert refused.value.status == 422 and refused.value.code == "invalid-registration"
    assert session.added == [] and publisher.events == []


async def test_registering_a_person_skips_crns_in_use_and_refuses_a_noms_number_in_use(monkeypatch, publisher):
    taken = {"A000001"}
    crns = iter(["A000001", "B000002"])
    added: list[Person] = []
    monkeypatch.setattr(people_workflow, "random_crn", lambda: next(crns))
    monkeypatch.setattr(people_workflow, "CRN_BATCH", 2)  # both drawn and checked in one query
    monkeypatch.setattr(
        people_workflow,
        "people_db",
        repository(
            sync=("add",),
            crns_in_use=lambda session, crns: taken & set(crns),
            noms_taken=lambda session, noms, other_than=None: noms == "A1234BC",
            add=lambda session, person: added.append(person),
        ),
    )
    details = {"first_name": "Ann", "last_name": "Example", "date_of_birth": date(1990, 1, 1), "sex": "F"}

    person = await people_workflow.register_person(FakeSession(), noms_number=None, **details)
    assert person.crn == "B000002" and added == [person] and person.created_at.tzinfo is not None
    assert publisher.events == [("engagement_created", {"crn": "B000002"})]

    with pytest.raises(DomainError) as refused:
        await people_workflow.register_person(FakeSession(), noms_number="A1234BC", **details)
    assert (refused.value.status, refused.value.code, refused.value.errors[0]["field"]) == (
        409,
        "noms-number-in-use",
        "noms_number",
    )


async def test_a_second_unacceptable_absence_within_twelve_months_raises_a_breach(monkeypatch, publisher):
    earlier = Contact(id=1, crn="X123456", contact_date=date(2026, 1, 5), outcome="FTA_UNACCEPTABLE")
    now = Contact(id=2, crn="X123456", contact_date=date(2026, 2, 5), outcome=None, sentence_id=3)
    monkeypatch.setattr(
        contacts_workflow,
        "contacts_db",
        repository(breaches=lambda session, crn: [], unacceptable_absences=lambda session, crn: [earlier, now]),
    )
    session = FakeSession()

    contact, breach = await contacts_workflow.record_outcome(
        session, _person(), now, "FTA_UNACCEPTABLE", None, today=date(2026, 2, 6)
    )

    assert contact.outcome == "FTA_UNACCEPTABLE"
    assert isinstance(breach, Breach) and breach.contact_ids == [1, 2] and breach.raised_on == date(2026, 2, 5)
    assert [name for name, _ in publisher.events] == ["breach_raised"]
    with pytest.raises(DomainError) as again:
        await contacts_workflow.record_outcome(session, _person(), now, "ATTENDED", None, today=date(2026, 2, 6))
    assert (again.value.status, again.value.code) == (409, "outcome-recorded")
