"""What a provider is shown about the person on a referral: built from the projection, classified for
redaction, and compared section by section so a live update names what changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel

from probation_shared.auth import Role
from probation_shared.redaction import Classified, DataClass, redact

from .rules import aware
from .upstream import without_victims

PROVIDER_ROLES = frozenset({Role.PROVIDER_CASEWORKER})


class PersonPart(BaseModel):
    crn: str
    first_name: Annotated[str | None, Classified(DataClass.IDENTITY)] = None
    last_name: Annotated[str | None, Classified(DataClass.IDENTITY)] = None
    date_of_birth: Annotated[date | None, Classified(DataClass.IDENTITY)] = None
    sex: Annotated[str | None, Classified(DataClass.IDENTITY)] = None


class ContactPart(BaseModel):
    address: Annotated[dict[str, Any] | None, Classified(DataClass.CONTACT_DETAILS)] = None
    phone: Annotated[str | None, Classified(DataClass.CONTACT_DETAILS)] = None


class RiskPart(BaseModel):
    overall_level: Annotated[str | None, Classified(DataClass.RISK_LEVELS)] = None
    summary: Annotated[dict[str, Any] | None, Classified(DataClass.RISK_NARRATIVE)] = None
    as_of: datetime | None = None
    tier: Annotated[str | None, Classified(DataClass.RISK_LEVELS)] = None
    registrations: Annotated[list[dict[str, Any]], Classified(DataClass.RISK_LEVELS)] = []


class ProviderView(BaseModel):
    person: PersonPart
    contact: ContactPart
    practitioner: dict[str, Any] | None = None  # staff contact details, needed by the provider
    risk: RiskPart
    enforcement: Annotated[list[dict[str, Any]], Classified(DataClass.SENTENCE)] = []


SECTIONS = ("person", "contact", "practitioner", "risk", "enforcement")


def build_view(person: Any) -> dict[str, Any]:
    """The provider view (JSON-ready) of a person projection."""
    view = ProviderView(
        person=PersonPart(crn=person.crn, first_name=person.first_name, last_name=person.last_name, date_of_birth=person.date_of_birth, sex=person.sex),
        contact=ContactPart(address=person.address, phone=person.phone),
        practitioner=person.practitioner,
        risk=RiskPart(
            overall_level=person.rosh_level,
            summary=without_victims(person.risk_summary) if person.risk_summary else None,
            as_of=aware(person.risk_summary_at),
            tier=person.tier,
            registrations=list(person.registrations or []),
        ),
        enforcement=list(person.enforcement or []),
    )
    return for_provider(view)


def for_provider(view: ProviderView) -> dict[str, Any]:
    """Stored and sent already redacted for a provider caseworker."""
    return redact(view, PROVIDER_ROLES)


def changed_sections(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    old = old or {}
    return [s for s in SECTIONS if old.get(s) != new.get(s)]
