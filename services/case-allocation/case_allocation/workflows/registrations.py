"""Registrations (flags): add, update, deregister, each with a history row and an event."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock
from probation_shared.domain_error import DomainError, FieldError

from ..db import registrations as registrations_db
from ..db.models import Person, Registration, RegistrationHistory
from ..domain.registrations import CATEGORIES, replaces, validate
from ..events import publish


def _history(registration: Registration, action: str, actor: str) -> RegistrationHistory:
    return RegistrationHistory(
        registration_id=registration.id,
        action=action,
        level=registration.level,
        register_category=registration.register_category,
        notes=registration.notes,
        actor=actor,
        at=clock.now(),
    )


async def add(session: AsyncSession, person: Person, data: dict[str, Any], actor: str) -> Registration:
    validate(data["type_code"], data.get("level"), data.get("category"))
    for old in await registrations_db.active(session, person.crn):
        if replaces(data["type_code"], old.type_code):
            await deregister(
                session, person, old, on=data["registered_on"], notes="Replaced by a new registration", actor=actor
            )
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


async def update(
    session: AsyncSession, person: Person, registration: Registration, changes: dict[str, Any], actor: str
) -> Registration:
    if registration.status != "ACTIVE":
        raise DomainError("registration-deregistered", "A deregistered registration cannot be updated.", status=409)
    level = changes.get("level", registration.level)
    category = changes.get("category", registration.register_category)
    validate(registration.type_code, level, category)
    registration.level, registration.register_category = level, category
    if "notes" in changes:
        registration.notes = changes["notes"]
    session.add(_history(registration, "UPDATED", actor))
    await session.flush()
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


async def deregister(
    session: AsyncSession, person: Person, registration: Registration, *, on: date, notes: str | None, actor: str
) -> Registration:
    if registration.status != "ACTIVE":
        raise DomainError("registration-deregistered", "The registration is already deregistered.", status=409)
    if on < registration.registered_on:
        raise DomainError(
            "invalid-dates",
            "Deregistration cannot precede registration.",
            [FieldError("date", "before registration")],
            status=422,
        )
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
