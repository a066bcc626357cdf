"""Registrations (flags): add, update, deregister, with history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared.errors import Problem

from ..db.models import Person, Registration, RegistrationHistory
from ..events import publish

ROSH_CODES = ("RVHR", "RHRH", "RMRH", "RLRH")
COMPLEXITY_CODES = ("RMDO", "ALSH", "RVLN", "RCCO", "RCPR", "RCHD", "RPIR", "RVAD", "STRG", "RTAO")
CATEGORIES: dict[str, str] = {
    **{c: "ROSH" for c in ROSH_CODES},
    "MAPP": "MAPPA",
    "ADVP": "DOMESTIC_ABUSE",
    "SPO": "STALKING",
    "IIOM": "IOM",
    "INLL": "LIFER",
    "PRC": "UNSUPERVISED",
    **{c: "COMPLEXITY" for c in COMPLEXITY_CODES if c != "RCPR"},
    "RCPR": "CHILD_PROTECTION",
}
MAPPA_LEVELS = ("M1", "M2", "M3")
MAPPA_CATEGORIES = ("M1", "M2", "M3", "M4")


def validate(type_code: str, level: str | None, category: str | None) -> None:
    errors = []
    if type_code not in CATEGORIES:
        errors.append({"field": "type_code", "message": f"unknown register type; one of {', '.join(sorted(CATEGORIES))}"})
    if type_code == "MAPP":
        if level not in MAPPA_LEVELS:
            errors.append({"field": "level", "message": "MAPPA level must be M1, M2 or M3"})
        if category not in MAPPA_CATEGORIES:
            errors.append({"field": "category", "message": "MAPPA category must be M1, M2, M3 or M4"})
    if errors:
        raise Problem(422, "invalid-registration", "The registration is not valid.", errors=errors)


def _history(registration: Registration, action: str, actor: str) -> RegistrationHistory:
    return RegistrationHistory(
        registration_id=registration.id,
        action=action,
        level=registration.level,
        register_category=registration.register_category,
        notes=registration.notes,
        actor=actor,
        at=datetime.now(UTC),
    )


async def active(session: AsyncSession, crn: str) -> list[Registration]:
    return list(await session.scalars(select(Registration).where(Registration.crn == crn, Registration.status == "ACTIVE")))


async def add(session: AsyncSession, person: Person, data: dict[str, Any], actor: str) -> Registration:
    validate(data["type_code"], data.get("level"), data.get("category"))
    # One RoSH level at a time, and one registration of a type: the new one replaces the old.
    for old in await active(session, person.crn):
        if old.type_code == data["type_code"] or (data["type_code"] in ROSH_CODES and old.type_code in ROSH_CODES):
            await deregister(session, person, old, on=data["registered_on"], notes="Replaced by a new registration", actor=actor)
    registration = Registration(
        crn=person.crn,
        type_code=data["type_code"],
        category=CATEGORIES[data["type_code"]],
        level=data.get("level"),
        register_category=data.get("category"),
        registered_on=data["registered_on"],
        status="ACTIVE",
        notes=data.get("notes"),
    )
    session.add(registration)
    await session.flush()
    session.add(_history(registration, "ADDED", actor))
    await publish.registration_changed(
        session,
        person,
        registration_id=registration.id,
        type_code=registration.type_code,
        level=registration.level,
        category=registration.register_category,
        change="added",
    )
    return registration


async def update(session: AsyncSession, person: Person, registration: Registration, changes: dict[str, Any], actor: str) -> Registration:
    if registration.status != "ACTIVE":
        raise Problem(409, "registration-deregistered", "A deregistered registration cannot be updated.")
    level = changes.get("level", registration.level)
    category = changes.get("category", registration.register_category)
    validate(registration.type_code, level, category)
    registration.level, registration.register_category = level, category
    if "notes" in changes:
        registration.notes = changes["notes"]
    session.add(_history(registration, "UPDATED", actor))
    await publish.registration_changed(
        session,
        person,
        registration_id=registration.id,
        type_code=registration.type_code,
        level=registration.level,
        category=registration.register_category,
        change="updated",
    )
    return registration


async def deregister(session: AsyncSession, person: Person, registration: Registration, *, on: date, notes: str | None, actor: str) -> Registration:
    if registration.status != "ACTIVE":
        raise Problem(409, "registration-deregistered", "The registration is already deregistered.")
    if on < registration.registered_on:
        raise Problem(422, "invalid-dates", "Deregistration cannot precede registration.", errors=[{"field": "date", "message": "before registration"}])
    registration.status, registration.deregistered_on = "DEREGISTERED", on
    if notes:
        registration.notes = notes
    session.add(_history(registration, "DEREGISTERED", actor))
    await session.flush()
    await publish.registration_changed(
        session,
        person,
        registration_id=registration.id,
        type_code=registration.type_code,
        level=registration.level,
        category=registration.register_category,
        change="deregistered",
    )
    return registration
