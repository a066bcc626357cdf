"""Enhanced support after release: the booking rule and workflow over fakes, and how compliance counts it."""

from __future__ import annotations

from datetime import date

from case_allocation.db.models import Case, Contact, Person, Sentence
from case_allocation.domain.compliance import compliance_periods, enhanced_support_to_book
from case_allocation.workflows import contacts as contacts_workflow
from probation_shared.testing.fakes import FakeSession, repository

D = date.fromisoformat


def test_only_contacts_not_already_booked_are_booked_each_once():
    assert enhanced_support_to_book(
        [(D("2026-11-24"), "ENHANCED_SUPPORT")],
        [
            (D("2026-11-24"), "ENHANCED_SUPPORT"),
            (D("2026-12-01"), "ENHANCED_SUPPORT"),
            (D("2026-12-01"), "ENHANCED_SUPPORT"),
        ],
    ) == [(D("2026-12-01"), "ENHANCED_SUPPORT")]


def test_booked_contacts_are_planned_but_only_attended_ones_meet_a_week_after_release():
    periods = compliance_periods(
        case_start=D("2025-11-20"),
        released_on=D("2026-11-20"),
        attended_face_to_face=[D("2026-11-21")],
        booked_face_to_face=[D("2026-11-24"), D("2026-12-01")],
        on=D("2026-11-27"),
    )
    weeks = [(p.start, p.contacts, p.planned, p.status) for p in periods if p.kind == "WEEKLY_AFTER_RELEASE"]
    assert weeks == [(D("2026-11-20"), 1, 1, "MET"), (D("2026-11-27"), 0, 1, "IN_PROGRESS")]
    (month,) = [p for p in periods if p.kind == "MONTHLY"]
    assert (month.contacts, month.planned) == (1, 2)


def _cases(*pairs):
    cases = {s.id: c for c, s in pairs}
    sentences = {s.id: s for _, s in pairs}
    return (
        repository(open_cases_of=lambda session, crn: list(cases.values())),
        repository(get=lambda session, crn, sentence_id: sentences.get(sentence_id)),
    )


async def test_the_schedule_goes_on_the_custodial_case_released_that_day_and_skips_what_is_booked(monkeypatch):
    community = (Case(id=1, sentence_id=10, staff_code="S1"), Sentence(id=10, sentence_type="COMMUNITY_ORDER"))
    older = (
        Case(id=2, sentence_id=20, staff_code="S1"),
        Sentence(id=20, sentence_type="CUSTODY", sentence_date=D("2020-01-01"), released_on=D("2021-01-01")),
    )
    licence = (
        Case(id=3, sentence_id=30, staff_code="S2"),
        Sentence(id=30, sentence_type="CUSTODY", sentence_date=D("2019-01-01"), released_on=D("2026-11-20")),
    )
    cases_db, sentences_db = _cases(community, older, licence)
    already = Contact(
        id=9, crn="X123456", sentence_id=30, contact_type="ENHANCED_SUPPORT", contact_date=D("2026-11-24")
    )
    monkeypatch.setattr(contacts_workflow, "cases_db", cases_db)
    monkeypatch.setattr(contacts_workflow, "sentences_db", sentences_db)
    monkeypatch.setattr(contacts_workflow, "contacts_db", repository(of_person=lambda session, crn: [already]))
    session = FakeSession()

    booked = await contacts_workflow.book_enhanced_support(
        session,
        Person(crn="X123456"),
        D("2026-11-20"),
        [(D("2026-11-24"), "Week 1"), (D("2026-12-01"), "Week 2")],
        actor="resettlement",
    )

    assert [(c.contact_date, c.sentence_id, c.staff_code, c.notes) for c in booked] == [
        (D("2026-12-01"), 30, "S2", "Week 2")
    ]
    assert session.of(Contact) == booked and booked[0].face_to_face and booked[0].outcome is None


async def test_no_custodial_case_books_nothing(monkeypatch):
    cases_db, sentences_db = _cases(
        (Case(id=1, sentence_id=10, staff_code="S1"), Sentence(id=10, sentence_type="COMMUNITY_ORDER"))
    )
    monkeypatch.setattr(contacts_workflow, "cases_db", cases_db)
    monkeypatch.setattr(contacts_workflow, "sentences_db", sentences_db)
    session = FakeSession()
    assert (
        await contacts_workflow.book_enhanced_support(
            session, Person(crn="X123456"), D("2026-11-20"), [(D("2026-11-24"), "Week 1")], actor="resettlement"
        )
        == []
    )
    assert session.added == []
