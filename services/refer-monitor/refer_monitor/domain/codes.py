"""Reference codes of Refer and Monitor: contract types, regions and PCC areas, lifecycle values."""

from __future__ import annotations

import enum

# Contract types by the anchor's codes (hmpps-interventions-service), each with its display name.
CONTRACT_TYPES = {
    "ACC": "Accommodation",
    "ETE": "Education, Training and Employment",
    "PWB": "Personal Wellbeing",
    "WOS": "Women's Services",
    "FBD": "Finance, Benefits and Debt",
    "DNR": "Dependency and Recovery",
}
# The long names contract types were stored under before the codes (migration 0005 rewrites them).
LEGACY_CONTRACT_TYPES = {
    "ACCOMMODATION": "ACC",
    "PERSONAL_WELLBEING": "PWB",
    "WOMENS_SERVICES": "WOS",
    "FINANCE_BENEFITS_DEBT": "FBD",
    "DEPENDENCY_RECOVERY": "DNR",
}


def contract_type_name(code: str) -> str:
    return CONTRACT_TYPES.get(code, code)


REGIONS = (
    "North East",
    "Yorkshire and the Humber",
    "East Midlands",
    "East of England",
    "Kent, Surrey and Sussex",
    "South Central",
    "South West",
    "Wales",
    "West Midlands",
    "Greater Manchester",
    "North West",
    "London",
)

# Police and Crime Commissioner areas and the probation region each lies in (a PCC-area search also
# finds contracts let for the whole region).
PCC_AREAS = {
    "Northumbria": "North East",
    "Durham": "North East",
    "Cleveland": "North East",
    "West Yorkshire": "Yorkshire and the Humber",
    "South Yorkshire": "Yorkshire and the Humber",
    "North Yorkshire": "Yorkshire and the Humber",
    "Humberside": "Yorkshire and the Humber",
    "Derbyshire": "East Midlands",
    "Nottinghamshire": "East Midlands",
    "Leicestershire": "East Midlands",
    "Lincolnshire": "East Midlands",
    "Northamptonshire": "East Midlands",
    "Bedfordshire": "East of England",
    "Cambridgeshire": "East of England",
    "Essex": "East of England",
    "Hertfordshire": "East of England",
    "Norfolk": "East of England",
    "Suffolk": "East of England",
    "Kent": "Kent, Surrey and Sussex",
    "Surrey": "Kent, Surrey and Sussex",
    "Sussex": "Kent, Surrey and Sussex",
    "Thames Valley": "South Central",
    "Hampshire": "South Central",
    "Avon and Somerset": "South West",
    "Devon and Cornwall": "South West",
    "Dorset": "South West",
    "Gloucestershire": "South West",
    "Wiltshire": "South West",
    "Dyfed-Powys": "Wales",
    "Gwent": "Wales",
    "North Wales": "Wales",
    "South Wales": "Wales",
    "West Midlands": "West Midlands",
    "Staffordshire": "West Midlands",
    "Warwickshire": "West Midlands",
    "West Mercia": "West Midlands",
    "Greater Manchester": "Greater Manchester",
    "Cheshire": "North West",
    "Cumbria": "North West",
    "Lancashire": "North West",
    "Merseyside": "North West",
    "London": "London",
}

SEXES = ("MALE", "FEMALE")
ELIGIBLE_SEX = ("ALL", "MALE", "FEMALE")

WITHDRAWAL_CODES = {
    "INE": "Ineligible referral",
    "MIS": "Mistaken or duplicate referral",
    "NOT": "Person not engaged",
    "NEE": "Needs met through another route",
    "MOV": "Moved out of the service area",
    "WOR": "Work or caring commitments",
    "USE": "Person unable to engage",
    "ACQ": "Acquitted on appeal",
    "RET": "Returned to custody",
    "SER": "Sentence revoked",
    "SEE": "Sentence expired",
    "EAR": "Early withdrawal (other)",
    "ANO": "Another reason",
}


# A referral withdrawn as mistaken or a duplicate was never demand: it does not count against a volume cap.
NOT_COUNTED_AGAINST_CAP = ("MIS",)


class Status(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    ASSIGNED = "ASSIGNED"
    ENDED = "ENDED"  # withdrawn after delivery began: awaits an end of service report
    CONCLUDED = "CONCLUDED"


ACTIVE = frozenset({Status.SENT.value, Status.ASSIGNED.value})


class Outcome(enum.StrEnum):
    COMPLETED = "COMPLETED"
    PREMATURELY_ENDED = "PREMATURELY_ENDED"
    CANCELLED = "CANCELLED"


ATTENDANCE = ("YES", "LATE", "NO")
ATTENDED = frozenset({"YES", "LATE"})
OUTCOME_ACHIEVEMENT = ("ACHIEVED", "PARTIALLY_ACHIEVED", "NOT_ACHIEVED")
COMPLEXITY_LEVELS = ("LOW", "MEDIUM", "HIGH")
