"""Registrations (flags) with history."""

from __future__ import annotations

from fastapi import APIRouter, Request

from probation_shared.auth import Principal, require_roles
from probation_shared.db import Session
from probation_shared.errors import not_found
from probation_shared.limits import IdPath
from probation_shared.redaction import redacted_response

from ..db import registrations as registrations_db
from ..db.models import Registration
from ..workflows import registrations as workflow
from .access import CAN_READ, CAN_WRITE, AuditChanges, CrnPath, audit_read, person_for
from .schemas import (
    Deregistration,
    NewRegistration,
    RegistrationChanges,
    RegistrationHistoryView,
    RegistrationList,
    RegistrationView,
)

router = APIRouter(prefix="/people/{crn}/registrations", tags=["registrations"], dependencies=[AuditChanges])


async def _view(session, registration: Registration) -> RegistrationView:
    history = await registrations_db.history(session, registration.id)
    view = RegistrationView.model_validate(registration)
    view.history = [RegistrationHistoryView.model_validate(h) for h in history]
    return view


async def _registration(session, crn: str, registration_id: int) -> Registration:
    row = await registrations_db.get(session, crn, registration_id)
    if row is None:
        raise not_found("registration")
    return row


@router.get("", response_model=RegistrationList)
async def list_registrations(
    request: Request, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_READ)
):
    await person_for(session, principal, crn)
    await audit_read(session, request, principal, crn)
    rows = await registrations_db.of_person(session, crn)
    return redacted_response(RegistrationList(registrations=[await _view(session, r) for r in rows]), principal.roles)


@router.post("", status_code=201, response_model=RegistrationView)
async def add_registration(
    body: NewRegistration, session: Session, crn: str = CrnPath, principal: Principal = require_roles(*CAN_WRITE)
):
    person = await person_for(session, principal, crn)
    registration = await workflow.add(session, person, body.model_dump(), principal.subject)
    return redacted_response(
        await _view(session, registration),
        principal.roles,
        201,
        {"Location": f"/people/{crn}/registrations/{registration.id}"},
    )


@router.get("/{registration_id}", response_model=RegistrationView)
async def get_registration(
    request: Request,
    session: Session,
    registration_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_READ),
):
    await person_for(session, principal, crn)
    registration = await _registration(session, crn, registration_id)
    await audit_read(session, request, principal, crn)
    return redacted_response(await _view(session, registration), principal.roles)


@router.patch("/{registration_id}", response_model=RegistrationView)
async def update_registration(
    body: RegistrationChanges,
    session: Session,
    registration_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    registration = await _registration(session, crn, registration_id)
    await workflow.update(session, person, registration, body.model_dump(exclude_unset=True), principal.subject)
    return redacted_response(await _view(session, registration), principal.roles)


@router.post("/{registration_id}/deregistration", response_model=RegistrationView)
async def deregister(
    body: Deregistration,
    session: Session,
    registration_id: IdPath,
    crn: str = CrnPath,
    principal: Principal = require_roles(*CAN_WRITE),
):
    person = await person_for(session, principal, crn)
    registration = await _registration(session, crn, registration_id)
    await workflow.deregister(session, person, registration, on=body.date, notes=body.notes, actor=principal.subject)
    return redacted_response(await _view(session, registration), principal.roles)
