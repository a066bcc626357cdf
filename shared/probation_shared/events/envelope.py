"""The event envelope: compatible with HMPPS domain events, plus `eventId` for idempotency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from probation_shared import clock

# The identifier types the platform itself writes and reads; others (PNC, CRO, ...) are carried as sent.
KNOWN_IDENTIFIER_TYPES = ("CRN", "NOMS")


class PersonIdentifier(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str = Field(min_length=1, max_length=50)  # CRN | NOMS, or any other type: carried, not fatal
    value: str


class PersonReference(BaseModel):
    identifiers: list[PersonIdentifier] = Field(default_factory=list)

    def find(self, kind: str) -> str | None:
        return next((i.value for i in self.identifiers if i.type == kind), None)


class DomainEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    eventId: uuid.UUID
    eventType: str = Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+){2,}$")
    version: int = 1
    occurredAt: datetime
    description: str = ""
    detailUrl: str | None = None
    additionalInformation: dict[str, Any] = Field(default_factory=dict)
    personReference: PersonReference = Field(default_factory=PersonReference)

    @property
    def crn(self) -> str | None:
        return self.personReference.find("CRN")

    @property
    def noms(self) -> str | None:
        return self.personReference.find("NOMS")


def new_event(
    event_type: str,
    *,
    crn: str | None = None,
    noms: str | None = None,
    description: str = "",
    detail_url: str | None = None,
    additional_information: dict[str, Any] | None = None,
    version: int = 1,
) -> DomainEvent:
    identifiers = [PersonIdentifier(type="CRN", value=crn)] if crn else []
    if noms:
        identifiers.append(PersonIdentifier(type="NOMS", value=noms))
    return DomainEvent(
        eventId=uuid.uuid4(),
        eventType=event_type,
        version=version,
        occurredAt=clock.now().astimezone(),
        description=description,
        detailUrl=detail_url,
        additionalInformation=additional_information or {},
        personReference=PersonReference(identifiers=identifiers),
    )
