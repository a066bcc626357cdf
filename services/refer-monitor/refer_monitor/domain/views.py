"""What a provider is shown about the person on a referral: typed, every field classified for the one
redaction policy, built by allow-list from the projection, and compared field by field so a live update
names what changed (and carries only the changed values its reader may see).

The stored view (on the referral and in its history) is the most any provider could be shown: rendered
for a provider caseworker holding the person's HEALTH consent. It holds no victim details by
construction (no field for them). Each reader gets it rendered again for their own audience: a provider
without the person's recorded health consent never sees the HEALTH fields.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import ValidationError

from probation_shared.clock import as_utc
from probation_shared.privacy import Audience, Classified, DataClass, Outbound, render
from probation_shared.roles import Role

_Part = TypeVar("_Part", bound=Outbound)

D = DataClass
Ref = Annotated[str | None, Classified(D.REFERENCE)]
Contact = Annotated[str | None, Classified(D.CONTACT_DETAILS)]
Staff = Annotated[str | None, Classified(D.STAFF)]
Identity = Annotated[str | None, Classified(D.IDENTITY)]
Health = Annotated[bool | None, Classified(D.HEALTH)]

PROVIDER_ROLES = frozenset({Role.PROVIDER_CASEWORKER})
# The most a provider can ever be shown: what the stored view holds.
PROVIDER_WITH_CONSENT = Audience.of(PROVIDER_ROLES, consents={D.HEALTH})
# Partner notifications never carry HEALTH, whatever the person has consented to.
NOTIFICATION_AUDIENCE = Audience.of(PROVIDER_ROLES)


def provider_audience(health_consent: bool) -> Audience:
    return PROVIDER_WITH_CONSENT if health_consent else NOTIFICATION_AUDIENCE


class PersonPart(Outbound):
    crn: Annotated[str, Classified(D.REFERENCE)]
    first_name: Identity = None
    last_name: Identity = None
    date_of_birth: Annotated[date | None, Classified(D.IDENTITY)] = None
    sex: Identity = None


class AddressPart(Outbound):
    id: Ref = None
    building_name: Contact = None
    address_number: Contact = None
    line1: Contact = None
    line2: Contact = None
    town: Contact = None
    county: Contact = None
    postcode: Contact = None
    address_type: Contact = None


class ContactPart(Outbound):
    address: AddressPart | None = None
    phone: Contact = None


class PractitionerPart(Outbound):
    """The responsible probation practitioner: staff work details, which the provider needs."""

    staff_code: Staff = None
    name: Staff = None
    email: Staff = None
    phone: Staff = None
    team_code: Staff = None
    pdu_code: Staff = None


class RiskToSelfPart(Outbound):
    kind: Annotated[str, Classified(D.HEALTH)]
    current: Health = None
    previous: Health = None


class RegistrationPart(Outbound):
    registration_id: Ref = None
    type: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    level: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    category: Annotated[str | None, Classified(D.RISK_LEVELS)] = None


class RiskPart(Outbound):
    overall_level: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    # Text written by probation staff for providers (risk-assessment's provider summary).
    summary: Annotated[str | None, Classified(D.RISK_NARRATIVE)] = None
    groups_at_risk: Annotated[list[str], Classified(D.RISK_LEVELS)] = []
    # Risk to self is special category data: the whole list is HEALTH, not just its items.
    risk_to_self: Annotated[list[RiskToSelfPart], Classified(D.HEALTH)] = []
    as_of: Annotated[datetime | None, Classified(D.REFERENCE)] = None
    tier: Annotated[str | None, Classified(D.RISK_LEVELS)] = None
    registrations: list[RegistrationPart] = []


class EnforcementPart(Outbound):
    event: Annotated[str | None, Classified(D.SENTENCE)] = None
    breach_id: Annotated[str | None, Classified(D.SENTENCE)] = None
    at: Annotated[datetime | None, Classified(D.SENTENCE)] = None


class ResponsibilityPart(Outbound):
    """Who holds the case of a person in custody (case-allocation's OMiC handover): the prison offender
    manager (`POM`) until the handover date, then the community offender manager (`COM`)."""

    responsible: Annotated[str | None, Classified(D.SENTENCE)] = None
    handover_date: Annotated[date | None, Classified(D.SENTENCE)] = None


class ProviderView(Outbound):
    person: PersonPart
    contact: ContactPart = ContactPart()
    practitioner: PractitionerPart | None = None
    responsibility: ResponsibilityPart | None = None
    risk: RiskPart = RiskPart()
    enforcement: list[EnforcementPart] = []


SECTIONS = ("person", "contact", "practitioner", "responsibility", "risk", "enforcement")


def _only(model: type[Outbound], data: Any) -> dict[str, Any]:
    """The keys `model` names, from plain data (an allow-list: anything else is dropped)."""
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in model.model_fields}


def _part(model: type[_Part], data: Any) -> _Part | None:
    """A part from plain data kept by the projection; data of an unexpected shape is left out."""
    try:
        return model.model_validate(_only(model, data)) if isinstance(data, dict) else None
    except ValidationError:
        return None


def _parts(model: type[_Part], items: Any) -> list[_Part]:
    return [p for p in (_part(model, i) for i in (items or []) if isinstance(items, list)) if p is not None]


def build_model(person: Any) -> ProviderView:
    """The typed provider view of a person projection."""
    risk = person.risk_summary if isinstance(person.risk_summary, dict) else {}
    summary = risk.get("summary")
    groups = risk.get("groups_at_risk")
    return ProviderView(
        person=PersonPart(
            crn=person.crn,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            sex=person.sex,
        ),
        contact=ContactPart(address=_part(AddressPart, person.address), phone=person.phone),
        practitioner=_part(PractitionerPart, person.practitioner),
        responsibility=(
            ResponsibilityPart(responsible=person.responsible, handover_date=person.handover_date)
            if getattr(person, "responsible", None)
            else None
        ),
        risk=RiskPart(
            overall_level=person.rosh_level,
            summary=summary if isinstance(summary, str) else None,
            groups_at_risk=[g for g in groups if isinstance(g, str)] if isinstance(groups, list) else [],
            risk_to_self=_parts(RiskToSelfPart, risk.get("risk_to_self")),
            as_of=as_utc(person.risk_summary_at),
            tier=person.tier,
            registrations=_parts(RegistrationPart, person.registrations),
        ),
        enforcement=_parts(EnforcementPart, person.enforcement),
    )


def build_view(person: Any) -> dict[str, Any]:
    """The provider view as stored: the most a provider may be shown (HEALTH with consent)."""
    return render(build_model(person), PROVIDER_WITH_CONSENT)


def stored_view(data: dict[str, Any] | None) -> ProviderView | None:
    """A stored view read back into its typed model, by allow-list: keys it does not name are dropped, and
    so is any value of the wrong shape (views stored before the view was typed held free-form documents,
    e.g. the whole upstream risk summary: none of that is read back)."""
    if not isinstance(data, dict) or not data:
        return None
    return _tolerant(ProviderView, data)


def _tolerant(model: type[Outbound], data: dict[str, Any]) -> Any:
    out: dict[str, Any] = {}
    for name, nested in _fields(model):
        if name not in data:
            continue
        value = data[name]
        if nested is not None and isinstance(value, dict):
            value = _tolerant(nested, value)
        elif nested is not None and isinstance(value, list):
            value = [v for v in (_tolerant(nested, x) for x in value if isinstance(x, dict)) if v is not None]
        out[name] = value
    try:
        return model.model_validate(out)
    except ValidationError as exc:
        bad = {e["loc"][0] for e in exc.errors() if e["loc"]}
        try:
            return model.model_validate({k: v for k, v in out.items() if k not in bad})
        except ValidationError:
            return None


@cache  # a pure function of the model class, asked for every field of every view read back
def _fields(model: type[Outbound]) -> tuple[tuple[str, type[Outbound] | None], ...]:
    """Each field's name and the outbound model it holds (directly or in a list), if any."""
    return tuple((name, _nested(info.annotation)) for name, info in model.model_fields.items())


def _nested(annotation: Any) -> type[Outbound] | None:
    if isinstance(annotation, type) and issubclass(annotation, Outbound):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested(arg)
        if found is not None:
            return found
    return None


def changed_sections(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    old = old or {}
    return [s for s in SECTIONS if old.get(s) != new.get(s)]


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Dotted paths (`section.field`) whose value differs between two stored views."""
    old = old or {}
    paths = []
    for section in SECTIONS:
        before, after = old.get(section), new.get(section)
        if before == after:
            continue
        if isinstance(after, dict) and isinstance(before, dict | None):
            before = before or {}
            paths += [f"{section}.{k}" for k in after if before.get(k) != after.get(k)]
            paths += [f"{section}.{k}" for k in before if k not in after]
        else:
            paths.append(section)
    return paths


def only_paths(rendered: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """The rendered view cut down to `paths` (removal only: what is kept was already rendered)."""
    out: dict[str, Any] = {}
    for path in paths:
        section, _, name = path.partition(".")
        if section not in rendered:
            continue
        if not name:
            out[section] = rendered[section]
        elif isinstance(rendered[section], dict) and name in rendered[section]:
            out.setdefault(section, {})[name] = rendered[section][name]
    return out


def visible_paths(rendered: dict[str, Any], paths: list[str]) -> list[str]:
    """The paths of `paths` that the rendered view still holds (the others were withheld from its reader)."""

    def held(path: str) -> bool:
        section, _, name = path.partition(".")
        if section not in rendered:
            return False
        return not name or (isinstance(rendered[section], dict) and name in rendered[section])

    return [p for p in paths if held(p)]
