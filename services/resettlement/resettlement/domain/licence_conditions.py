"""Licence conditions in plain English, for the resettlement pack (readers may find reading hard).

The standard conditions are the ones every licence carries under the Criminal Justice Act 2003 s.250 and the
licence conditions order made under it: the original seven, and the two a 2021 amendment added (telling your
probation officer about another name you use, and about new contact details). The additional conditions are the
common ones a licence may add; the exact wording on a person's licence (the place, the person, the hours) comes
from the licence itself, so these explain what kind of rule it is, not its details.

Every explanation is our own words: short sentences, "you", no legal terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from probation_shared.domain_error import DomainError


class Kind(StrEnum):
    STANDARD = "STANDARD"
    ADDITIONAL = "ADDITIONAL"


@dataclass(frozen=True)
class Condition:
    code: str
    kind: Kind
    title: str  # a few plain words, e.g. "Stay out of trouble"
    plain_english: str


def _conditions(*items: Condition) -> Mapping[str, Condition]:
    table = {c.code: c for c in items}
    if len(table) != len(items):
        raise ValueError("two licence conditions share a code")
    return MappingProxyType(table)


CONDITIONS: Mapping[str, Condition] = _conditions(
    # Standard conditions: on every licence.
    Condition(
        "STD_GOOD_BEHAVIOUR",
        Kind.STANDARD,
        "Behave well",
        "Behave well. Do not do anything that goes against the reason you are on licence.",
    ),
    Condition("STD_NO_OFFENCE", Kind.STANDARD, "Do not break the law", "Do not break the law."),
    Condition(
        "STD_KEEP_IN_TOUCH",
        Kind.STANDARD,
        "Keep in touch",
        "Keep in touch with your probation officer. Go to every appointment they give you.",
    ),
    Condition(
        "STD_RECEIVE_VISITS",
        Kind.STANDARD,
        "Let your probation officer visit",
        "Let your probation officer visit you at home when they tell you they will.",
    ),
    Condition(
        "STD_APPROVED_ADDRESS",
        Kind.STANDARD,
        "Live where you are told",
        "Live at the address your probation officer agrees. "
        "Ask them first if you want to stay anywhere else, even for one night.",
    ),
    Condition(
        "STD_APPROVED_WORK",
        Kind.STANDARD,
        "Check before you take a job",
        "Tell your probation officer before you start any job. They must agree to it first.",
    ),
    Condition(
        "STD_NO_TRAVEL_ABROAD",
        Kind.STANDARD,
        "Stay in the UK",
        "Do not leave the UK unless your probation officer says yes first.",
    ),
    Condition(
        "STD_TELL_NAME",
        Kind.STANDARD,
        "Tell us about other names",
        "Tell your probation officer if you use a name that is not on your licence.",
    ),
    Condition(
        "STD_TELL_CONTACT_DETAILS",
        Kind.STANDARD,
        "Tell us your new phone or email",
        "Tell your probation officer if you get a new phone number or email address.",
    ),
    # Common additional conditions: only when the licence says so.
    Condition(
        "EXCLUSION_ZONE",
        Kind.ADDITIONAL,
        "Keep out of an area",
        "There is an area you must not go into. Your probation officer will show you a map of it.",
    ),
    Condition(
        "NON_CONTACT",
        Kind.ADDITIONAL,
        "Do not contact a person",
        "Do not contact a named person in any way. That means no visits, calls, texts, letters or social media. "
        "Do not ask anyone else to contact them for you.",
    ),
    Condition(
        "NON_CONTACT_CHILDREN",
        Kind.ADDITIONAL,
        "Contact with children",
        "Do not spend time alone with a child under 18 unless your probation officer agrees first.",
    ),
    Condition(
        "CURFEW",
        Kind.ADDITIONAL,
        "Be home at set times",
        "You must be at home at the times on your licence. This is called a curfew.",
    ),
    Condition(
        "ELECTRONIC_MONITORING",
        Kind.ADDITIONAL,
        "Wear a tag",
        "You must wear an electronic tag. Keep it charged and do not damage it or take it off.",
    ),
    Condition(
        "APPROVED_PREMISES",
        Kind.ADDITIONAL,
        "Live at approved premises",
        "You must live at approved premises. This is a hostel run by probation. Follow its rules.",
    ),
    Condition(
        "DRUG_TESTING",
        Kind.ADDITIONAL,
        "Drug tests",
        "You must go to drug tests when you are told. The test checks for drugs like heroin and cocaine.",
    ),
    Condition(
        "DRUG_APPOINTMENTS",
        Kind.ADDITIONAL,
        "Drug support appointments",
        "You must go to appointments about your drug use. They are there to help you.",
    ),
    Condition(
        "ALCOHOL_MONITORING",
        Kind.ADDITIONAL,
        "Alcohol tag",
        "You must wear a tag that checks if you drink alcohol. Do not drink alcohol while you wear it.",
    ),
    Condition(
        "NO_WORK_WITH_CHILDREN",
        Kind.ADDITIONAL,
        "No work with children",
        "Do not do any work, paid or unpaid, with children under 18.",
    ),
    Condition(
        "REPORT_TO_POLICE",
        Kind.ADDITIONAL,
        "Report to the police",
        "You must go to a police station at the times your probation officer tells you.",
    ),
    Condition(
        "DEVICE_RESTRICTION",
        Kind.ADDITIONAL,
        "Phones and computers",
        "Tell your probation officer about every phone, computer or tablet you use. They may check what is on it.",
    ),
    Condition(
        "PROGRAMME",
        Kind.ADDITIONAL,
        "Go to a course",
        "You must go to a course or group your probation officer sets up for you.",
    ),
)


def plain_english(code: str) -> str | None:
    """The plain-English explanation of a licence condition, or None for a code we do not know."""
    condition = CONDITIONS.get(code)
    return condition.plain_english if condition else None


def check_codes(codes: list[str], field: str = "codes") -> None:
    """Every code must be a condition we can explain: an unknown one is refused, naming its place."""
    for i, code in enumerate(codes):
        if code not in CONDITIONS:
            raise DomainError.on(f"{field}[{i}]", "unknown-licence-condition", f"{code!r} is not a licence condition")
    if len(set(codes)) != len(codes):
        raise DomainError.on(field, "duplicate-licence-condition", "Each licence condition is given once")


def standard_codes() -> tuple[str, ...]:
    """The codes of the conditions every licence carries, in the order a licence lists them."""
    return tuple(c.code for c in CONDITIONS.values() if c.kind is Kind.STANDARD)
