"""A run of case events handled in one batch call gives exactly what handling them one at a time gives:
the same projections, tiers, stored calculations and published events, in the same order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from probation_shared.events import DomainEvent
from risk_assessment.db.models import Assessment, PersonRecord, Registration, RoshVersion, Score, TierCalculation
from risk_assessment.events.handlers import CASE_EVENTS

from .conftest import answers_at, case_event

PEOPLE = ["1", "2", "3", "4", "5"]


def _crn(prefix: str, n: str) -> str:
    return f"{prefix}70000{n}"


def _events(prefix: str) -> list[DomainEvent]:
    """The same story for each prefix: people, registration ids and event ids differ, nothing else."""

    def e(event_type: str, n: str, **info) -> DomainEvent:
        if "registrationId" in info:
            info["registrationId"] = f"{prefix}-{info['registrationId']}"
        return case_event(f"probation-case.{event_type}", _crn(prefix, n), **info)

    return [
        e("sentence.created", "1", mandateForChange=True),
        e("sentence.created", "2", mandateForChange=True),
        e("sentence.created", "3", mandateForChange=False),
        e("sentence.created", "1"),  # the same person twice in one run
        e(
            "registration.added",
            "1",
            registrationId="R1",
            registerTypeCode="RMRH",
            registerLevel=None,
            registerCategory=None,
        ),
        e(
            "registration.added",
            "2",
            registrationId="R2",
            registerTypeCode="MAPP",
            registerLevel="M2",
            registerCategory="X1",
        ),
        e("registration.added", "1", registrationId="R3", registerTypeCode="IIOM"),
        e("registration.added", "3", registrationId="R4", registerTypeCode="PRC"),
        e("registration.added", "5", registrationId="R8", registerTypeCode="RVLN"),  # someone new
        e("registration.added", "4", registrationId="R9", registerTypeCode="STRG"),
        e(
            "registration.added", "5", registrationId="R8", registerTypeCode="RMRH", registerLevel="L2"
        ),  # created earlier in this run
        e("registration.updated", "2", registrationId="R2", registerLevel="M3"),
        e("registration.updated", "1", registrationId="R1", registerTypeCode="RHRH"),
        e("registration.deregistered", "1", registrationId="R3"),
        e("registration.deregistered", "1", registrationId="R1"),
        e("registration.deregistered", "4", registrationId="R9"),
        e("requirement.created", "4", mandateForChange=True),
        e("sentence.terminated", "1", mandateForChange=False),
        e("sentence.terminated", "1", mandateForChange=True),
        e("sentence.terminated", "2", mandateForChange=False),
        e("registration.added", "2", registrationId="R5", registerTypeCode="RVLN"),
        e("registration.added", "2", registrationId="R6", registerTypeCode="STRG"),
        e("registration.added", "3", registrationId="R7", registerTypeCode="RCCO"),
        e("registration.updated", "3", registrationId="R7", registerCategory="C2"),
        e("registration.updated", "2", registrationId="R6", registerLevel="L1"),
    ]


async def _seed(api, prefix: str) -> None:
    """Inputs held before the events: RoSH, scores and an assessment for some, nothing for others."""
    now = datetime.now(UTC)
    async with api.service.database.unit_of_work() as session:
        for n in ("1", "2", "4"):
            crn = _crn(prefix, n)
            session.add(
                PersonRecord(
                    crn=crn,
                    registered_at=now - timedelta(days=30),
                    sex="FEMALE" if n == "4" else "MALE",
                    previous_enforcement=n == "4",
                )
            )
            for version, overall in ((1, "LOW"), (2, "HIGH" if n == "1" else "MEDIUM")):
                session.add(
                    RoshVersion(
                        id=str(uuid.uuid4()),
                        crn=crn,
                        version=version,
                        source="RE_RATING",
                        community={},
                        overall=overall,
                        narrative={},
                        risk_to_self={},
                        author="t",
                        created_at=now - timedelta(days=20 - version),
                    )
                )
            for kind, value, days_ago in (("RSR", 250, 10), ("RSR", 720, 5), ("OGRS3", 40, 7), ("OGRS3", 65, 3)):
                session.add(
                    Score(
                        id=str(uuid.uuid4()),
                        crn=crn,
                        kind=kind,
                        inputs={},
                        value=value,
                        band="X",
                        recorded_by="t",
                        recorded_at=now - timedelta(days=days_ago),
                    )
                )
        for crn, version, level, completed in (
            (_crn(prefix, "2"), 1, "NONE", now - timedelta(weeks=60)),
            (_crn(prefix, "2"), 2, "SIGNIFICANT", now - timedelta(days=2)),
            (_crn(prefix, "4"), 1, "SOME", now - timedelta(days=1)),
        ):
            session.add(
                Assessment(
                    id=str(uuid.uuid4()),
                    crn=crn,
                    version=version,
                    status="COMPLETE",
                    sections=answers_at(level),
                    created_by="t",
                    created_at=completed,
                    updated_at=completed,
                    completed_by="t",
                    completed_at=completed,
                )
            )


def _runs(events: list[DomainEvent]) -> list[list[DomainEvent]]:
    runs: list[list[DomainEvent]] = []
    for event in events:
        if runs and runs[-1][0].eventType == event.eventType:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


async def _outcome(api, prefix: str) -> dict:
    """Everything the events led to for the prefix's people, with the prefix and generated ids taken out."""

    def plain(value: str | None) -> str | None:
        return None if value is None else value.replace(prefix, "?")

    async with api.service.database.sessions() as session:
        people = (
            await session.scalars(
                select(PersonRecord).where(PersonRecord.crn.like(f"{prefix}%")).order_by(PersonRecord.crn)
            )
        ).all()
        registrations = (
            await session.scalars(
                select(Registration).where(Registration.crn.like(f"{prefix}%")).order_by(Registration.registration_id)
            )
        ).all()
        calculations = {
            c.id: c
            for c in (
                await session.scalars(select(TierCalculation).where(TierCalculation.crn.like(f"{prefix}%")))
            ).all()
        }
    published = [
        e
        for e in await api.outbox(version=None)
        if (e.get("personReference") or {}).get("identifiers", [{}])[0].get("value", "").startswith(prefix)
    ]
    ids = {}
    for event in published:  # calculations in the order their events were queued
        ids.setdefault(event["additionalInformation"]["calculationId"], len(ids))
    assert set(ids) == set(calculations)

    def inputs(values: dict) -> dict:
        """The inputs with the records' generated ids and times taken out (registration ids made plain)."""
        records = values.get("records")
        if records is None:
            return values
        scores = {k: None if v is None else (v["value"], v["band"]) for k, v in records["scores"].items()}
        registrations = [(plain(r["id"]), r["type"], r["level"], r["category"]) for r in records["registrations"]]
        rosh = None if records["roshVersion"] is None else records["roshVersion"]["version"]
        assessment = None if records["assessment"] is None else records["assessment"]["version"]
        return {
            **values,
            "records": {
                "scores": scores,
                "registrations": registrations,
                "roshVersion": rosh,
                "assessment": assessment,
            },
        }

    return {
        "people": [(plain(p.crn), p.current_tier, p.current_tier_ag, p.mandate_for_change) for p in people],
        "registrations": [
            (
                plain(r.registration_id),
                plain(r.crn),
                r.type_code,
                r.level,
                r.category,
                r.active,
                r.deregistered_at is None,
            )
            for r in registrations
        ],
        "calculations": [
            (
                plain(c.crn),
                c.tier,
                c.previous_tier,
                c.changed,
                c.protect_level,
                c.protect_points,
                c.change_level,
                c.change_points,
                inputs(c.inputs),
                c.breakdown,
                c.trigger,
                c.tier_ag,
                c.tier_ag_provisional,
                c.previous_tier_ag,
                c.tier_ag_changed,
                c.tier_ag_inputs,
                c.tier_ag_breakdown,
            )
            for c in sorted(calculations.values(), key=lambda c: ids[c.id])
        ],
        "published": [
            (
                e["eventType"],
                e["version"],
                plain(e["personReference"]["identifiers"][0]["value"]),
                plain(e["detailUrl"]),
                e["description"],
                ids[e["additionalInformation"]["calculationId"]],
                {k: v for k, v in e["additionalInformation"].items() if k != "calculationId"},
            )
            for e in published
        ],
    }


async def test_batch_handlers_match_the_per_event_handlers(api):
    assert set(CASE_EVENTS.batch_handlers) <= set(CASE_EVENTS.handlers)
    await _seed(api, "A")
    await _seed(api, "B")

    for event in _events("A"):  # one at a time, each in its own unit of work
        await api.handle(CASE_EVENTS.handlers[event.eventType], event)

    runs = _runs(_events("B"))
    assert any(len(run) > 1 for run in runs)
    async with (
        api.service.database.unit_of_work() as session
    ):  # all together, as the consumer does with a fetched batch
        for run in runs:
            batch_handler = CASE_EVENTS.batch_handlers.get(run[0].eventType)
            assert batch_handler is not None, run[0].eventType
            await batch_handler(session, run)

    one_by_one, batched = await _outcome(api, "A"), await _outcome(api, "B")
    assert batched == one_by_one
    # The story does exercise what it is meant to: tiers move, and some recalculations change nothing.
    assert len(one_by_one["calculations"]) == len(_events("A"))
    assert {c[3] for c in one_by_one["calculations"]} == {True, False}
    assert len({c[1] for c in one_by_one["calculations"]}) > 3


async def test_a_batch_with_a_bad_event_fails_as_a_whole(api):
    good = case_event("probation-case.registration.added", "C700001", registrationId="C-R1", registerTypeCode="RMRH")
    bad = case_event("probation-case.registration.added", "C700002", registerTypeCode="RMRH")  # no registrationId
    try:
        async with api.service.database.unit_of_work() as session:
            await CASE_EVENTS.batch_handlers[good.eventType](session, [good, bad])
    except ValueError as exc:
        assert "registrationId" in str(exc)
    else:
        raise AssertionError("expected the batch to fail")
    assert await api.outbox("tier.calculation.complete") == []
