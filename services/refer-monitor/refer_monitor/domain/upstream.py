"""Reading the other services' detail documents (case-allocation, risk-assessment) into our projection.

The contract (docs/events.md) fixes the URLs, not every field name; these readers accept snake_case or
camelCase and read only the fields they name (an allow-list): nothing else in a document is kept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from probation_shared.clock import as_utc


def pick(doc: dict[str, Any] | None, *names: str) -> Any:
    if not doc:
        return None
    for name in names:
        if name in doc and doc[name] is not None:
            return doc[name]
    return None


def parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def parse_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return as_utc(parsed)


def person_details(doc: dict[str, Any]) -> dict[str, Any]:
    """From case-allocation `/people/{crn}`."""
    out = {
        "first_name": pick(doc, "first_name", "firstName", "forename"),
        "last_name": pick(doc, "last_name", "lastName", "surname"),
        "date_of_birth": parse_date(pick(doc, "date_of_birth", "dateOfBirth")),
        "sex": pick(doc, "sex", "gender"),
    }
    phone = pick(doc, "phone", "phone_number", "phoneNumber", "mobile_number", "mobileNumber", "telephone")
    if phone is None:
        contact = pick(doc, "contact_details", "contactDetails") or {}
        phone = pick(contact, "phone", "phone_number", "phoneNumber", "mobile_number", "mobileNumber", "telephone")
    out["phone"] = phone
    address = pick(doc, "main_address", "mainAddress", "current_address", "currentAddress", "address")
    out["address"] = address_details(address) if isinstance(address, dict) else None
    return out


_ADDRESS_FIELDS = {
    "building_name": ("building_name", "buildingName"),
    "address_number": ("address_number", "addressNumber", "house_number", "houseNumber"),
    "line1": ("line1", "address_line1", "addressLine1", "street_name", "streetName"),
    "line2": ("line2", "address_line2", "addressLine2", "district"),
    "town": ("town", "town_city", "townCity", "city"),
    "county": ("county",),
    "postcode": ("postcode", "post_code", "postCode"),
    "address_type": ("address_type", "addressType"),
}


def address_details(doc: dict[str, Any]) -> dict[str, Any]:
    out = {k: pick(doc, *names) for k, names in _ADDRESS_FIELDS.items()}
    out = {k: str(v) for k, v in out.items() if isinstance(v, str | int)}
    address_id = pick(doc, "id", "address_id", "addressId")
    if address_id is not None:
        out["id"] = str(address_id)
    return out


def address_is_current(doc: dict[str, Any], today: date) -> bool:
    """An address document describes the person's current address unless it says otherwise."""
    status = pick(doc, "status", "address_status", "addressStatus")
    if isinstance(status, dict):
        status = pick(status, "code", "description")
    if status is not None and str(status).upper() not in {"MAIN", "M", "CURRENT", "MAIN ADDRESS"}:
        return False
    if doc.get("deleted") is True:
        return False
    for flag in ("main", "is_main", "isMain", "current", "is_current", "isCurrent"):
        if flag in doc and doc[flag] is False:
            return False
    end = parse_date(pick(doc, "end_date", "endDate", "to_date", "toDate"))
    return end is None or end >= today


def address_phone(doc: dict[str, Any]) -> str | None:
    return pick(doc, "phone", "phone_number", "phoneNumber", "telephone", "telephone_number", "telephoneNumber")


def practitioner_details(doc: dict[str, Any]) -> dict[str, Any]:
    """From case-allocation `/people/{crn}/manager` (staff details, not the person's)."""
    name = pick(doc, "name", "staff_name", "staffName")
    if isinstance(name, dict):
        name = " ".join(
            str(p)
            for p in (pick(name, "forename", "first_name", "firstName"), pick(name, "surname", "last_name", "lastName"))
            if p
        )
    if name is None:
        first = pick(doc, "first_name", "firstName", "forename")
        last = pick(doc, "last_name", "lastName", "surname")
        name = " ".join(p for p in (first, last) if p) or None
    staff = pick(doc, "staff", "manager") or {}
    out = {
        "staff_code": pick(doc, "staff_code", "staffCode") or pick(staff, "staff_code", "staffCode", "code"),
        "name": name or pick(staff, "name"),
        "email": pick(doc, "email", "email_address", "emailAddress") or pick(staff, "email"),
        "phone": pick(doc, "phone", "telephone", "phone_number", "telephoneNumber")
        or pick(staff, "phone", "telephone"),
        "team_code": pick(doc, "team_code", "teamCode") or pick(pick(doc, "team") or {}, "code"),
        "pdu_code": pick(doc, "pdu_code", "pduCode") or pick(pick(doc, "pdu") or {}, "code"),
    }
    return {k: str(v) for k, v in out.items() if isinstance(v, str | int)}


# Codes, not text: a value outside these is dropped (so no free text rides in under a code's name).
RISK_LEVELS = frozenset({"LOW", "MEDIUM", "HIGH", "VERY_HIGH"})
RISK_GROUPS = frozenset({"children", "public", "knownAdult", "staff", "prisoners"})
RISK_TO_SELF_KINDS = frozenset({"suicide", "selfHarm", "custody", "hostel", "vulnerability"})


def risk_summary(doc: dict[str, Any]) -> tuple[dict[str, Any], str | None, datetime | None]:
    """From risk-assessment `/people/{crn}/risk-summary?view=provider` (service token): (summary, overall
    level, as of). Read by allow-list, never passed through: `overall` (level), `summary` (text written for
    providers), `groupsAtRisk` (group names), `riskToSelf` ({kind, current, previous}: HEALTH), `updatedAt`,
    `version`; levels, group names and risk-to-self kinds only as their known codes. Anything else in the
    document (victims, known adults, free text not made for providers) is not read at all."""
    level = pick(doc, "overall", "overallLevel", "overall_level", "overallRiskLevel", "roshLevel")
    if isinstance(level, dict):
        level = pick(level, "level", "code")
    summary = pick(doc, "summary")
    groups = pick(doc, "groupsAtRisk", "groups_at_risk")
    to_self = pick(doc, "riskToSelf", "risk_to_self", "riskToSelfConcerns")
    version = pick(doc, "version")
    clean = {
        "summary": summary if isinstance(summary, str) else None,
        "groups_at_risk": [g for g in groups if isinstance(g, str) and g in RISK_GROUPS]
        if isinstance(groups, list)
        else [],
        "risk_to_self": [
            {"kind": str(e["kind"]), "current": _flag(e.get("current")), "previous": _flag(e.get("previous"))}
            for e in (to_self if isinstance(to_self, list) else [])
            if isinstance(e, dict) and isinstance(e.get("kind"), str) and e["kind"] in RISK_TO_SELF_KINDS
        ],
        "version": version if isinstance(version, int) else None,
    }
    as_of = parse_datetime(pick(doc, "updatedAt", "updated_at", "assessedAt", "assessed_at"))
    return clean, rosh_level(level), as_of


def rosh_level(value: Any) -> str | None:
    """A RoSH level code, or None for anything else."""
    return value if isinstance(value, str) and value in RISK_LEVELS else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


RESPONSIBLE = frozenset({"POM", "COM"})


def responsibility(doc: dict[str, Any] | None, info: dict[str, Any]) -> tuple[str | None, date | None]:
    """(POM or COM, handover date) from case-allocation's `/people/{crn}/handover` (or, without it, the
    event's `responsible` and `handoverDate`); anything else reads as unknown."""
    source = doc if isinstance(doc, dict) and doc else info
    responsible = pick(source, "responsible")
    handover = parse_date(pick(source, "handover_date", "handoverDate"))
    return (responsible if responsible in RESPONSIBLE else None), handover


def release_date(doc: dict[str, Any] | None) -> date | None:
    """The expected release date of a custodial sentence from case-allocation's `/people/{crn}/sentences/{id}`:
    its `custody.release_date` (case-allocation's own precedence of confirmed, parole, HDC, conditional,
    automatic release dates); None when not custodial, released, or not known."""
    if not isinstance(doc, dict):
        return None
    custody = doc.get("custody")
    if not isinstance(custody, dict) or custody.get("released_on"):
        return None
    return parse_date(pick(custody, "release_date", "releaseDate"))
