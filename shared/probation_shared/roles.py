"""The platform's roles: a plain enum, importable by pure domain code (auth adds the token checks)."""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    PRACTITIONER = "PROBATION_PRACTITIONER"
    SENIOR_PROBATION_OFFICER = "SENIOR_PROBATION_OFFICER"
    PRISON_OFFENDER_MANAGER = "PRISON_OFFENDER_MANAGER"
    PROVIDER_CASEWORKER = "PROVIDER_CASEWORKER"
    POLICE_PARTNER = "POLICE_PARTNER"
    COMMISSIONER = "COMMISSIONER"
    AUDITOR = "AUDITOR"
    OPERATOR = "OPERATOR"
    SERVICE = "SERVICE"
    PERSON_ON_PROBATION = "PERSON_ON_PROBATION"  # scoped to their own CRN by the `crn` claim
    LIMITED_ACCESS_ADMIN = "LIMITED_ACCESS_ADMIN"  # the only role that changes a person's limited-access list


PROBATION_STAFF = frozenset({Role.PRACTITIONER, Role.SENIOR_PROBATION_OFFICER, Role.PRISON_OFFENDER_MANAGER})
